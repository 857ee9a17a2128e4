/**
 * @module normalise/traces-protobuf: the hot path. Reads an ExportTraceServiceRequest's protobuf
 * bytes straight into model Spans, fusing decode and normalise: no intermediate message objects,
 * no Long objects. Its output must equal normaliseTraces(decodeTracesProtobuf(bytes)) exactly; the
 * protocol goldens and a differential test pin that. Field numbers: opentelemetry-proto trace.proto.
 */
import type { AttrValue, Attributes, Scope, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../model/model.js';
import { int64Value } from '../otlp/values.js';
import { WireReader } from '../otlp/wire.js';
import { cut, jsonNumber, serviceName } from './attributes.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { durationMs } from './traces.js';

const KINDS: SpanKind[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS: StatusCode[] = ['UNSET', 'OK', 'ERROR'];

/** Sets a key without ever touching the prototype (a key may be "__proto__"). */
function setKey(obj: Attributes, key: string, value: AttrValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** AnyValue (common.proto): 1 string, 2 bool, 3 int64, 4 double, 5 array, 6 kvlist, 7 bytes. */
export function readAnyValue(r: WireReader, end: number, o: NormaliseOptions, depth: number): AttrValue {
  let value: AttrValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: value = cut(r.string(), o.maxAttributeLength); break;
      case 16: value = r.uint32() !== 0; break;
      case 24: {
        r.varint64();
        value = r.hi < 0x200000 ? r.hi * 4294967296 + r.lo : int64Value({ low: r.lo | 0, high: r.hi | 0, unsigned: false });
        break;
      }
      case 33: value = jsonNumber(r.double()); break;
      case 42: {
        const e = r.delimitedEnd();
        if (depth >= o.maxDepth) { r.pos = e; value = null; break; }
        const out: AttrValue[] = [];
        while (r.pos < e) {
          const t = r.uint32();
          if (t === 10) {
            const ve = r.delimitedEnd();
            if (out.length < o.maxAttributes) out.push(readAnyValue(r, ve, o, depth + 1));
            r.pos = ve;
          } else r.skip(t & 7);
        }
        value = out;
        break;
      }
      case 50: {
        const e = r.delimitedEnd();
        if (depth >= o.maxDepth) { r.pos = e; value = null; break; }
        value = readKeyValues(r, e, o, depth + 1, false, 1);
        break;
      }
      case 58: value = r.base64(); break;
      default: r.skip(tag & 7);
    }
  }
  r.pos = end;
  return value;
}

/**
 * Reads the repeated KeyValue field `fieldNo` of a message spanning up to `end` into flat
 * attributes (same limits as normalise/attributes.ts `attributes`). Other fields are skipped.
 */
function readKeyValues(r: WireReader, end: number, o: NormaliseOptions, depth: number, keepServiceName: boolean, fieldNo: number): Attributes {
  const out: Attributes = {};
  const want = (fieldNo << 3) | 2;
  let kept = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== want) { r.skip(tag & 7); continue; }
    const kvEnd = r.delimitedEnd();
    readKeyValueInto(r, kvEnd, o, depth, keepServiceName, out, kept) && kept++;
    r.pos = kvEnd;
  }
  return out;
}

/** Reads one KeyValue into `out`; returns whether it counted towards the attribute limit. */
function readKeyValueInto(r: WireReader, end: number, o: NormaliseOptions, depth: number, keepServiceName: boolean, out: Attributes, kept: number): boolean {
  let key = '';
  let valueStart = -1;
  let valueEnd = -1;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) key = r.string();
    else if (tag === 18) { valueEnd = r.delimitedEnd(); valueStart = r.pos; r.pos = valueEnd; }
    else r.skip(tag & 7);
  }
  if (kept >= o.maxAttributes && !(keepServiceName && key === 'service.name')) return false;
  let value: AttrValue = null;
  if (valueStart >= 0) {
    const save = r.pos;
    r.pos = valueStart;
    value = readAnyValue(r, valueEnd, o, depth);
    r.pos = save;
  }
  setKey(out, key, value);
  return kept < o.maxAttributes;
}

/** Attributes of a message whose KeyValue field is `fieldNo`, for a message spanning [start, end). */
function attributesAt(r: WireReader, start: number, end: number, o: NormaliseOptions, fieldNo: number, keepServiceName = false): Attributes {
  const save = r.pos;
  r.pos = start;
  const a = readKeyValues(r, end, o, 0, keepServiceName, fieldNo);
  r.pos = save;
  return a;
}

/** Span.Event: 1 time fixed64, 2 name, 3 attributes. */
function readEvent(r: WireReader, end: number, o: NormaliseOptions): SpanEvent {
  let name = '';
  let time = '0';
  let attributes: Attributes | undefined;
  const start = r.pos;
  let hasAttrs = false;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 9) time = r.fixed64Decimal();
    else if (tag === 18) name = r.string();
    else if (tag === 26) { hasAttrs = true; r.pos = r.delimitedEnd(); }
    else r.skip(tag & 7);
  }
  attributes = hasAttrs ? attributesAt(r, start, end, o, 3) : {};
  return { name: cut(name, o.maxAttributeLength), timeUnixNano: time, attributes };
}

/** Span.Link: 1 trace_id, 2 span_id, 4 attributes. */
function readLink(r: WireReader, end: number, o: NormaliseOptions): SpanLink {
  let traceId = '';
  let spanId = '';
  const start = r.pos;
  let hasAttrs = false;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) traceId = r.hex();
    else if (tag === 18) spanId = r.hex();
    else if (tag === 34) { hasAttrs = true; r.pos = r.delimitedEnd(); }
    else r.skip(tag & 7);
  }
  return { traceId, spanId, attributes: hasAttrs ? attributesAt(r, start, end, o, 4) : {} };
}

/** One Span (trace.proto); undefined when it lacks trace or span id. */
function readSpan(r: WireReader, end: number, service: string, resource: Attributes, scope: Scope, o: NormaliseOptions): Span | undefined {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let kind = 0;
  let start = '0';
  let finish = '0';
  let startLo = 0, startHi = 0, endLo = 0, endHi = 0;
  let statusCode = 0;
  let statusMessage = '';
  const spanStart = r.pos;
  let hasAttrs = false;
  const events: SpanEvent[] = [];
  const links: SpanLink[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: traceId = r.hex(); break;
      case 18: spanId = r.hex(); break;
      case 34: parentSpanId = r.hex(); break;
      case 42: name = r.string(); break;
      case 48: kind = r.uint32() | 0; break;
      case 57: start = r.fixed64Decimal(); startLo = r.lo; startHi = r.hi; break;
      case 65: finish = r.fixed64Decimal(); endLo = r.lo; endHi = r.hi; break;
      case 74: hasAttrs = true; r.pos = r.delimitedEnd(); break;
      case 90: {
        const e = r.delimitedEnd();
        if (events.length < o.maxEvents) events.push(readEvent(r, e, o));
        r.pos = e;
        break;
      }
      case 106: {
        const e = r.delimitedEnd();
        if (links.length < o.maxLinks) links.push(readLink(r, e, o));
        r.pos = e;
        break;
      }
      case 122: {
        const e = r.delimitedEnd();
        // A repeated non-repeated message field replaces the earlier one (as protobufjs decodes it).
        statusCode = 0;
        statusMessage = '';
        while (r.pos < e) {
          const t = r.uint32();
          if (t === 18) statusMessage = r.string();
          else if (t === 24) statusCode = r.uint32() | 0;
          else r.skip(t & 7);
        }
        r.pos = e;
        break;
      }
      default: r.skip(tag & 7);
    }
  }
  if (traceId === '' || spanId === '') return undefined;
  return {
    traceId,
    spanId,
    parentSpanId: parentSpanId || null,
    name: cut(name, o.maxAttributeLength),
    kind: KINDS[kind] ?? 'UNSPECIFIED',
    startTimeUnixNano: start,
    endTimeUnixNano: finish,
    durationMs: fastDurationMs(startLo, startHi, endLo, endHi, start, finish),
    status: { code: STATUS[statusCode] ?? 'UNSET', message: cut(statusMessage, o.maxAttributeLength) },
    service,
    attributes: hasAttrs ? attributesAt(r, spanStart, end, o, 9) : {},
    resource,
    scope,
    events,
    links,
  };
}

/**
 * Duration from the 64-bit halves when the difference is small enough to be exact in a double
 * (about 52 days); otherwise the string path. Same result as durationMs(start, end).
 */
function fastDurationMs(sLo: number, sHi: number, eLo: number, eHi: number, start: string, end: string): number {
  const dHi = eHi - sHi;
  if (dHi >= 0 && dHi < 0x100000) {
    const ns = dHi * 4294967296 + (eLo - sLo);
    return ns <= 0 ? 0 : ns / 1e6;
  }
  return durationMs(start, end);
}

/** InstrumentationScope: 1 name, 2 version. */
function readScope(r: WireReader, end: number): Scope {
  let name = '';
  let version = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) name = r.string();
    else if (tag === 18) version = r.string();
    else r.skip(tag & 7);
  }
  return { name, version };
}

interface Counters { rejected: number }

/** ScopeSpans: 1 scope, 2 spans (the scope may come after the spans on the wire). */
function readScopeSpans(r: WireReader, end: number, service: string, resource: Attributes, o: NormaliseOptions, items: Span[], c: Counters): void {
  const start = r.pos;
  let scope: Scope = { name: '', version: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) { const e = r.delimitedEnd(); scope = readScope(r, e); r.pos = e; } else r.skip(tag & 7);
  }
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== 18) { r.skip(tag & 7); continue; }
    const e = r.delimitedEnd();
    if (items.length >= o.maxItems) { c.rejected++; r.pos = e; continue; }
    const span = readSpan(r, e, service, resource, scope, o);
    if (span) items.push(span);
    else c.rejected++;
    r.pos = e;
  }
}

/** ResourceSpans: 1 resource (Resource: 1 attributes), 2 scope_spans. */
function readResourceSpans(r: WireReader, end: number, o: NormaliseOptions, items: Span[], c: Counters): void {
  const start = r.pos;
  let resource: Attributes = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      const e = r.delimitedEnd();
      resource = readKeyValues(r, e, o, 0, true, 1);
      r.pos = e;
    } else r.skip(tag & 7);
  }
  const service = serviceName(resource);
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== 18) { r.skip(tag & 7); continue; }
    const e = r.delimitedEnd();
    readScopeSpans(r, e, service, resource, o, items, c);
    r.pos = e;
  }
}

/**
 * Decodes and normalises an ExportTraceServiceRequest in one pass over its bytes.
 * Throws TinyOllyError('invalid') for malformed protobuf; items without ids count as rejected.
 */
export function normaliseTracesProtobuf(buf: Buffer, o: NormaliseOptions): Normalised<Span> {
  const r = new WireReader(buf, 0, buf.length);
  const items: Span[] = [];
  const c: Counters = { rejected: 0 };
  while (r.pos < buf.length) {
    const tag = r.uint32();
    if (tag !== 10) { r.skip(tag & 7); continue; }
    const e = r.delimitedEnd();
    readResourceSpans(r, e, o, items, c);
    r.pos = e;
  }
  return c.rejected > 0
    ? { items, rejected: c.rejected, message: `${c.rejected} span(s) rejected: a span needs a non-empty trace_id and span_id, and a request at most ${o.maxItems} spans` }
    : { items, rejected: c.rejected };
}
