/**
 * @module api/params: query strings of CONTRACT §4 → validated TraceQuery / LogQuery / TimeRange.
 * Fastify's JSON schemas check types; the rules below (enums in any case, clamping, attr=KEY=VALUE)
 * throw TinyOllyError('invalid') so every bad parameter answers 400 `{"error"}`.
 */
import { TinyOllyError } from '../errors.js';
import type { LogQuery, TimeRange, TraceQuery } from '../store/store.js';
import { parseLogCursor, parseTraceCursor } from './cursor.js';

// Numbers arrive as text and are parsed here (strictNumber, strictInteger), not by the schema's
// type coercion, which reads `0x10` as 16 and ` ` as 0 (CONTRACT §5: a limit that is not an
// integer is 400, and so are start/end that are not numbers).
const num = { type: 'string', maxLength: 64 } as const;
const int = num;
const str = { type: 'string', maxLength: 1024 } as const;

/** JSON schema of GET /api/traces. */
export const TRACES_QUERY_SCHEMA = {
  type: 'object',
  properties: {
    limit: int, service: str, name: str, min_duration_ms: num, max_duration_ms: num,
    status: str, attr: str, start: num, end: num, sort: str, order: str, cursor: str,
  },
} as const;

/** JSON schema of GET /api/logs. */
export const LOGS_QUERY_SCHEMA = {
  type: 'object',
  properties: { trace_id: str, span_id: str, service: str, severity: str, q: str, start: num, end: num, limit: int, cursor: str },
} as const;

/** JSON schema of GET /api/metrics. */
export const METRICS_QUERY_SCHEMA = {
  type: 'object',
  properties: { limit: int, cursor: str },
} as const;

/** JSON schema of GET /api/traces/{id}: a page of the trace's spans. */
export const TRACE_SPANS_QUERY_SCHEMA = {
  type: 'object',
  properties: { limit: int, cursor: { type: 'string', maxLength: 32 } },
} as const;

/** Spans in one answer of GET /api/traces/{id} by default and at most (a bigger trace is paged). */
export const MAX_SPANS_PER_PAGE = 10_000;

/**
 * GET /api/traces/{id} parameters → offset and count: `limit` clamped to 1..MAX_SPANS_PER_PAGE
 * (default the maximum), `cursor` the `nextCursor` of the previous page (the offset as decimal text).
 */
export function toSpanPage(q: Record<string, unknown>): { offset: number; limit: number } {
  const limit = strictInteger('limit', q.limit);
  const cursor = q.cursor === undefined || q.cursor === '' ? undefined : q.cursor;
  if (cursor !== undefined && (typeof cursor !== 'string' || !/^\d{1,15}$/.test(cursor))) throw new TinyOllyError('invalid', 'cursor must be a nextCursor of this route');
  return {
    offset: cursor === undefined ? 0 : Number(cursor),
    limit: limit === undefined ? MAX_SPANS_PER_PAGE : Math.min(MAX_SPANS_PER_PAGE, Math.max(1, limit)),
  };
}

/** JSON schema of GET /api/metrics/{name}. */
export const RANGE_QUERY_SCHEMA = {
  type: 'object',
  properties: { start: num, end: num },
} as const;

const SEVERITIES: Record<string, number> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/**
 * A decimal number parameter (`1700000000.5`, `-3`, `1e3`); undefined when absent or empty.
 * Throws TinyOllyError('invalid') for anything else (hex, blanks, `NaN`, `Infinity`, out of range).
 */
export function strictNumber(name: string, v: unknown): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'string' && DECIMAL.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new TinyOllyError('invalid', `${name} must be a decimal number`);
  return n;
}

/** An integer parameter; undefined when absent or empty. Throws TinyOllyError('invalid') for anything else. */
export function strictInteger(name: string, v: unknown): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !INTEGER.test(v)) throw new TinyOllyError('invalid', `${name} must be an integer`);
  return Number(v);
}

/** Clamps a list limit into 1..1000. */
export function clampLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  return Math.min(1000, Math.max(1, limit));
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  const lower = v.toLowerCase() as T;
  if (!allowed.includes(lower)) throw new TinyOllyError('invalid', `${name} must be one of ${allowed.join(', ')}`);
  return lower;
}

/** Builds the time range from `start`/`end` (unix seconds), refusing anything that is not a number. */
export function toRange(q: Record<string, unknown>): TimeRange {
  return { start: strictNumber('start', q.start), end: strictNumber('end', q.end) };
}

/** GET /api/traces parameters → TraceQuery. */
export function toTraceQuery(q: Record<string, unknown>): TraceQuery {
  let attr: TraceQuery['attr'];
  if (typeof q.attr === 'string') {
    const eq = q.attr.indexOf('=');
    if (eq <= 0) throw new TinyOllyError('invalid', 'attr must be KEY=VALUE');
    attr = { key: q.attr.slice(0, eq), value: q.attr.slice(eq + 1) };
  }
  const blank = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const sort = oneOf('sort', blank(q.sort), ['start', 'duration'] as const) ?? 'start';
  const order = oneOf('order', blank(q.order), ['desc', 'asc'] as const) ?? 'desc';
  const cursor = blank(q.cursor);
  return {
    ...toRange(q),
    limit: clampLimit(strictInteger('limit', q.limit), 50),
    after: cursor === undefined ? undefined : parseTraceCursor({ sort, order }, cursor),
    service: blank(q.service),
    name: blank(q.name),
    minDurationMs: strictNumber('min_duration_ms', q.min_duration_ms),
    maxDurationMs: strictNumber('max_duration_ms', q.max_duration_ms),
    status: oneOf('status', blank(q.status), ['error', 'ok', 'unset'] as const),
    attr,
    sort,
    order,
  };
}

/** GET /api/logs parameters → LogQuery. */
export function toLogQuery(q: Record<string, unknown>): LogQuery {
  const blank = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const severity = blank(q.severity);
  let minSeverity: number | undefined;
  if (severity !== undefined) {
    minSeverity = SEVERITIES[severity.toUpperCase()];
    if (minSeverity === undefined) throw new TinyOllyError('invalid', `severity must be one of ${Object.keys(SEVERITIES).join(', ')}`);
  }
  return {
    ...toRange(q),
    limit: clampLimit(strictInteger('limit', q.limit), 100),
    after: blank(q.cursor) === undefined ? undefined : parseLogCursor(q.cursor as string),
    traceId: blank(q.trace_id)?.toLowerCase(),
    spanId: blank(q.span_id)?.toLowerCase(),
    service: blank(q.service),
    minSeverity,
    q: blank(q.q),
  };
}
