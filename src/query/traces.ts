/**
 * @module query/traces: derivations over one trace's spans, shared by every store:
 * the trace summary of GET /api/traces and the filters of TraceQuery.
 */
import type { Span, TraceSummary } from '../model/model.js';
import { durationBetweenMs } from '../model/value-rules.js';
import type { TraceQuery } from '../store/store.js';
import { attributeOf } from '../wire/wire-backed.js';

/** Nanosecond decimal string → milliseconds as a float (exact enough for display and ordering). */
export function nanosToMs(nanos: string): number {
  // Split to keep precision: a 19-digit number does not fit a double exactly.
  const n = nanos.length;
  if (n <= 15) return Number(nanos) / 1e6;
  return Number(nanos.slice(0, n - 6)) + Number(nanos.slice(n - 6)) / 1e6;
}

// The duration rule is the model's (normalise/ and wire/ give spans theirs by it); re-exported for
// the stores, compare/ and cli/ that take it from here.

/** Compares two non-negative decimal strings numerically. */
export function compareNanos(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The span a trace summary is named after: a real root (no parent) when there is one, else the
 * earliest span whose parent is not in the trace (the trace is incomplete: its root has not
 * arrived). Ties in start time (SDK start times are often whole milliseconds) go to the longer
 * span, which encloses the others. Undefined only for an empty list.
 */
export function findRoot(spans: readonly Span[]): Span | undefined {
  const ids = new Set<string>();
  for (const s of spans) ids.add(s.spanId);
  let root: Span | undefined;
  let rootIsReal = false;
  for (const s of spans) {
    if (s.parentSpanId !== null && ids.has(s.parentSpanId)) continue;
    const real = s.parentSpanId === null;
    if (root !== undefined) {
      if (rootIsReal && !real) continue;
      if (rootIsReal === real) {
        const c = compareNanos(s.startTimeUnixNano, root.startTimeUnixNano);
        if (c > 0 || (c === 0 && s.durationMs <= root.durationMs)) continue;
      }
    }
    root = s;
    rootIsReal = real;
  }
  return root ?? spans[0];
}

/** Whether no span of the trace is a root (every span has a parent id): its root is missing. */
export function isIncomplete(spans: readonly Span[]): boolean {
  for (const s of spans) if (s.parentSpanId === null) return false;
  return spans.length > 0;
}

/** Summarises a non-empty trace (CONTRACT §4 GET /api/traces row). */
export function summariseTrace(traceId: string, spans: readonly Span[]): TraceSummary {
  const root = findRoot(spans)!;
  let start = spans[0].startTimeUnixNano;
  let end = spans[0].endTimeUnixNano;
  let errorCount = 0;
  const services = new Set<string>();
  for (const s of spans) {
    if (compareNanos(s.startTimeUnixNano, start) < 0) start = s.startTimeUnixNano;
    if (compareNanos(s.endTimeUnixNano, end) > 0) end = s.endTimeUnixNano;
    if (s.status.code === 'ERROR') errorCount++;
    services.add(s.service);
  }
  return {
    traceId,
    rootName: root.name,
    rootService: root.service,
    startTimeUnixNano: start,
    durationMs: durationBetweenMs(start, end),
    spanCount: spans.length,
    errorCount,
    services: [...services].sort(),
    incomplete: isIncomplete(spans),
  };
}

/** Text form of an attribute value, for `attr=KEY=VALUE` equality. */
export function attrText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Whether a span or its resource has attribute `key` whose text (attrText) is `value`. */
export function spanHasAttribute(s: Span, key: string, value: string): boolean {
  // Decodes only that attribute when the span keeps its wire bytes.
  const v = attributeOf(s, key);
  if (v !== undefined && attrText(v) === value) return true;
  return Object.hasOwn(s.resource, key) && attrText(s.resource[key]) === value;
}

/** Whether the spans of one trace satisfy the span-level filters of a query (service, name, status, attr). */
export function traceMatchesSpans(spans: readonly Span[], q: TraceQuery): boolean {
  if (q.service !== undefined && !spans.some((s) => s.service === q.service)) return false;
  if (q.name !== undefined) {
    const needle = q.name.toLowerCase();
    if (!spans.some((s) => s.name.toLowerCase().includes(needle))) return false;
  }
  if (q.status !== undefined) {
    const hasError = spans.some((s) => s.status.code === 'ERROR');
    const hasOk = spans.some((s) => s.status.code === 'OK');
    if (q.status === 'error' && !hasError) return false;
    if (q.status === 'ok' && (hasError || !hasOk)) return false;
    if (q.status === 'unset' && (hasError || hasOk)) return false;
  }
  if (q.attr !== undefined) {
    const { key, value } = q.attr;
    const hit = spans.some((s) => spanHasAttribute(s, key, value));
    if (!hit) return false;
  }
  return true;
}

/** Whether a summary satisfies the summary-level filters (time range, durations). */
export function summaryMatches(t: TraceSummary, q: TraceQuery): boolean {
  if (q.minDurationMs !== undefined && t.durationMs < q.minDurationMs) return false;
  if (q.maxDurationMs !== undefined && t.durationMs > q.maxDurationMs) return false;
  if (q.start !== undefined || q.end !== undefined) {
    const startS = nanosToMs(t.startTimeUnixNano) / 1000;
    if (q.start !== undefined && startS < q.start) return false;
    if (q.end !== undefined && startS > q.end) return false;
  }
  return true;
}

/** Spans ordered by start time (then span id), as GET /api/traces/{id} returns them. */
export function sortSpans(spans: Span[]): Span[] {
  return spans.sort((a, b) => compareNanos(a.startTimeUnixNano, b.startTimeUnixNano) || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
}
