/**
 * @module api/cursor: the opaque `cursor`/`nextCursor` strings of CONTRACT §7 ↔ the stores' keyset
 * positions (TraceCursor, LogCursor, a metric name). A cursor names the last row of a page and the
 * order it was taken in; one built for another order or list is refused (400), never misread.
 */
import { TinyOllyError } from '../errors.js';
import type { LogRecord, MetricSummary, TraceSummary } from '../model/model.js';
import type { LogCursor, TraceCursor, TraceQuery } from '../store/store.js';

const MAX_CURSOR_CHARS = 1024;
const NANOS = /^\d{1,30}$/;

function encode(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

function invalid(): never {
  throw new TinyOllyError('invalid', 'cursor is not a nextCursor of this list (pass it back unchanged, with the same sort)');
}

function decode(kind: string, cursor: string): unknown[] {
  if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) invalid();
  let parts: unknown;
  try { parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')); } catch { invalid(); }
  if (!Array.isArray(parts) || parts[0] !== kind) invalid();
  return parts as unknown[];
}

/** The nextCursor after a trace row, for this query's order. */
export function traceCursorOf(q: Pick<TraceQuery, 'sort' | 'order'>, t: TraceSummary): string {
  return encode(['t', q.sort, q.order, t.durationMs, t.startTimeUnixNano, t.traceId]);
}

/** Parses a traces cursor taken with the same sort and order; throws TinyOllyError('invalid') otherwise. */
export function parseTraceCursor(q: Pick<TraceQuery, 'sort' | 'order'>, cursor: string): TraceCursor {
  const [, sort, order, durationMs, startTimeUnixNano, traceId] = decode('t', cursor);
  if (sort !== q.sort || order !== q.order) invalid();
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs)) invalid();
  if (typeof startTimeUnixNano !== 'string' || !NANOS.test(startTimeUnixNano) || typeof traceId !== 'string') invalid();
  return { durationMs: durationMs as number, startTimeUnixNano: startTimeUnixNano as string, traceId: traceId as string };
}

/** The nextCursor after a log record. */
export function logCursorOf(l: LogRecord): string {
  return encode(['l', l.timestamp, l.timeUnixNano, l.id]);
}

/** Parses a logs cursor; throws TinyOllyError('invalid') for anything else. */
export function parseLogCursor(cursor: string): LogCursor {
  const [, timestamp, timeUnixNano, id] = decode('l', cursor);
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) invalid();
  if (typeof timeUnixNano !== 'string' || !NANOS.test(timeUnixNano) || typeof id !== 'string') invalid();
  return { timestamp: timestamp as number, timeUnixNano: timeUnixNano as string, id: id as string };
}

/** The nextCursor after a metric (the list is sorted by name). */
export function metricCursorOf(m: MetricSummary): string {
  return encode(['m', m.name]);
}

/** Parses a metrics cursor: the name after which the page starts. */
export function parseMetricCursor(cursor: string): string {
  const [, name] = decode('m', cursor);
  if (typeof name !== 'string') invalid();
  return name as string;
}

/**
 * One page out of `limit + 1` rows asked of a store: the first `limit`, and the cursor after the
 * last of them when a further row exists (null at the end).
 */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => string): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: cursorOf(items[items.length - 1]) };
}
