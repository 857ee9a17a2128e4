/**
 * @module normalise/traces-protobuf: the hot path. Reads an ExportTraceServiceRequest's protobuf
 * bytes straight into model Spans, fusing decode and normalise: no intermediate message objects,
 * no Long objects. Its output must equal normaliseTraces(decodeTracesProtobuf(bytes)) exactly; the
 * protocol goldens and a differential test pin that. Field numbers: opentelemetry-proto trace.proto.
 */
import { ATTRIBUTE_OF, ENCODED_SIZE, type AttrValue, type Attributes, type Scope, type Span, type SpanEvent, type SpanKind, type SpanLink, type StatusCode } from '../model/model.js';
import { WireReader } from '../otlp/wire.js';
import { cut } from './attributes.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { attributeAt, attributesAt, checkKeyValue, walkRequest } from './protobuf-common.js';
import { durationMs } from './traces.js';

const KINDS: SpanKind[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS: StatusCode[] = ['UNSET', 'OK', 'ERROR'];
/** Statuses without a message, shared by every span that has one (spans are read-only once made). */
const BARE_STATUS = STATUS.map((code) => Object.freeze({ code, message: '' }));
const NO_LINKS: SpanLink[] = Object.freeze([]) as unknown as SpanLink[];

/** The status object of a span: a shared one when there is no message. */
function statusOf(code: number, message: string, o: NormaliseOptions): { code: StatusCode; message: string } {
  if (message === '') return BARE_STATUS[code] ?? BARE_STATUS[0];
  return { code: STATUS[code] ?? 'UNSET', message: cut(message, o.maxAttributeLength) };
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

/** Checks a Span.Event as readEvent reads it, building nothing (throws where readEvent throws). */
function checkEvent(r: WireReader, end: number, o: NormaliseOptions): void {
  let kept = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 9) r.fixed64();
    else if (tag === 26) { const e = r.delimitedEnd(); kept = checkKeyValue(r, e, o, 0, kept); r.pos = e; }
    else r.skip(tag & 7);
  }
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

/**
 * A Span read from protobuf whose attributes and events stay encoded until asked for: the hot path
 * reads only what indexes and summaries need, and a stored span keeps its wire bytes (its request's
 * buffer, shared by the spans of that request) instead of a graph of small objects. The bytes were
 * checked at ingest, so reading them later cannot fail. Each read decodes afresh (nothing cached,
 * so memory stays what the store counted); toJSON gives the plain object.
 */
export class WireSpan implements Span {
  #buf: Buffer;
  #start: number;
  #end: number;
  readonly #o: NormaliseOptions;
  readonly #hasAttributes: boolean;
  readonly #hasEvents: boolean;

  constructor(
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string | null,
    readonly name: string,
    readonly kind: SpanKind,
    readonly startTimeUnixNano: string,
    readonly endTimeUnixNano: string,
    readonly durationMs: number,
    readonly status: { code: StatusCode; message: string },
    readonly service: string,
    readonly resource: Attributes,
    readonly scope: Scope,
    readonly links: SpanLink[],
    buf: Buffer, start: number, end: number, o: NormaliseOptions, hasAttributes: boolean, hasEvents: boolean,
  ) {
    this.#buf = buf;
    this.#start = start;
    this.#end = end;
    this.#o = o;
    this.#hasAttributes = hasAttributes;
    this.#hasEvents = hasEvents;
  }

  get attributes(): Attributes {
    if (!this.#hasAttributes) return {};
    return attributesAt(new WireReader(this.#buf, this.#start, this.#end), this.#start, this.#end, this.#o, 9);
  }

  /** One attribute, decoded alone (for filters); undefined when absent. */
  [ATTRIBUTE_OF](key: string): AttrValue | undefined {
    if (!this.#hasAttributes) return undefined;
    return attributeAt(new WireReader(this.#buf, this.#start, this.#end), this.#start, this.#end, this.#o, 9, key);
  }

  get events(): SpanEvent[] {
    const events: SpanEvent[] = [];
    if (!this.#hasEvents) return events;
    const r = new WireReader(this.#buf, this.#start, this.#end);
    while (r.pos < this.#end) {
      const tag = r.uint32();
      if (tag !== 90) { r.skip(tag & 7); continue; }
      const e = r.delimitedEnd();
      if (events.length < this.#o.maxEvents) events.push(readEvent(r, e, this.#o));
      r.pos = e;
    }
    return events;
  }

  /** Copies the span's bytes into `into` at `at` and reads them from there from now on; returns the end. */
  moveTo(into: Buffer, at: number): number {
    const length = this.#end - this.#start;
    this.#buf.copy(into, at, this.#start, this.#end);
    this.#buf = into;
    this.#start = at;
    this.#end = at + length;
    return this.#end;
  }

  /** The span's protobuf size: what the memory store counts against its cap. */
  get [ENCODED_SIZE](): number {
    return this.#end - this.#start;
  }

  toJSON(): Span {
    return {
      traceId: this.traceId,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      kind: this.kind,
      startTimeUnixNano: this.startTimeUnixNano,
      endTimeUnixNano: this.endTimeUnixNano,
      durationMs: this.durationMs,
      status: this.status,
      service: this.service,
      attributes: this.attributes,
      resource: this.resource,
      scope: this.scope,
      events: this.events,
      links: this.links,
    };
  }
}

/**
 * One Span (trace.proto); undefined when it lacks trace or span id. Attributes and events are
 * checked here (so malformed bytes are rejected now) and decoded when read.
 */
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
  // Attributes and events are read later from the span's bytes alone, so every field must lie inside them.
  const outerEnd = r.end;
  r.end = end;
  let attributesKept = 0;
  let hasAttributes = false;
  let eventCount = 0;
  let links = NO_LINKS;
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
      case 74: {
        const e = r.delimitedEnd();
        attributesKept = checkKeyValue(r, e, o, 0, attributesKept);
        hasAttributes = true;
        r.pos = e;
        break;
      }
      case 90: {
        const e = r.delimitedEnd();
        if (eventCount < o.maxEvents) { checkEvent(r, e, o); eventCount++; }
        r.pos = e;
        break;
      }
      case 106: {
        const e = r.delimitedEnd();
        if (links.length < o.maxLinks) {
          if (links === NO_LINKS) links = [];
          links.push(readLink(r, e, o));
        }
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
  r.end = outerEnd;
  if (traceId === '' || spanId === '') return undefined;
  return new WireSpan(
    traceId,
    spanId,
    parentSpanId || null,
    cut(name, o.maxAttributeLength),
    KINDS[kind] ?? 'UNSPECIFIED',
    start,
    finish,
    fastDurationMs(startLo, startHi, endLo, endHi, start, finish),
    statusOf(statusCode, statusMessage, o),
    service,
    resource,
    scope,
    links,
    r.buf, spanStart, end, o, hasAttributes, eventCount > 0,
  );
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

/** Requests smaller than this are kept whole whatever they hold besides spans. */
const KEEP_WHOLE_BYTES = 64 * 1024;

/**
 * Stored spans keep their request's buffer alive. When most of it is not span bytes (rejected
 * spans, big resources, unknown fields), the spans move to a buffer of their own, so what is kept
 * is at most about twice what the store counts.
 */
function compactIfWasteful(spans: WireSpan[], requestBytes: number): void {
  if (requestBytes <= KEEP_WHOLE_BYTES) return;
  let total = 0;
  for (const s of spans) total += s[ENCODED_SIZE];
  if (requestBytes <= 2 * total) return;
  const into = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const s of spans) at = s.moveTo(into, at);
}

/**
 * Decodes and normalises an ExportTraceServiceRequest in one pass over its bytes.
 * Throws TinyOllyError('invalid') for malformed protobuf; items without ids count as rejected.
 */
export function normaliseTracesProtobuf(buf: Buffer, o: NormaliseOptions): Normalised<Span> {
  const { items, rejected } = walkRequest(buf, o, (r, end, service, resource, scope) => readSpan(r, end, service, resource, scope, o));
  compactIfWasteful(items as WireSpan[], buf.length);
  return rejected > 0
    ? { items, rejected, message: `${rejected} span(s) rejected: a span needs a non-empty trace_id and span_id, and a request at most ${o.maxItems} spans` }
    : { items, rejected };
}
