/**
 * @module api/ingest: the ingest inspector's routes (CONTRACT §8), GET /api/ingest/requests and
 * GET /api/ingest/summary, registered inside the guarded /api plugin. Reads the inspector only;
 * the store's own drop counts come from `drops` (the memory store counts items evicted and expired;
 * the Redis store the traces and logs its trimmer saw expire, and no evictions).
 */
import type { FastifyInstance } from 'fastify';
import type { Inspector } from '../inspect/inspector.js';

export interface IngestRoutesOptions {
  inspector?: Inspector;
  /** Items the store evicted (byte cap) and expired (TTL) since start. */
  drops?: () => { evicted: number; expired: number };
}

const REQUESTS_QUERY_SCHEMA = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    result: { type: 'string', enum: ['ok', 'partial', 'refused'] },
    signal: { type: 'string', enum: ['traces', 'logs', 'metrics'] },
    service: { type: 'string', maxLength: 4096 },
  },
} as const;

/** Registers the two routes (paths relative to the /api prefix); without an inspector they answer empty. */
export function ingestRoutes(app: FastifyInstance, opts: IngestRoutesOptions): void {
  app.get('/ingest/requests', { schema: { querystring: REQUESTS_QUERY_SCHEMA } }, async (req) => {
    const q = req.query as { limit?: number; result?: string; signal?: string; service?: string };
    return { requests: opts.inspector?.requests(q) ?? [] };
  });
  app.get('/ingest/summary', async () => {
    const drops = opts.drops?.() ?? { evicted: 0, expired: 0 };
    return opts.inspector?.summary(drops) ?? { services: [], dropped: { ...drops, rejected: 0, refusedRequests: 0 } };
  });
}
