/**
 * @module store/memory/log-index: the memory store's log indexes (traceId → logs, service → logs)
 * and the findLogs query. The store owns write order, expiry and the byte cap; it calls add/remove.
 */
import type { LogRecord } from '../../model/model.js';
import type { LogQuery } from '../store.js';
import { compareNanos } from '../../query/traces.js';
import { TopK } from '../../query/top-k.js';

/** Newest first: by timestamp, then exact time, then id (for a stable order). */
export function compareLogsNewestFirst(a: LogRecord, b: LogRecord): number {
  return b.timestamp - a.timestamp || compareNanos(b.timeUnixNano, a.timeUnixNano) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The lower-cased text `q` is matched against: the body itself, or its JSON text when structured. */
export function logSearchText(body: LogRecord['body']): string {
  return (typeof body === 'string' ? body : JSON.stringify(body) ?? '').toLowerCase();
}

function addTo<K>(map: Map<K, Set<LogRecord>>, key: K, log: LogRecord): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(log);
}

function removeFrom<K>(map: Map<K, Set<LogRecord>>, key: K, log: LogRecord): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(log);
  if (set.size === 0) map.delete(key);
}

/** The log side of the memory store. */
export class LogIndex {
  private readonly all = new Set<LogRecord>();
  private readonly byTrace = new Map<string, Set<LogRecord>>();
  private readonly byService = new Map<string, Set<LogRecord>>();

  /** Number of stored logs. */
  get size(): number {
    return this.all.size;
  }

  /** Stored log count per service. */
  serviceCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [service, set] of this.byService) out.set(service, set.size);
    return out;
  }

  /** Stores one record. */
  add(log: LogRecord): void {
    this.all.add(log);
    if (log.traceId !== null) addTo(this.byTrace, log.traceId, log);
    addTo(this.byService, log.service, log);
  }

  /** Removes one record (no-op when absent). */
  remove(log: LogRecord): void {
    if (!this.all.delete(log)) return;
    if (log.traceId !== null) removeFrom(this.byTrace, log.traceId, log);
    removeFrom(this.byService, log.service, log);
  }

  /** Records matching the query, newest first, at most `limit`; scans only the narrowest index. */
  find(q: LogQuery): LogRecord[] {
    let candidates: Set<LogRecord> | undefined = this.all;
    if (q.traceId !== undefined) candidates = this.byTrace.get(q.traceId);
    if (candidates && q.service !== undefined) {
      const byService = this.byService.get(q.service);
      if (!byService || byService.size < candidates.size) candidates = byService;
    }
    if (!candidates) return [];
    const needle = q.q?.toLowerCase();
    const top = new TopK<LogRecord>(q.limit, compareLogsNewestFirst);
    for (const l of candidates) {
      if (q.traceId !== undefined && l.traceId !== q.traceId) continue;
      if (q.service !== undefined && l.service !== q.service) continue;
      if (q.spanId !== undefined && l.spanId !== q.spanId) continue;
      if (q.minSeverity !== undefined && l.severityNumber < q.minSeverity) continue;
      if (q.start !== undefined && l.timestamp < q.start) continue;
      if (q.end !== undefined && l.timestamp > q.end) continue;
      if (!top.wouldAccept(l)) continue;
      if (needle !== undefined && !logSearchText(l.body).includes(needle)) continue;
      top.offer(l);
    }
    return top.result();
  }

  /** Removes everything. */
  clear(): void {
    this.all.clear();
    this.byTrace.clear();
    this.byService.clear();
  }
}
