/**
 * @module normalise/limit-hits: the limit-hit counters' type, which lives in model/limit-hits.ts;
 * re-exported here only for ingest/ingester.ts and inspect/http.ts, which still import it by this
 * path (other owners: point them at model/limit-hits.ts and delete this file).
 */
export type { LimitHits } from '../model/limit-hits.js';
