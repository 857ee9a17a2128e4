/**
 * @module normalise/traces-protobuf: the hot path. Reads an ExportTraceServiceRequest's protobuf
 * bytes straight into model Spans, fusing decode and normalise: no intermediate message objects,
 * no Long objects. Its output must equal normaliseTraces(decodeTracesProtobuf(bytes)) exactly; the
 * protocol goldens and a differential test pin that. Field numbers: opentelemetry-proto trace.proto.
 */
import type { Attributes, Scope, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../model/model.js';
import type { WireReader } from '../otlp/wire.js';
import { cut } from './attributes.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { attributesAt, walkRequest } from './protobuf-common.js';
import { durationMs } from './traces.js';

const KINDS: SpanKind[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS: StatusCode[] = ['UNSET', 'OK', 'ERROR'];

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
      case 10: traceId = r.hexShared(); break;
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

/**
 * Decodes and normalises an ExportTraceServiceRequest in one pass over its bytes.
 * Throws TinyOllyError('invalid') for malformed protobuf; items without ids count as rejected.
 */
export function normaliseTracesProtobuf(buf: Buffer, o: NormaliseOptions): Normalised<Span> {
  const { items, rejected } = walkRequest(buf, o, (r, end, service, resource, scope) => readSpan(r, end, service, resource, scope, o));
  return rejected > 0
    ? { items, rejected, message: `${rejected} span(s) rejected: a span needs a non-empty trace_id and span_id, and a request at most ${o.maxItems} spans` }
    : { items, rejected };
}
