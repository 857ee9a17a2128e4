/**
 * @module api/wait: GET /api/wait (CONTRACT §10), the long-poll for tests and agents. Translates the
 * parameters (the list routes' filters of §4, plus min_count, since, timeout_ms), holds the request
 * in wait/waiters.ts, and frees the waiter when the client goes away. Lives under /api, so the UI
 * token guards it like every other query route.
 */
import type { FastifyInstance } from 'fastify';
import { TinyOllyError } from '../errors.js';
import { observeStore, type IngestObserver } from '../ingest/ingester.js';
import type { Store } from '../store/store.js';
import type { AttrFilter } from '../wait/match.js';
import { WaitHub, type WaitRequest } from '../wait/waiters.js';
import { toLogQuery } from './params.js';

/** The longest a wait may be held (CONTRACT §10). */
export const MAX_WAIT_TIMEOUT_MS = 60_000;
export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;
const MAX_ATTRS = 16;

const str = { type: 'string', maxLength: 1024 } as const;
const num = { type: 'number' } as const;

/** JSON schema of GET /api/wait (`attr` may repeat). */
export const WAIT_QUERY_SCHEMA = {
  type: 'object',
  properties: {
    signal: str, service: str, name: str, status: str, severity: str, q: str, trace_id: str,
    attr: { type: 'array', items: str, maxItems: MAX_ATTRS },
    min_duration_ms: num, max_duration_ms: num,
    min_count: { type: 'integer' }, since: num, timeout_ms: { type: 'integer' },
  },
} as const;

const TRACE_ONLY = ['name', 'status', 'min_duration_ms', 'max_duration_ms'] as const;
const LOG_ONLY = ['q', 'severity', 'trace_id'] as const;

function invalid(message: string): never {
  throw new TinyOllyError('invalid', message);
}

function finiteOr(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) invalid(`${name} must be a finite number`);
  return v;
}

function parseAttrs(v: unknown): AttrFilter[] {
  const raw = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return raw.map((a: unknown) => {
    const s = String(a);
    const eq = s.indexOf('=');
    if (eq <= 0) invalid('attr must be KEY=VALUE');
    return { key: s.slice(0, eq), value: s.slice(eq + 1) };
  });
}

/**
 * GET /api/wait parameters → a WaitRequest. `nowMs` is the request's arrival, the default `since`.
 * Throws TinyOllyError('invalid') (400) for a bad value or a filter that does not apply to the signal.
 */
export function toWaitRequest(q: Record<string, unknown>, nowMs: number): WaitRequest {
  const blank = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const signal = (blank(q.signal) ?? 'traces').toLowerCase();
  if (signal !== 'traces' && signal !== 'logs') invalid('signal must be traces or logs');
  const minCount = q.min_count === undefined ? 1 : (q.min_count as number);
  if (!Number.isInteger(minCount) || minCount < 1 || minCount > 1000) invalid('min_count must be an integer in 1..1000');
  const timeoutMs = q.timeout_ms === undefined ? DEFAULT_WAIT_TIMEOUT_MS : (q.timeout_ms as number);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_WAIT_TIMEOUT_MS) {
    invalid(`timeout_ms must be an integer in 0..${MAX_WAIT_TIMEOUT_MS}`);
  }
  const since = finiteOr('since', q.since);
  const sinceMs = since === undefined ? nowMs : since * 1000;
  const attrs = parseAttrs(q.attr);
  const notFor = signal === 'traces' ? LOG_ONLY : TRACE_ONLY;
  for (const k of notFor) {
    if (q[k] !== undefined && q[k] !== '') invalid(`${k} does not apply to signal=${signal}`);
  }
  if (signal === 'logs') {
    const lq = toLogQuery({ service: q.service, severity: q.severity, q: q.q, trace_id: q.trace_id });
    return {
      signal, minCount, sinceMs, timeoutMs,
      filter: { service: lq.service, minSeverity: lq.minSeverity, q: lq.q, traceId: lq.traceId, attrs },
    };
  }
  const status = blank(q.status)?.toLowerCase();
  if (status !== undefined && status !== 'error' && status !== 'ok' && status !== 'unset') invalid('status must be one of error, ok, unset');
  return {
    signal, minCount, sinceMs, timeoutMs,
    filter: {
      service: blank(q.service), name: blank(q.name), status, attrs,
      minDurationMs: finiteOr('min_duration_ms', q.min_duration_ms),
      maxDurationMs: finiteOr('max_duration_ms', q.max_duration_ms),
    },
  };
}

export interface WaitRouteOptions {
  store: Store;
  /** Where to hear what was stored; defaults to every ingester writing to `store`. */
  observe?: (observer: IngestObserver) => () => void;
}

/**
 * Registers GET /api/wait on `app` (inside the /api guard). Held requests end when the server closes
 * (answered as timed out), so a wait never delays shutdown.
 */
export function waitRoutes(app: FastifyInstance, opts: WaitRouteOptions): WaitHub {
  const hub = new WaitHub(opts.store, opts.observe ?? ((o) => observeStore(opts.store, o)));
  app.addHook('preClose', async () => hub.close());
  // Cleared data must not satisfy a later wait from the arrival index.
  app.addHook('onResponse', async (req, reply) => {
    if (req.method === 'DELETE' && req.routeOptions.url === '/api/data' && reply.statusCode === 200) hub.forget();
  });

  app.get('/wait', { schema: { querystring: WAIT_QUERY_SCHEMA } }, async (req, reply) => {
    const waitReq = toWaitRequest(req.query as Record<string, unknown>, Date.now());
    const gone = new AbortController();
    const onClose = () => { if (!reply.raw.writableEnded) gone.abort(); };
    reply.raw.on('close', onClose);
    try {
      const result = await hub.wait(waitReq, gone.signal);
      if (gone.signal.aborted) {
        // The client went away: nothing to answer.
        reply.hijack();
        reply.raw.destroy();
        return reply;
      }
      return result;
    } finally {
      reply.raw.off('close', onClose);
    }
  });
  return hub;
}
