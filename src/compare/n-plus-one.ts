/**
 * @module compare/n-plus-one: finds N+1 loops in one trace: a span whose children include one
 * (service, name, statement) repeated at least N_PLUS_ONE_MIN times in sequence. Pure; the compare
 * module and the trace view both use it.
 */
import type { Span } from '../model/model.js';
import { statementOf } from './statement.js';

/** The shortest run of identical calls reported as N+1 (CONTRACT §12). */
export const N_PLUS_ONE_MIN = 5;

export interface NPlusOne {
  /** The span whose children repeat. */
  parent: Span;
  /** The first span of the longest run. */
  first: Span;
  service: string;
  name: string;
  statement: string;
  /** Length of the longest run in sequence. */
  count: number;
}

function startKey(s: Span): bigint {
  try { return BigInt(s.startTimeUnixNano); } catch { return 0n; }
}

/**
 * The N+1 loops of a trace, one per (parent span, service, name, statement), longest run kept.
 * Children with a statement or URL (compare/statement.ts) are taken in start-time order; a run
 * breaks at any of them with another key, while children with neither are skipped.
 */
export function findNPlusOne(spans: readonly Span[]): NPlusOne[] {
  const kids = new Map<string, Span[]>();
  for (const s of spans) {
    if (s.parentSpanId === null || s.parentSpanId === s.spanId) continue;
    let list = kids.get(s.parentSpanId);
    if (!list) kids.set(s.parentSpanId, (list = []));
    list.push(s);
  }
  const out: NPlusOne[] = [];
  const seenParent = new Set<string>();
  for (const parent of spans) {
    if (seenParent.has(parent.spanId)) continue;
    seenParent.add(parent.spanId);
    const children = kids.get(parent.spanId);
    if (!children || children.length < N_PLUS_ONE_MIN) continue;
    // Only calls with a statement or URL take part: a span without one (a pool checkout such as
    // `pg-pool.connect` before each query) neither counts nor breaks a run.
    const calls = children.filter((c) => statementOf(c) !== undefined);
    if (calls.length < N_PLUS_ONE_MIN) continue;
    const starts = new Map<Span, bigint>();
    for (const c of calls) starts.set(c, startKey(c));
    const ordered = [...calls].sort((x, y) => (starts.get(x)! < starts.get(y)! ? -1 : starts.get(x)! > starts.get(y)! ? 1 : 0));
    const best = new Map<string, NPlusOne>();
    let runKey = '';
    let runStart = 0;
    for (let i = 0; i <= ordered.length; i++) {
      const c = ordered[i];
      const st = c ? statementOf(c) : undefined;
      const key = c && st !== undefined ? `${c.service}\u0000${c.name}\u0000${st}` : '';
      if (i < ordered.length && key !== '' && key === runKey) continue;
      const len = i - runStart;
      if (runKey !== '' && len >= N_PLUS_ONE_MIN) {
        const first = ordered[runStart];
        const prev = best.get(runKey);
        if (!prev || prev.count < len) {
          best.set(runKey, { parent, first, service: first.service, name: first.name, statement: statementOf(first)!, count: len });
        }
      }
      runKey = key;
      runStart = i;
    }
    out.push(...best.values());
  }
  return out;
}
