/**
 * @module api/routes: the query API of CONTRACT §4 as a fastify plugin (/api/*; /healthz is api/health.ts).
 * Translates parameters once (api/params.ts) and reads the Store; never writes telemetry.
 *
 * Every /api route lives in one encapsulated plugin (prefix `/api`) whose onRequest hook checks the
 * Host header and the UI token. The guard belongs to the routes, not to a test of the URL string, so
 * it holds however a path is spelled (`/%61pi/…` reaches the same routes, and the same hook).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mapReadError } from '../errors.js';
import { isIncomplete } from '../query/traces.js';
import { isSearchLimited, type Store } from '../store/store.js';
import { UNAUTHORISED, type UiAuth } from './auth.js';
import { hostGuard } from './hosts.js';
import { exportImportRoutes, type ExportImportOptions } from './export-import.js';
import { waitRoutes } from './wait.js';
import { compareRoutes } from './compare.js';
import { doctorRoutes } from './doctor.js';
import { ingestRoutes, type IngestRoutesOptions } from './ingest.js';
import { clampLimit, LOGS_QUERY_SCHEMA, METRICS_QUERY_SCHEMA, RANGE_QUERY_SCHEMA, strictInteger, toLogQuery, toRange, toSpanPage, toTraceQuery, TRACE_SPANS_QUERY_SCHEMA, TRACES_QUERY_SCHEMA } from './params.js';
import { logCursorOf, metricCursorOf, pageOf, parseMetricCursor, traceCursorOf } from './cursor.js';
import { traceIdRoutes } from './trace-ids.js';
import { liveRoutes } from './live.js';
import { liveOf } from '../live/registry.js';

export interface ApiOptions {
  store: Store;
  startedAtMs: number;
  /** Ports this instance listens on, shown by the UI's empty state. */
  ports: () => { grpc: number; http: number; ui: number };
  /** When set, /api/* needs the UI token (cookie or bearer). */
  auth?: UiAuth;
  /** Whether a Host header may reach /api/* (DNS-rebinding guard, api/hosts.ts); all hosts when unset. */
  hostAllowed?: (host: string | undefined) => boolean;
  /** Called once for every unexpected (non-TinyOllyError) failure of a read, with the error. */
  onError?: (err: unknown, req: FastifyRequest) => void;
  /** GET /api/export and POST /api/import (CONTRACT §11), when given. */
  exportImport?: Omit<ExportImportOptions, 'store'>;
  /** GET /api/ingest/* (CONTRACT §8). */
  ingest?: IngestRoutesOptions;
  /** The retention, reported by GET /api/stats as `ttlSeconds` (the UI shows it). */
  ttlSeconds?: number;
}

/** Registers the /api plugin and the 404 answer outside it (app.ts adds /healthz, api/health.ts). */
export async function apiRoutes(app: FastifyInstance, opts: ApiOptions): Promise<void> {
  await app.register(queryRoutes, { ...opts, prefix: '/api' });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));
}

/** The /api routes, their guard, their 404 and their error answers (400 bad input, 503 store failure, 500 anything else). */
async function queryRoutes(app: FastifyInstance, opts: ApiOptions): Promise<void> {
  const { store, auth } = opts;

  app.addHook('onRequest', hostGuard(opts.hostAllowed));
  if (auth) {
    app.addHook('onRequest', async (req, reply) => {
      if (!auth.authorised(req)) return reply.code(401).send(UNAUTHORISED);
    });
  }

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    if (err.validation || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) {
      return reply.code(err.statusCode && err.statusCode !== 500 ? err.statusCode : 400).send({ error: err.message });
    }
    const m = mapReadError(err);
    if (m.kind === 'internal') opts.onError?.(err, req);
    if (m.retryAfter !== undefined) reply.header('retry-after', String(m.retryAfter));
    return reply.code(m.http).send({ error: m.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));

  if (opts.exportImport) await app.register(exportImportRoutes, { store, ...opts.exportImport });

  // `searchLimited: true` when the store's bounded scan stopped before the end (older matches may be missing).
  const limitedFlag = (list: readonly unknown[]) => (isSearchLimited(list) ? { searchLimited: true } : {});
  // Lists page by keyset (CONTRACT §7): one row more than asked tells whether a next page exists.
  app.get('/traces', { schema: { querystring: TRACES_QUERY_SCHEMA } }, async (req) => {
    const q = toTraceQuery(req.query as Record<string, unknown>);
    const found = await store.findTraces({ ...q, limit: q.limit + 1 });
    const page = pageOf(found, q.limit, (t) => traceCursorOf(q, t));
    return { traces: page.items, nextCursor: page.nextCursor, ...limitedFlag(found) };
  });

  // One page of the trace's spans (by start time): `totalSpans` of them are stored, `nextCursor` asks
  // for the next page (null on the last), `spansDropped` were refused by TINYOLLY_MAX_SPANS_PER_TRACE.
  app.get<{ Params: { traceId: string } }>('/traces/:traceId', { schema: { querystring: TRACE_SPANS_QUERY_SCHEMA } }, async (req, reply) => {
    const traceId = req.params.traceId.toLowerCase();
    const page = toSpanPage(req.query as Record<string, unknown>);
    const [spans, spansDropped] = await Promise.all([store.getTrace(traceId), store.spansDropped?.(traceId) ?? 0]);
    if (!spans) return reply.code(404).send({ error: `trace ${traceId} not found` });
    const end = page.offset + page.limit;
    const paged = page.offset === 0 && end >= spans.length ? spans : spans.slice(page.offset, end);
    return {
      traceId, incomplete: isIncomplete(spans), spans: paged, totalSpans: spans.length,
      nextCursor: end < spans.length ? String(end) : null, spansDropped,
    };
  });

  app.get<{ Params: { traceId: string } }>('/traces/:traceId/backlinks', async (req) => {
    return { backlinks: await store.getBacklinks(req.params.traceId.toLowerCase()) };
  });

  app.get('/logs', { schema: { querystring: LOGS_QUERY_SCHEMA } }, async (req) => {
    const q = toLogQuery(req.query as Record<string, unknown>);
    const found = await store.findLogs({ ...q, limit: q.limit + 1 });
    const page = pageOf(found, q.limit, logCursorOf);
    return { logs: page.items, nextCursor: page.nextCursor, ...limitedFlag(found) };
  });

  app.get('/metrics', { schema: { querystring: METRICS_QUERY_SCHEMA } }, async (req) => {
    const query = req.query as Record<string, unknown>;
    const limit = clampLimit(strictInteger('limit', query.limit), 1000);
    const after = typeof query.cursor === 'string' && query.cursor !== '' ? parseMetricCursor(query.cursor) : undefined;
    const all = await store.listMetrics();
    const rest = after === undefined ? all : all.filter((m) => m.name > after);
    const page = pageOf(rest.slice(0, limit + 1), limit, metricCursorOf);
    return { metrics: page.items, nextCursor: page.nextCursor };
  });

  const metric = async (name: string, query: Record<string, unknown>, reply: FastifyReply) => {
    const set = await store.getMetric(name, toRange(query));
    if (!set) return reply.code(404).send({ error: `metric ${name} not found` });
    return set;
  };
  app.get<{ Params: { name: string } }>('/metrics/:name', { schema: { querystring: RANGE_QUERY_SCHEMA } },
    async (req, reply) => metric(req.params.name, req.query as Record<string, unknown>, reply));
  // The same answer with the name as a query parameter: a browser resolves the path segments `.`
  // and `..` (also spelled %2E) before sending, so the UI opens metrics so named through this form.
  app.get<{ Querystring: { name: string } }>('/metric', { schema: { querystring: { ...RANGE_QUERY_SCHEMA, properties: { ...RANGE_QUERY_SCHEMA.properties, name: { type: 'string' } }, required: ['name'] } } },
    async (req, reply) => metric(req.query.name, req.query as Record<string, unknown>, reply));

  app.get('/services', async () => ({ services: await store.listServices() }));

  app.get<{ Params: { name: string } }>('/services/:name/operations', async (req, reply) => {
    const operations = await store.listOperations(req.params.name);
    if (!operations) return reply.code(404).send({ error: `service ${req.params.name} not found` });
    return { operations };
  });

  app.get('/service-map', async () => store.serviceMap());

  app.get('/stats', async () => {
    const s = await store.stats();
    const ports = opts.ports();
    return {
      ...s,
      storage: store.kind,
      uptimeSeconds: Math.round((Date.now() - opts.startedAtMs) / 1000),
      otlpHttpPort: ports.http,
      grpcPort: ports.grpc,
      ttlSeconds: opts.ttlSeconds,
    };
  });

  traceIdRoutes(app, { store });
  liveRoutes(app, { store });
  waitRoutes(app, { store });
  doctorRoutes(app, { store });
  ingestRoutes(app, opts.ingest ?? {});
  compareRoutes(app, { store });

  app.delete('/data', async () => {
    await store.clear();
    liveOf(store).attributes.clear();
    return { status: 'ok' };
  });
}
