/**
 * @module test/helpers/model-items: normalised spans and log records (the model of CONTRACT §3) for
 * store-level tests, with every field filled and the given ones overriding.
 */
import type { LogRecord, Span } from '../../src/model/model.js';

/** Nanoseconds (decimal string) of a time in ms, fractions kept to the microsecond. */
export function nanosOfMs(ms: number): string {
  return String(BigInt(Math.round(ms * 1000)) * 1000n);
}

/** A span lasting 1 ms from `startMs` (unix ms); `service` also names its resource. */
export function modelSpan(o: Partial<Span> & { startMs: number }): Span {
  const { startMs, ...rest } = o;
  const service = rest.service ?? 'svc';
  return {
    traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), parentSpanId: null, name: 'op', kind: 'INTERNAL',
    startTimeUnixNano: nanosOfMs(startMs), endTimeUnixNano: nanosOfMs(startMs + 1), durationMs: 1,
    status: { code: 'UNSET', message: '' }, service, attributes: {}, resource: { 'service.name': service },
    scope: { name: 'test', version: '' }, events: [], links: [],
    ...rest,
  };
}

/** An INFO log record at `timeMs` (unix ms). */
export function modelLog(o: Partial<LogRecord> & { id: string; timeMs: number }): LogRecord {
  const { timeMs, ...rest } = o;
  return {
    timeUnixNano: nanosOfMs(timeMs), timestamp: timeMs / 1000, severityText: 'INFO', severityNumber: 9, body: '',
    traceId: null, spanId: null, service: 'svc', attributes: {}, resource: {}, scope: { name: 'test', version: '' },
    ...rest,
  };
}
