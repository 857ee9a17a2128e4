/**
 * @module query/paging: the total orders list queries page through (CONTRACT §7 `cursor`), shared
 * by every store so a cursor means the same row whichever backend answers. Pure.
 */
import type { LogRecord, TraceSummary } from '../model/model.js';
import type { LogCursor, TraceCursor, TraceQuery } from '../store/store.js';
import { compareNanos } from './traces.js';

type TraceKeys = Pick<TraceSummary, 'durationMs' | 'startTimeUnixNano' | 'traceId'>;
type LogKeys = Pick<LogRecord, 'timestamp' | 'timeUnixNano' | 'id'>;

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders trace rows per the query's sort and order (negative: `a` is listed first). Total: ties in
 * the sort key fall to the start, then the trace id, in the same direction.
 */
export function compareTraceRows(q: Pick<TraceQuery, 'sort' | 'order'>): (a: TraceKeys, b: TraceKeys) => number {
  const dir = q.order === 'asc' ? 1 : -1;
  if (q.sort === 'duration') {
    return (a, b) => dir * (a.durationMs - b.durationMs || compareNanos(a.startTimeUnixNano, b.startTimeUnixNano) || cmpStr(a.traceId, b.traceId));
  }
  return (a, b) => dir * (compareNanos(a.startTimeUnixNano, b.startTimeUnixNano) || cmpStr(a.traceId, b.traceId));
}

/** Whether a trace row comes strictly after the cursor in the query's order (belongs to the next page). */
export function traceAfter(q: TraceQuery, row: TraceKeys): boolean {
  return q.after === undefined || compareTraceRows(q)(q.after, row) < 0;
}

/** Newest first: by timestamp, then exact time, then id (a total order, for stable pages). */
export function compareLogsNewestFirst(a: LogKeys, b: LogKeys): number {
  return b.timestamp - a.timestamp || compareNanos(b.timeUnixNano, a.timeUnixNano) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Whether a log comes strictly after the cursor, newest first. */
export function logAfter(after: LogCursor | undefined, log: LogKeys): boolean {
  return after === undefined || compareLogsNewestFirst(after, log) < 0;
}
