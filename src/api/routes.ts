/**
 * @module api/routes: the query API of CONTRACT §4 as a fastify plugin (/api/*, /healthz).
 * Translates parameters once (api/params.ts) and reads the Store; never writes telemetry.
 */
import type { FastifyInstance } from 'fastify';
import { mapError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { UiAuth } from './auth.js';
import { waitRoutes } from './wait.js';
import { LOGS_QUERY_SCHEMA, RANGE_QUERY_SCHEMA, toLogQuery, toRange, toTraceQuery, TRACES_QUERY_SCHEMA } from './params.js';

export interface ApiOptions {
  store: Store;
  startedAtMs: number;
  /** Ports this instance listens on, shown by the UI's empty state. */
  ports: () => { grpc: number; http: number; ui: number };
  /** When set, /api/* needs the UI token (cookie or bearer). */
  auth?: UiAuth;
}

/** Registers the query routes. Errors answer `{"error"}` with 400/404/503, never a 500 for bad input. */
export async function apiRoutes(app: FastifyInstance, opts: ApiOptions): Promise<void> {
  const { store } = opts;

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    if (err.validation || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) {
      return reply.code(err.statusCode && err.statusCode !== 500 ? err.statusCode : 400).send({ error: err.message });
    }
    const m = mapError(err);
    if (m.retryAfter !== undefined && m.http === 503) reply.header('retry-after', String(m.retryAfter));
    return reply.code(m.http).send({ error: m.message });
  });

  const { auth } = opts;
  if (auth) {
    app.addHook('onRequest', async (req, reply) => {
      if (!req.url.startsWith('/api/') && req.url !== '/api') return;
      if (!auth.authorised(req)) return reply.code(401).send({ error: 'missing or wrong token: open /?t=TOKEN or send Authorization: Bearer TOKEN' });
    });
  }

  app.get('/healthz', async (_req, reply) => {
    const ok = await store.ping();
    return reply.code(ok ? 200 : 503).send(ok ? { status: 'ok' } : { status: 'unavailable', error: 'store unavailable' });
  });

  app.get('/api/traces', { schema: { querystring: TRACES_QUERY_SCHEMA } }, async (req) => {
    return { traces: await store.findTraces(toTraceQuery(req.query as Record<string, unknown>)) };
  });

  app.get<{ Params: { traceId: string } }>('/api/traces/:traceId', async (req, reply) => {
    const traceId = req.params.traceId.toLowerCase();
    const spans = await store.getTrace(traceId);
    if (!spans) return reply.code(404).send({ error: `trace ${traceId} not found` });
    return { traceId, spans };
  });

  app.get<{ Params: { traceId: string } }>('/api/traces/:traceId/backlinks', async (req) => {
    return { backlinks: await store.getBacklinks(req.params.traceId.toLowerCase()) };
  });

  app.get('/api/logs', { schema: { querystring: LOGS_QUERY_SCHEMA } }, async (req) => {
    return { logs: await store.findLogs(toLogQuery(req.query as Record<string, unknown>)) };
  });

  app.get('/api/metrics', async () => ({ metrics: await store.listMetrics() }));

  app.get<{ Params: { name: string } }>('/api/metrics/:name', { schema: { querystring: RANGE_QUERY_SCHEMA } }, async (req, reply) => {
    const set = await store.getMetric(req.params.name, toRange(req.query as { start?: number; end?: number }));
    if (!set) return reply.code(404).send({ error: `metric ${req.params.name} not found` });
    return set;
  });

  app.get('/api/services', async () => ({ services: await store.listServices() }));

  app.get('/api/service-map', async () => store.serviceMap());

  app.get('/api/stats', async () => {
    const s = await store.stats();
    const ports = opts.ports();
    return {
      ...s,
      storage: store.kind,
      uptimeSeconds: Math.round((Date.now() - opts.startedAtMs) / 1000),
      otlpHttpPort: ports.http,
      grpcPort: ports.grpc,
    };
  });

  waitRoutes(app, { store });

  app.delete('/api/data', async () => {
    await store.clear();
    return { status: 'ok' };
  });

  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));
}

