/**
 * @module store/memory/size: cheap estimates of an item's encoded (JSON) size in bytes, for the
 * memory cap. A walk over the values, never a JSON.stringify; close enough to bound memory.
 */
import type { AttrValue, Attributes, LogRecord, MetricPoint, Scope, Span } from '../../model/model.js';
import { extrasBytes } from '../../model/otlp-extras.js';
import { encodedSizeOf, WireBacked } from '../../wire/wire-backed.js';

/**
 * Fixed overhead of one stored span/log/point on the heap: its object, its id and time strings, its
 * slots in the indexes and the FIFO. Measured with bench/in-process/store-heap.ts (heap after a full
 * GC over the count): a protobuf span in a shared trace keeps ~250 B more than 320 counted, a metric
 * point ~210 B where 64 were counted.
 */
const SPAN_OVERHEAD = 560;
const LOG_OVERHEAD = 260;
const POINT_OVERHEAD = 144;
/** What an array costs besides its elements (its object and its backing store's header). */
const ARRAY_OVERHEAD = 48;
/** A number field that is not a small integer: a heap number of its own. */
const NUMBER_BYTES = 16;
/** What a string costs besides its characters (its header), and one exemplar besides its strings (object, strings' headers). */
const STRING_OVERHEAD = 16;
const EXEMPLAR_OVERHEAD = 96;
const MAX_DEPTH = 16;

/** A character outside Latin-1: V8 then keeps the whole string two bytes a character. */
const NOT_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * What a string's characters cost on the heap: one byte each while every one is Latin-1, else two.
 * A value cut by the length limit ends in "…" (U+2026), so it is always two-byte: a cut 150 KB
 * scope name keeps 8 KB, not the 4 KB its length says.
 */
export function charBytes(s: string): number {
  if (s.length === 0) return 0;
  if (s.charCodeAt(s.length - 1) === 0x2026 || NOT_LATIN1.test(s)) return 2 * s.length;
  return s.length;
}

/** Approximate size of one attribute value (strings count their heap bytes, see charBytes). */
export function valueBytes(v: AttrValue | undefined, depth = 0): number {
  if (typeof v === 'string') return charBytes(v) + 2;
  if (typeof v === 'number') return 8;
  if (typeof v === 'boolean') return 5;
  if (v === null || v === undefined) return 4;
  if (depth >= MAX_DEPTH) return 16;
  let n = 2;
  if (Array.isArray(v)) {
    for (const x of v) n += valueBytes(x, depth + 1) + 1;
    return n;
  }
  for (const k in v) n += charBytes(k) + 4 + valueBytes(v[k], depth + 1);
  return n;
}

/** Approximate JSON size of an attribute map. */
export function attributesBytes(attrs: Attributes): number {
  return valueBytes(attrs);
}

/** A scope's strings and attributes. */
function scopeSize(s: Scope): number {
  return charBytes(s.name) + charBytes(s.version) + (s.attributes ? attributesBytes(s.attributes) : 0)
    + charBytes(s.schemaUrl ?? '') + charBytes(s.resourceSchemaUrl ?? '');
}

/** Estimates spans, remembering the last resource map seen (a batch usually shares one). */
export class SizeEstimator {
  private lastResource: Attributes | undefined;
  private lastResourceBytes = 0;
  private lastScope: Scope | undefined;
  private lastScopeBytes = 0;

  /** A scope's strings (kept apart from a protobuf item's wire bytes, shared by a batch's items). */
  private scopeBytes(s: Scope): number {
    if (s !== this.lastScope) {
      this.lastScope = s;
      this.lastScopeBytes = scopeSize(s);
    }
    return this.lastScopeBytes;
  }

  private resourceBytes(r: Attributes): number {
    if (r !== this.lastResource) {
      this.lastResource = r;
      this.lastResourceBytes = attributesBytes(r);
    }
    return this.lastResourceBytes;
  }

  /** Encoded size of one span: its wire size when it carries one, else an estimate of its JSON. */
  span(s: Span): number {
    const wire = encodedSizeOf(s);
    if (wire !== undefined) {
      // Ids are kept as hex strings besides the wire bytes (twice their size), and so are the links' ids.
      let n = SPAN_OVERHEAD + wire + this.resourceBytes(s.resource) + this.scopeBytes(s.scope)
        + s.traceId.length + s.spanId.length + (s.parentSpanId?.length ?? 0) + charBytes(s.name) + charBytes(s.status.message);
      for (const l of s.links) n += 48 + l.traceId.length + l.spanId.length;
      return n;
    }
    let n = SPAN_OVERHEAD + s.traceId.length + s.spanId.length + (s.parentSpanId?.length ?? 0) + charBytes(s.name)
      + s.startTimeUnixNano.length + s.endTimeUnixNano.length + charBytes(s.status.message) + charBytes(s.service)
      + this.scopeBytes(s.scope) + attributesBytes(s.attributes) + this.resourceBytes(s.resource) + extrasBytes(s);
    for (const e of s.events) n += 48 + charBytes(e.name) + e.timeUnixNano.length + attributesBytes(e.attributes) + extrasBytes(e);
    for (const l of s.links) n += 48 + l.traceId.length + l.spanId.length + attributesBytes(l.attributes) + extrasBytes(l);
    return n;
  }

  /** Approximate encoded size of one log record. */
  log(l: LogRecord): number {
    const wire = encodedSizeOf(l);
    if (wire !== undefined) {
      return LOG_OVERHEAD + l.id.length + wire + this.resourceBytes(l.resource) + this.scopeBytes(l.scope)
        + (l.traceId?.length ?? 0) + (l.spanId?.length ?? 0) + valueBytes(l.body);
    }
    return LOG_OVERHEAD + l.id.length + l.timeUnixNano.length + charBytes(l.severityText) + (l.traceId?.length ?? 0)
      + (l.spanId?.length ?? 0) + charBytes(l.service) + this.scopeBytes(l.scope)
      + valueBytes(l.body) + attributesBytes(l.attributes) + this.resourceBytes(l.resource) + extrasBytes(l);
  }

  /** Approximate encoded size of one metric point (its series' labels counted with it, as OTLP sends them). */
  point(p: MetricPoint, labelsBytes: number): number {
    let n = POINT_OVERHEAD + labelsBytes;
    // Strings held by the point: a V8 string header plus its characters.
    if (p.timeUnixNano !== undefined) n += STRING_OVERHEAD + p.timeUnixNano.length;
    if (p.startTimeUnixNano !== undefined) n += STRING_OVERHEAD + p.startTimeUnixNano.length;
    if (p.asInt !== undefined) n += STRING_OVERHEAD + p.asInt.length;
    if (p.flags !== undefined) n += 8;
    if (p.zeroThreshold !== undefined) n += 8;
    if (p.exemplars) {
      for (const e of p.exemplars) {
        n += EXEMPLAR_OVERHEAD + e.timeUnixNano.length + (e.asInt?.length ?? 0) + (e.traceId?.length ?? 0) + (e.spanId?.length ?? 0);
        if (e.filteredAttributes) n += attributesBytes(e.filteredAttributes);
      }
    }
    if (p.count !== undefined) n += NUMBER_BYTES;
    if (p.sum !== undefined) n += NUMBER_BYTES;
    if (p.min !== undefined) n += NUMBER_BYTES;
    if (p.max !== undefined) n += NUMBER_BYTES;
    if (p.bucketCounts) n += ARRAY_OVERHEAD + p.bucketCounts.length * 8;
    if (p.explicitBounds) n += ARRAY_OVERHEAD + p.explicitBounds.length * 8;
    if (p.positive) n += 16 + ARRAY_OVERHEAD + p.positive.bucketCounts.length * 8;
    if (p.negative) n += 16 + ARRAY_OVERHEAD + p.negative.bucketCounts.length * 8;
    if (p.quantiles) n += ARRAY_OVERHEAD + p.quantiles.length * 24;
    return n;
  }
}

/** Buffers smaller than this are kept whole whatever else they hold. */
const KEEP_WHOLE_BYTES = 64 * 1024;

/**
 * When only some items of a request are kept (the rest were duplicates), the kept ones may pin a
 * request buffer mostly made of bytes nobody counts: past twice what they count, they move to a
 * buffer of their own. The memory cap then bounds what the store really holds.
 */
export function compactKept(items: readonly unknown[]): void {
  let total = 0;
  const buffers = new Set<ArrayBufferLike>();
  let held = 0;
  for (const it of items) {
    if (!(it instanceof WireBacked)) continue;
    const b = it.wireBytes();
    total += b.length;
    if (!buffers.has(b.buffer)) {
      buffers.add(b.buffer);
      held += b.buffer.byteLength;
    }
  }
  if (held <= KEEP_WHOLE_BYTES || held <= 2 * total) return;
  const into = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const it of items) if (it instanceof WireBacked) at = it.moveTo(into, at);
}
