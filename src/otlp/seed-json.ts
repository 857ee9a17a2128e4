/**
 * @module otlp/seed-json: the original TinyOlly simple JSON (CONTRACT §2.3) → the same decoded
 * OTLP request shapes as OTLP/JSON, so one normaliser serves both. Items that are not objects are
 * counted as rejected here.
 */
import type {
  OtlpAnyValue, OtlpKeyValue, OtlpLogRecord, OtlpLogsRequest, OtlpMetric, OtlpMetricsRequest, OtlpSpan,
  OtlpTracesRequest,
} from '../normalise/otlp-types.js';
import { PlainJson } from '../normalise/attributes.js';
import { secondsToNanos } from '../wire/values.js';

/** A decoded request plus the number of seed items that were not objects. */
export interface SeedDecoded<T> {
  request: T;
  items: number;
  rejected: number;
}

const SEED_SEVERITY: Record<string, number> = {
  DEBUG: 5, INFO: 9, WARN: 13, WARNING: 13, ERROR: 17, FATAL: 21, CRITICAL: 21,
};

/**
 * A plain JSON value → AnyValue. The value is wrapped, not converted: the normaliser converts it
 * under the §6 limits (normalise/attributes.ts PlainJson), so a huge map or array costs what is kept.
 */
export function toAnyValue(v: unknown): OtlpAnyValue {
  if (typeof v === 'string') return { stringValue: v };
  return new PlainJson(v) as unknown as OtlpAnyValue;
}

/** A flat `{key: value}` map (or an OTLP KeyValue list, passed through) → KeyValue list, converted by the normaliser under the limits. */
export function toKeyValues(map: unknown): OtlpKeyValue[] {
  if (Array.isArray(map)) return map as OtlpKeyValue[];
  if (typeof map !== 'object' || map === null) return [];
  return new PlainJson(map) as unknown as OtlpKeyValue[];
}

function asItems(doc: unknown): unknown[] {
  return Array.isArray(doc) ? doc : [doc];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : typeof x === 'number' ? String(x) : undefined;
}

function nanos(x: unknown): string | number | undefined {
  return typeof x === 'string' || typeof x === 'number' ? x : undefined;
}

function seconds(x: unknown): string {
  const n = typeof x === 'number' ? x : typeof x === 'string' ? Number(x) : NaN;
  return Number.isFinite(n) ? secondsToNanos(n) : '0';
}

/** Groups items by service into one resource each. */
function byService<T>(items: { service: string; item: T }[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const { service, item } of items) {
    let list = groups.get(service);
    if (!list) groups.set(service, (list = []));
    list.push(item);
  }
  return groups;
}

function resourceFor(service: string) {
  return { attributes: [{ key: 'service.name', value: { stringValue: service } }] };
}

/** Seed spans (one object or an array) → OtlpTracesRequest. Simple spans are INTERNAL with status UNSET. */
export function decodeSeedTraces(doc: unknown): SeedDecoded<OtlpTracesRequest> {
  const items = asItems(doc);
  let rejected = 0;
  const spans: { service: string; item: OtlpSpan }[] = [];
  for (const x of items) {
    if (!isObject(x)) { rejected++; continue; }
    spans.push({
      service: str(x.service) || 'unknown_service',
      item: {
        traceId: str(x.traceId ?? x.trace_id),
        spanId: str(x.spanId ?? x.span_id),
        parentSpanId: str(x.parentSpanId ?? x.parent_span_id),
        name: str(x.name) ?? '',
        kind: 1,
        startTimeUnixNano: nanos(x.startTimeUnixNano),
        endTimeUnixNano: nanos(x.endTimeUnixNano),
        attributes: toKeyValues(x.attributes),
      },
    });
  }
  const resourceSpans = [...byService(spans)].map(([service, list]) => ({
    resource: resourceFor(service),
    scopeSpans: [{ scope: null, spans: list }],
  }));
  return { request: { resourceSpans }, items: items.length, rejected };
}

/** Seed logs → OtlpLogsRequest (`message` → body, `severity` upper-cased with its number). */
export function decodeSeedLogs(doc: unknown): SeedDecoded<OtlpLogsRequest> {
  const items = asItems(doc);
  let rejected = 0;
  const logs: { service: string; item: OtlpLogRecord }[] = [];
  for (const x of items) {
    if (!isObject(x)) { rejected++; continue; }
    const severity = (str(x.severity) ?? '').toUpperCase();
    logs.push({
      service: str(x.service) || 'unknown_service',
      item: {
        timeUnixNano: seconds(x.timestamp),
        observedTimeUnixNano: secondsToNanos(Date.now() / 1000),
        severityText: severity,
        severityNumber: SEED_SEVERITY[severity] ?? 0,
        body: toAnyValue(x.message ?? ''),
        traceId: str(x.trace_id ?? x.traceId),
        spanId: str(x.span_id ?? x.spanId),
        attributes: toKeyValues(x.attributes),
      },
    });
  }
  const resourceLogs = [...byService(logs)].map(([service, list]) => ({
    resource: resourceFor(service),
    scopeLogs: [{ scope: null, logRecords: list }],
  }));
  return { request: { resourceLogs }, items: items.length, rejected };
}

/** Seed metrics → OtlpMetricsRequest: each becomes a gauge point. */
export function decodeSeedMetrics(doc: unknown): SeedDecoded<OtlpMetricsRequest> {
  const items = asItems(doc);
  let rejected = 0;
  const metrics: { service: string; item: OtlpMetric }[] = [];
  for (const x of items) {
    if (!isObject(x)) { rejected++; continue; }
    const value = typeof x.value === 'number' ? x.value : typeof x.value === 'string' ? Number(x.value) : NaN;
    metrics.push({
      service: str(x.service) || 'unknown_service',
      item: {
        name: str(x.name) ?? '',
        description: str(x.description) ?? '',
        unit: str(x.unit) ?? '',
        gauge: {
          dataPoints: [{
            attributes: toKeyValues(x.labels ?? x.attributes),
            timeUnixNano: seconds(x.timestamp),
            asDouble: value,
          }],
        },
      },
    });
  }
  const resourceMetrics = [...byService(metrics)].map(([service, list]) => ({
    resource: resourceFor(service),
    scopeMetrics: [{ scope: null, metrics: list }],
  }));
  return { request: { resourceMetrics }, items: items.length, rejected };
}
