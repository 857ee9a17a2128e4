/**
 * @module bench/queries: query latencies against a filled store, through the HTTP API as the UI
 * calls it (keep-alive, one query at a time, time to the last byte of the answer).
 */
import { quantile } from './load.js';

export interface QuerySpec {
  name: string;
  /** Path and query; called with the iteration number so lookups can vary the id. */
  path: (i: number) => string;
  /** Checks a 200 answer is not empty (a query that answers nothing measures nothing). */
  check: (body: any) => boolean;
}

export interface QueryResult {
  name: string;
  example: string;
  iterations: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answer size of the last call, bytes. */
  bytes: number;
  failures: number;
}

/** Runs each query `iterations` times (after 3 unmeasured calls) and reports its latency percentiles. */
export async function runQueries(apiUrl: string, specs: QuerySpec[], iterations: number): Promise<QueryResult[]> {
  const out: QueryResult[] = [];
  for (const spec of specs) {
    const lat: number[] = [];
    let failures = 0;
    let bytes = 0;
    for (let i = -3; i < iterations; i++) {
      const path = spec.path(Math.max(0, i));
      const t0 = performance.now();
      const res = await fetch(apiUrl + path);
      const buf = await res.arrayBuffer();
      const ms = performance.now() - t0;
      if (i < 0) continue;
      lat.push(ms);
      bytes = buf.byteLength;
      let ok = res.status === 200;
      if (ok) {
        try {
          ok = spec.check(JSON.parse(Buffer.from(buf).toString('utf8')));
        } catch {
          ok = false;
        }
      }
      if (!ok) failures++;
    }
    out.push({
      name: spec.name,
      example: spec.path(0),
      iterations,
      p50Ms: quantile(lat, 0.5),
      p99Ms: quantile(lat, 0.99),
      maxMs: Math.max(...lat),
      bytes,
      failures,
    });
  }
  return out;
}
