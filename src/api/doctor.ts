/**
 * @module api/doctor: GET /api/doctor?service=&disable= (CONTRACT §9), the instrumentation doctor's findings,
 * most severe first, with the rule table. Reads the store's Doctor (doctor/registry.ts), never the
 * store itself; DELETE /api/data forgets the findings.
 */
import type { FastifyInstance } from 'fastify';
import { doctorOf } from '../doctor/registry.js';
import type { Store } from '../store/store.js';

export const DOCTOR_QUERY_SCHEMA = {
  type: 'object',
  properties: { service: { type: 'string', maxLength: 1024 }, disable: { type: 'string', maxLength: 4096 } },
} as const;

/** Registers GET /doctor on `app` (inside the /api plugin and its guard). */
export function doctorRoutes(app: FastifyInstance, opts: { store: Store }): void {
  const doctor = doctorOf(opts.store);
  app.addHook('onResponse', async (req, reply) => {
    if (req.method === 'DELETE' && req.routeOptions.url === '/api/data' && reply.statusCode === 200) doctor.reset();
  });
  app.get('/doctor', { schema: { querystring: DOCTOR_QUERY_SCHEMA } }, async (req) => {
    const q = req.query as { service?: string; disable?: string };
    // ?disable=rule,rule: the UI's switched-off rules (remembered in the browser), for this answer only.
    const disable = q.disable ? q.disable.split(',').map((r) => r.trim()).filter(Boolean).slice(0, 64) : undefined;
    return doctor.report(q.service === '' ? undefined : q.service, disable);
  });
}
