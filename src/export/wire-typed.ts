/**
 * @module export/wire-typed: re-reads the wire bytes that spans and log records from protobuf keep
 * (WireSpan, WireLog) into OTLP/JSON with every AnyValue's own type (int64 beyond 2^53, bytes, doubles
 * that look like integers, NaN), plus the fields the model leaves out (trace state, flags, dropped
 * counts, observed time, event name). The §6 limits of ingest apply exactly as the fused decoders
 * (wire/any-value.ts) apply them, so the export holds what was stored, typed.
 * Field numbers: opentelemetry-proto common.proto, trace.proto, logs.proto.
 */
import { cut } from '../model/value-rules.js';
import { readTypedAnyValue, readTypedKeyValues, type TypedAnyValue, type TypedKeyValue } from '../wire/any-value.js';
import type { WireReadOptions } from '../wire/read-options.js';
import { WireReader } from '../wire/reader.js';

function fixed32(r: WireReader): number {
  const v = r.buf.readUInt32LE(r.pos);
  r.pos += 4;
  return v;
}

/** Attributes of field `fieldNo` of a message spanning [start, end). */
function attributesOf(buf: Buffer, start: number, end: number, o: WireReadOptions, fieldNo: number): TypedKeyValue[] {
  return readTypedKeyValues(new WireReader(buf, start, end), end, o, 0, fieldNo);
}

/** What a span's bytes add to its model fields. */
export interface TypedSpanParts {
  traceState?: string;
  flags?: number;
  attributes: TypedKeyValue[];
  droppedAttributesCount?: number;
  events: { timeUnixNano: string; name: string; attributes: TypedKeyValue[]; droppedAttributesCount?: number }[];
  droppedEventsCount?: number;
  links: { traceId: string; spanId: string; traceState?: string; attributes: TypedKeyValue[]; droppedAttributesCount?: number; flags?: number }[];
  droppedLinksCount?: number;
}

/** Span: 3 trace_state, 9 attributes, 10 dropped attrs, 11 events, 12 dropped events, 13 links, 14 dropped links, 16 flags. */
export function typedSpanParts(buf: Buffer, o: WireReadOptions): TypedSpanParts {
  const r = new WireReader(buf, 0, buf.length);
  const out: TypedSpanParts = { attributes: attributesOf(buf, 0, buf.length, o, 9), events: [], links: [] };
  while (r.pos < buf.length) {
    const tag = r.uint32();
    switch (tag) {
      case 26: out.traceState = r.string(); break;
      case 80: out.droppedAttributesCount = r.uint32(); break;
      case 96: out.droppedEventsCount = r.uint32(); break;
      case 112: out.droppedLinksCount = r.uint32(); break;
      case 133: out.flags = fixed32(r); break;
      case 90: {
        const e = r.delimitedEnd();
        if (out.events.length < o.maxEvents) out.events.push(readEvent(r, e, o));
        r.pos = e;
        break;
      }
      case 106: {
        const e = r.delimitedEnd();
        if (out.links.length < o.maxLinks) out.links.push(readLink(r, e, o));
        r.pos = e;
        break;
      }
      default: r.skip(tag & 7);
    }
  }
  return out;
}

/** Span.Event: 1 time, 2 name, 3 attributes, 4 dropped attributes. */
function readEvent(r: WireReader, end: number, o: WireReadOptions): TypedSpanParts['events'][number] {
  const start = r.pos;
  const ev: TypedSpanParts['events'][number] = { timeUnixNano: '0', name: '', attributes: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 9) ev.timeUnixNano = r.fixed64Decimal();
    else if (tag === 18) ev.name = cut(r.string(), o.maxAttributeLength);
    else if (tag === 32) ev.droppedAttributesCount = r.uint32();
    else r.skip(tag & 7);
  }
  ev.attributes = attributesOf(r.buf, start, end, o, 3);
  return ev;
}

/** Span.Link: 1 trace_id, 2 span_id, 3 trace_state, 4 attributes, 5 dropped attributes, 6 flags. */
function readLink(r: WireReader, end: number, o: WireReadOptions): TypedSpanParts['links'][number] {
  const start = r.pos;
  const link: TypedSpanParts['links'][number] = { traceId: '', spanId: '', attributes: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) link.traceId = r.hex();
    else if (tag === 18) link.spanId = r.hex();
    else if (tag === 26) link.traceState = r.string();
    else if (tag === 40) link.droppedAttributesCount = r.uint32();
    else if (tag === 53) link.flags = fixed32(r);
    else r.skip(tag & 7);
  }
  link.attributes = attributesOf(r.buf, start, end, o, 4);
  return link;
}

/** What a log record's bytes add to its model fields. */
export interface TypedLogParts {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityText: string;
  body?: TypedAnyValue;
  attributes: TypedKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  eventName?: string;
}

/** LogRecord: 1 time, 11 observed, 3 severity text, 5 body, 6 attributes, 7 dropped, 8 flags, 12 event name. */
export function typedLogParts(buf: Buffer, o: WireReadOptions): TypedLogParts {
  const r = new WireReader(buf, 0, buf.length);
  const out: TypedLogParts = { timeUnixNano: '0', observedTimeUnixNano: '0', severityText: '', attributes: attributesOf(buf, 0, buf.length, o, 6) };
  while (r.pos < buf.length) {
    const tag = r.uint32();
    switch (tag) {
      case 9: out.timeUnixNano = r.fixed64Decimal(); break;
      case 89: out.observedTimeUnixNano = r.fixed64Decimal(); break;
      case 26: out.severityText = r.string().slice(0, 64); break;
      case 42: { const e = r.delimitedEnd(); out.body = readTypedAnyValue(r, e, o, 0); r.pos = e; break; }
      case 56: out.droppedAttributesCount = r.uint32(); break;
      case 69: out.flags = fixed32(r); break;
      case 98: out.eventName = r.string(); break;
      default: r.skip(tag & 7);
    }
  }
  return out;
}
