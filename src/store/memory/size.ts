/**
 * @module store/memory/size: cheap estimates of an item's encoded (JSON) size in bytes, for the
 * memory cap. A walk over the values, never a JSON.stringify; close enough to bound memory.
 */
import type { AttrValue, Attributes, LogRecord, MetricPoint, Scope, Span } from '../../model/model.js';
import { extrasBytes } from '../../model/otlp-extras.js';
import { encodedSizeOf, WireBacked } from '../../wire/wire-backed.js';

/** Fixed overhead of one stored span/log/point: keys, quotes, numbers and index entries. */
const SPAN_OVERHEAD = 320;
const LOG_OVERHEAD = 260;
const POINT_OVERHEAD = 64;
/** What a string costs besides its characters (its header), and one exemplar besides its strings (object, strings' headers). */
const STRING_OVERHEAD = 16;
const EXEMPLAR_OVERHEAD = 96;
const MAX_DEPTH = 16;

/** Approximate JSON size of one attribute value (strings count their UTF-16 length). */
export function valueBytes(v: AttrValue | undefined, depth = 0): number {
  if (typeof v === 'string') return v.length + 2;
  if (typeof v === 'number') return 8;
  if (typeof v === 'boolean') return 5;
  if (v === null || v === undefined) return 4;
  if (depth >= MAX_DEPTH) return 16;
  let n = 2;
  if (Array.isArray(v)) {
    for (const x of v) n += valueBytes(x, depth + 1) + 1;
    return n;
  }
  for (const k in v) n += k.length + 4 + valueBytes(v[k], depth + 1);
  return n;
}

/** Approximate JSON size of an attribute map. */
export function attributesBytes(attrs: Attributes): number {
  return valueBytes(attrs);
}

/** A scope's strings and attributes. */
function scopeSize(s: Scope): number {
  return s.name.length + s.version.length + (s.attributes ? attributesBytes(s.attributes) : 0)
    + (s.schemaUrl?.length ?? 0) + (s.resourceSchemaUrl?.length ?? 0);
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
        + s.traceId.length + s.spanId.length + (s.parentSpanId?.length ?? 0) + s.name.length + s.status.message.length;
      for (const l of s.links) n += 48 + l.traceId.length + l.spanId.length;
      return n;
    }
    let n = SPAN_OVERHEAD + s.traceId.length + s.spanId.length + (s.parentSpanId?.length ?? 0) + s.name.length
      + s.startTimeUnixNano.length + s.endTimeUnixNano.length + s.status.message.length + s.service.length
      + this.scopeBytes(s.scope) + attributesBytes(s.attributes) + this.resourceBytes(s.resource) + extrasBytes(s);
    for (const e of s.events) n += 48 + e.name.length + e.timeUnixNano.length + attributesBytes(e.attributes) + extrasBytes(e);
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
    return LOG_OVERHEAD + l.id.length + l.timeUnixNano.length + l.severityText.length + (l.traceId?.length ?? 0)
      + (l.spanId?.length ?? 0) + l.service.length + this.scopeBytes(l.scope)
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
    if (p.bucketCounts) n += p.bucketCounts.length * 8;
    if (p.explicitBounds) n += p.explicitBounds.length * 8;
    if (p.positive) n += 16 + p.positive.bucketCounts.length * 8;
    if (p.negative) n += 16 + p.negative.bucketCounts.length * 8;
    if (p.quantiles) n += p.quantiles.length * 24;
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
