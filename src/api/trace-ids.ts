/**
 * @module api/trace-ids: GET /api/trace-ids?prefix= (an addition to CONTRACT §7): the stored trace
 * ids starting with a hex prefix, so a pasted id or an 8+ digit prefix can open its trace.
 * Registered inside the guarded /api plugin.
 */
import type { FastifyInstance } from 'fastify';
import { TinyOllyError } from '../errors.js';
import type { Store } from '../store/store.js';

/** At most this many ids are answered (enough to tell "unique" from "ambiguous"). */
export const MAX_TRACE_ID_MATCHES = 20;
const PREFIX = /^[0-9a-f]{8,32}$/;

const TRACE_IDS_QUERY_SCHEMA = {
  type: 'object',
  properties: { prefix: { type: 'string', maxLength: 64 } },
  required: ['prefix'],
} as const;

/** Registers GET /trace-ids (relative to the /api plugin). */
export function traceIdRoutes(app: FastifyInstance, opts: { store: Store }): void {
  app.get<{ Querystring: { prefix: string } }>('/trace-ids', { schema: { querystring: TRACE_IDS_QUERY_SCHEMA } }, async (req) => {
    const prefix = req.query.prefix.trim().toLowerCase();
    if (!PREFIX.test(prefix)) throw new TinyOllyError('invalid', 'prefix must be 8 to 32 hex digits');
    // A full id is one look-up, not a scan.
    if (prefix.length === 32) return { traceIds: (await opts.store.getTrace(prefix)) ? [prefix] : [] };
    return { traceIds: await opts.store.traceIdsWithPrefix(prefix, MAX_TRACE_ID_MATCHES) };
  });
}
