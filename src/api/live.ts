/**
 * @module api/live: GET /api/live (Server-Sent Events) and GET /api/attributes,
 * /api/attributes/{key}/values (CONTRACT §7), over the store's live hub and attribute catalog
 * (live/registry). Registered inside the guarded /api plugin, so the Host check and the UI token apply.
 */
import type { FastifyInstance } from 'fastify';
import { TinyOllyError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { AttributeQuery, AttributeSignal } from '../live/attributes.js';
import { liveOf } from '../live/registry.js';

/** A comment line this often keeps the stream (and proxies) open: CONTRACT §7 asks at least every 15 s. */
export const HEARTBEAT_MS = 10_000;
/** Open streams at once; past this, 503 (each holds a connection). */
const MAX_STREAMS = 64;

const str = { type: 'string', maxLength: 256 } as const;
const ATTRIBUTES_QUERY_SCHEMA = { type: 'object', properties: { signal: str, service: str, prefix: str } } as const;

function attributeQuery(q: Record<string, string | undefined>): AttributeQuery {
  const blank = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  const signal = blank(q.signal)?.toLowerCase();
  if (signal !== undefined && signal !== 'traces' && signal !== 'logs' && signal !== 'metrics') {
    throw new TinyOllyError('invalid', 'signal must be one of traces, logs, metrics');
  }
  return { signal: signal as AttributeSignal | undefined, service: blank(q.service), prefix: blank(q.prefix) };
}

/** Registers /live and /attributes (relative to the /api plugin). */
export function liveRoutes(app: FastifyInstance, opts: { store: Store }): void {
  const live = () => liveOf(opts.store);

  app.get<{ Querystring: Record<string, string> }>('/attributes', { schema: { querystring: ATTRIBUTES_QUERY_SCHEMA } }, async (req) => {
    return { keys: live().attributes.keys(attributeQuery(req.query)) };
  });

  app.get<{ Params: { key: string }; Querystring: Record<string, string> }>('/attributes/:key/values', { schema: { querystring: ATTRIBUTES_QUERY_SCHEMA } }, async (req) => {
    if (req.params.key.length > 1024) throw new TinyOllyError('invalid', 'key is too long');
    return { values: live().attributes.values(req.params.key, attributeQuery(req.query)) };
  });

  app.get('/live', async (req, reply) => {
    const { hub } = live();
    if (hub.size >= MAX_STREAMS) {
      reply.header('retry-after', '5');
      return reply.code(503).send({ error: 'too many live streams open' });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    // `retry` tells EventSource how soon to reconnect after a cut.
    res.write('retry: 2000\n: connected\n\n');
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      unsubscribe();
      res.end();
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const unsubscribe = hub.subscribe((e) => {
      res.write(`event: ${e.signal}\ndata: ${JSON.stringify({ count: e.count, services: e.services })}\n\n`);
    }, end);
    req.raw.on('close', end);
    res.on('error', end);
  });
}
