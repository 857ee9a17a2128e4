/**
 * @module store/memory/log-index: the memory store's log indexes (traceId → logs, service → logs)
 * and the findLogs query. The store owns write order, expiry and the byte cap; it calls add/remove.
 */
import type { LogRecord } from '../../model/model.js';
import type { LogQuery } from '../store.js';
import { compareLogsNewestFirst, logAfter } from '../../query/paging.js';
import { TopK } from '../../query/top-k.js';

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

/** Visits every stored log, newest written first. */
export type LogScan = (visit: (log: LogRecord) => void) => void;

/** The log side of the memory store; the store's FIFO holds the records themselves. */
export class LogIndex {
  private count = 0;
  private readonly byTrace = new Map<string, Set<LogRecord>>();
  private readonly byService = new Map<string, Set<LogRecord>>();

  /** Number of stored logs. */
  get size(): number {
    return this.count;
  }

  /** Stored log count per service. */
  serviceCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [service, set] of this.byService) out.set(service, set.size);
    return out;
  }

  /** Indexes one record. */
  add(log: LogRecord): void {
    this.count++;
    if (log.traceId !== null) addTo(this.byTrace, log.traceId, log);
    addTo(this.byService, log.service, log);
  }

  /** Unindexes one record (each added record is removed at most once). */
  remove(log: LogRecord): void {
    this.count--;
    if (log.traceId !== null) removeFrom(this.byTrace, log.traceId, log);
    removeFrom(this.byService, log.service, log);
  }

  /**
   * Records matching the query, newest first, at most `limit`. Uses the trace or service index
   * when one narrows the search enough, else `scanAll` (newest written first, so that with
   * timestamps close to write order most records are refused by one comparison).
   */
  find(q: LogQuery, scanAll: LogScan): LogRecord[] {
    let candidates: Set<LogRecord> | undefined;
    if (q.traceId !== undefined) {
      candidates = this.byTrace.get(q.traceId);
      if (!candidates) return [];
    }
    if (q.service !== undefined) {
      const byService = this.byService.get(q.service);
      if (!byService) return [];
      if (!candidates || byService.size < candidates.size) candidates = byService;
    }
    const needle = q.q?.toLowerCase();
    const top = new TopK<LogRecord>(q.limit, compareLogsNewestFirst);
    const visit = (l: LogRecord): void => {
      if (q.traceId !== undefined && l.traceId !== q.traceId) return;
      if (q.service !== undefined && l.service !== q.service) return;
      if (q.spanId !== undefined && l.spanId !== q.spanId) return;
      if (q.minSeverity !== undefined && l.severityNumber < q.minSeverity) return;
      if (q.start !== undefined && l.timestamp < q.start) return;
      if (q.end !== undefined && l.timestamp > q.end) return;
      if (!logAfter(q.after, l)) return;
      if (!top.wouldAccept(l)) return;
      if (needle !== undefined && !logSearchText(l.body).includes(needle)) return;
      top.offer(l);
    };
    if (candidates && candidates.size * 4 < this.count) for (const l of candidates) visit(l);
    else scanAll(visit);
    return top.result();
  }

  /** Removes everything. */
  clear(): void {
    this.count = 0;
    this.byTrace.clear();
    this.byService.clear();
  }
}
