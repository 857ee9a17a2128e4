/**
 * @module api/health: `GET /healthz` (CONTRACT §4), the one definition app.ts registers on both the
 * OTLP/HTTP listener and the UI listener. Asks the store's ping(); knows nothing else of the store.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';

/**
 * Adds `GET /healthz` to `app`: 200 `{"status":"ok"}` while `store.ping()` answers true, 503
 * `{"status":"unavailable","error":"store unavailable"}` otherwise. Open to any Host and without
 * the UI token (no guard of /api applies to it).
 */
export function healthRoute(app: FastifyInstance, store: Pick<Store, 'ping'>): void {
  app.get('/healthz', async (_req, reply) => {
    const ok = await store.ping();
    return reply.code(ok ? 200 : 503).send(ok ? { status: 'ok' } : { status: 'unavailable', error: 'store unavailable' });
  });
}
