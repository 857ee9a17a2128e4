/**
 * @module test/helpers/otlp-canonical: OTLP/JSON export requests in a form two equivalent requests
 * share, to compare what was sent with what an export gives back. Each item (span, log record, metric
 * point) becomes one row with its resource, scope and schema URLs (so regrouping does not matter),
 * rows sorted. Spellings the proto3 JSON mapping allows both of are made one: int64 as decimal
 * strings (from strings, numbers or protobufjs longs), enum names as numbers, attribute lists sorted
 * by key, fields at their default value left out. Presence that means something is kept: the oneof
 * members (`asInt` vs `asDouble`, an AnyValue's type) and the proto3-optional `sum`/`min`/`max`.
 */

/** Fields holding (u)int64 values, or arrays of them. */
const INT64 = new Set([
  'timeUnixNano', 'startTimeUnixNano', 'endTimeUnixNano', 'observedTimeUnixNano', 'count', 'zeroCount', 'asInt', 'intValue', 'bucketCounts',
]);
/** Fields whose presence is meaningful even at their default value. */
const KEEP = new Set(['asInt', 'asDouble', 'stringValue', 'intValue', 'doubleValue', 'boolValue', 'bytesValue', 'sum', 'min', 'max', 'arrayValue', 'kvlistValue']);
/** KeyValue lists (sorted by key: their order carries nothing). */
const KEY_VALUES = new Set(['attributes', 'filteredAttributes']);
const ENUMS: Record<string, Record<string, number>> = {
  aggregationTemporality: { AGGREGATION_TEMPORALITY_UNSPECIFIED: 0, AGGREGATION_TEMPORALITY_DELTA: 1, AGGREGATION_TEMPORALITY_CUMULATIVE: 2 },
  kind: { SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5 },
  code: { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 },
};

function int64(v: unknown): unknown {
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const { low, high, unsigned } = v as { low: number; high: number; unsigned?: boolean };
    const big = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
    return String(unsigned ? big : BigInt.asIntN(64, big));
  }
  return typeof v === 'number' || typeof v === 'string' ? String(BigInt(v)) : v;
}

function isDefault(v: unknown): boolean {
  if (v === undefined || v === null || v === 0 || v === '0' || v === '' || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

/** One OTLP/JSON value in canonical form (`key` is the field it sits in). */
export function canonical(v: unknown, key = ''): unknown {
  if (INT64.has(key)) return Array.isArray(v) ? v.map(int64) : int64(v);
  if (ENUMS[key] && typeof v === 'string') return ENUMS[key][v] ?? v;
  if (Array.isArray(v)) {
    const out = v.map((x) => canonical(x));
    if (KEY_VALUES.has(key) || key === 'values') {
      const kv = out as { key?: string }[];
      if (kv.every((x) => x && typeof x === 'object' && typeof x.key === 'string')) kv.sort((a, b) => (a.key! < b.key! ? -1 : a.key! > b.key! ? 1 : 0));
    }
    return out;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      // The JS SDK repeats the resource's schema URL inside the resource (not an OTLP field).
      if (key === 'resource' && (k === 'schemaUrl' || k === 'droppedAttributesCount')) continue;
      const c = canonical((v as Record<string, unknown>)[k], k);
      if (KEEP.has(k) ? c === undefined : isDefault(c)) continue;
      out[k] = c;
    }
    return out;
  }
  return v;
}

type Json = Record<string, any>;

const ITEMS = {
  resourceSpans: ['scopeSpans', 'spans'],
  resourceLogs: ['scopeLogs', 'logRecords'],
  resourceMetrics: ['scopeMetrics', 'metrics'],
} as const;
const POINT_KINDS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

/** The rows of one export request (or several): one per span, log record or metric point, sorted. */
export function canonicalRows(...requests: Json[]): string[] {
  const rows: string[] = [];
  for (const req of requests) {
    for (const [top, [scopeKey, itemKey]] of Object.entries(ITEMS)) {
      for (const r of req[top] ?? []) {
        const context = { resource: canonical(r.resource ?? {}, 'resource'), resourceSchemaUrl: r.schemaUrl || undefined };
        for (const s of r[scopeKey] ?? []) {
          const scope = { ...context, scope: canonical(s.scope ?? {}), scopeSchemaUrl: s.schemaUrl || undefined };
          for (const item of s[itemKey] ?? []) {
            if (top !== 'resourceMetrics') { rows.push(JSON.stringify({ ...scope, [itemKey]: canonical(item) })); continue; }
            const kind = POINT_KINDS.find((k) => item[k]);
            if (!kind) continue;
            const { dataPoints = [], ...data } = item[kind];
            const metric = canonical({ name: item.name, unit: item.unit, description: item.description, [kind]: data });
            for (const p of dataPoints) rows.push(JSON.stringify({ ...scope, metric, point: canonical(p) }));
          }
        }
      }
    }
  }
  return rows.sort();
}

/** The rows of a JSONL export (one request per line). */
export function canonicalRowsOfJsonl(text: string): string[] {
  return canonicalRows(...text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Json));
}
