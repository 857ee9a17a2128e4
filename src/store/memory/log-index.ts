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

/**
 * One key's records in write order. The store removes records oldest written first (eviction and
 * expiry walk its FIFO), so a record leaving is its key's oldest: an array with a head index does
 * what a Set did at a fraction of the cost (a Set of a million records rehashes as it grows and
 * shrinks; this was 14 % of the logs ingest CPU).
 */
class Lane {
  items: LogRecord[] = [];
  head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  /** Takes `log` out; false when the lane is then empty. */
  remove(log: LogRecord): boolean {
    if (this.items[this.head] === log) {
      this.items[this.head++] = undefined as unknown as LogRecord;
      // Compact now and then so the array does not grow without bound.
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
    } else {
      // Not the oldest (no caller does this today): still correct, at O(n).
      const i = this.items.indexOf(log, this.head);
      if (i >= 0) this.items.splice(i, 1);
    }
    return this.size > 0;
  }

  forEach(fn: (log: LogRecord) => void): void {
    for (let i = this.head; i < this.items.length; i++) fn(this.items[i]);
  }
}

function addTo<K>(map: Map<K, Lane>, key: K, log: LogRecord): void {
  let lane = map.get(key);
  if (!lane) map.set(key, (lane = new Lane()));
  lane.items.push(log);
}

function removeFrom<K>(map: Map<K, Lane>, key: K, log: LogRecord): void {
  const lane = map.get(key);
  if (lane && !lane.remove(log)) map.delete(key);
}

/** Visits every stored log, newest written first. */
export type LogScan = (visit: (log: LogRecord) => void) => void;

/** The log side of the memory store; the store's FIFO holds the records themselves. */
export class LogIndex {
  private count = 0;
  private readonly byTrace = new Map<string, Lane>();
  private readonly byService = new Map<string, Lane>();

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

  /** Unindexes one record (each added record is removed at most once, oldest written first for O(1)). */
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
    let candidates: Lane | undefined;
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
    if (candidates && candidates.size * 4 < this.count) candidates.forEach(visit);
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
