/**
 * @module wire/wire-span: a Span read from protobuf (trace.proto) that keeps its attributes, events
 * and link attributes as its own checked wire bytes until read: readSpan, which the fused traces
 * decoder (normalise/traces-protobuf.ts) calls for each span of a request, and spanFromWire, which
 * stores call to read one back. Its fields must equal what normaliseTraces makes of the same span;
 * the protocol goldens and a differential test pin that.
 */
import type { AttrValue, Attributes, Scope, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../model/model.js';
import { LIMIT_HITS } from '../model/limit-hits.js';
import { cut, durationBetweenMs } from '../model/value-rules.js';
import { attributesAt, checkKeyValue } from './any-value.js';
import type { WireReadOptions } from './read-options.js';
import { WireReader } from './reader.js';
import { WireBacked } from './wire-backed.js';

const KINDS: SpanKind[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS: StatusCode[] = ['UNSET', 'OK', 'ERROR'];
/** Statuses without a message, shared by every span that has one (spans are read-only once made). */
const BARE_STATUS = STATUS.map((code) => Object.freeze({ code, message: '' }));
const NO_LINKS: SpanLink[] = Object.freeze([]) as unknown as SpanLink[];

/** The status object of a span: a shared one when there is no message. */
function statusOf(code: number, message: string, o: WireReadOptions): { code: StatusCode; message: string } {
  if (message === '') return BARE_STATUS[code] ?? BARE_STATUS[0];
  return { code: STATUS[code] ?? 'UNSET', message: cut(message, o.maxAttributeLength) };
}

/** Span.Event: 1 time fixed64, 2 name, 3 attributes. */
function readEvent(r: WireReader, end: number, o: WireReadOptions): SpanEvent {
  let name = '';
  let time = '0';
  let attributes: Attributes | undefined;
  const start = r.pos;
  let hasAttrs = false;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 9) time = r.fixed64Decimal();
    else if (tag === 18) name = r.stringAtMost(o.maxAttributeLength);
    else if (tag === 26) { hasAttrs = true; r.pos = r.delimitedEnd(); }
    else r.skip(tag & 7);
  }
  attributes = hasAttrs ? attributesAt(r, start, end, o, 3) : {};
  return { name: cut(name, o.maxAttributeLength), timeUnixNano: time, attributes };
}

/** Checks a Span.Event as readEvent reads it, building nothing (throws where readEvent throws). */
function checkEvent(r: WireReader, end: number, o: WireReadOptions): void {
  let kept = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 9) r.fixed64();
    else if (tag === 26) { const e = r.delimitedEnd(); kept = checkKeyValue(r, e, o, 0, kept); r.pos = e; }
    else r.skip(tag & 7);
  }
}

/**
 * A Span.Link read from protobuf: its ids are read at ingest, its attributes stay encoded in the
 * span's bytes until read (decoded eagerly they cost many times their wire size on the heap, which
 * the memory cap does not see). toJSON gives the plain object.
 */
export class WireLink implements SpanLink {
  #span: WireSpan | undefined;

  /** `from`/`to`: the link message's bounds relative to the start of its span's bytes. */
  constructor(readonly traceId: string, readonly spanId: string, private readonly from: number, private readonly to: number, private readonly hasAttributes: boolean) {}

  /** Called once by the span holding the link's bytes. */
  bind(span: WireSpan): void {
    this.#span = span;
  }

  get attributes(): Attributes {
    return this.hasAttributes && this.#span ? this.#span.attributesOfPart(this.from, this.to, 4) : {};
  }

  toJSON(): SpanLink {
    return { traceId: this.traceId, spanId: this.spanId, attributes: this.attributes };
  }
}

/** Span.Link: 1 trace_id, 2 span_id, 4 attributes (checked here, as readEvent's are, and decoded when read). */
function readLink(r: WireReader, end: number, o: WireReadOptions, spanStart: number): WireLink {
  let traceId = '';
  let spanId = '';
  const start = r.pos;
  let hasAttrs = false;
  let kept = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) traceId = r.hex();
    else if (tag === 18) spanId = r.hex();
    else if (tag === 34) { hasAttrs = true; const e = r.delimitedEnd(); kept = checkKeyValue(r, e, o, 0, kept); r.pos = e; }
    else r.skip(tag & 7);
  }
  return new WireLink(traceId, spanId, start - spanStart, end - spanStart, hasAttrs);
}

/**
 * A Span read from protobuf whose attributes and events stay encoded until asked for (see
 * WireBacked); toJSON gives the plain object.
 */
export class WireSpan extends WireBacked implements Span {
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
    buf: Buffer, start: number, end: number, o: WireReadOptions, hasAttributes: boolean, hasEvents: boolean,
  ) {
    super(buf, start, end, o);
    this.#hasAttributes = hasAttributes;
    this.#hasEvents = hasEvents;
    for (const l of links) if (l instanceof WireLink) l.bind(this);
  }

  get attributes(): Attributes {
    return this.#hasAttributes ? this.attributesIn(9) : {};
  }

  /** One attribute, decoded alone (for filters); undefined when absent. */
  attribute(key: string): AttrValue | undefined {
    return this.#hasAttributes ? this.attributeIn(9, key) : undefined;
  }

  get events(): SpanEvent[] {
    return this.#hasEvents ? this.repeated(90, this.options.maxEvents, readEvent) : [];
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
      links: this.links.map((l) => (l instanceof WireLink ? l.toJSON() : l)),
    };
  }
}

/**
 * One Span (trace.proto) spanning up to `end`, the reader at its start; undefined when it lacks
 * trace or span id. Attributes and events are checked here (so malformed bytes are rejected now,
 * throwing as the reader throws) and decoded when read.
 */
export function readSpan(r: WireReader, end: number, service: string, resource: Attributes, scope: Scope, o: WireReadOptions): WireSpan | undefined {
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
      case 42: name = r.stringAtMost(o.maxAttributeLength); break;
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
        if (eventCount < o.maxEvents) { checkEvent(r, e, o); eventCount++; } else LIMIT_HITS.items++;
        r.pos = e;
        break;
      }
      case 106: {
        const e = r.delimitedEnd();
        if (links.length < o.maxLinks) {
          if (links === NO_LINKS) links = [];
          links.push(readLink(r, e, o, spanStart));
        } else LIMIT_HITS.items++;
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
          if (t === 18) statusMessage = r.stringAtMost(o.maxAttributeLength);
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
 * (about 52 days); otherwise the string path. Same result as durationBetweenMs(start, end).
 */
function fastDurationMs(sLo: number, sHi: number, eLo: number, eHi: number, start: string, end: string): number {
  const dHi = eHi - sHi;
  if (dHi >= 0 && dHi < 0x100000) {
    const ns = dHi * 4294967296 + (eLo - sLo);
    return ns <= 0 ? 0 : ns / 1e6;
  }
  return durationBetweenMs(start, end);
}

/**
 * A Span from one Span message's bytes (as WireSpan.wireBytes() gave them), checked as at ingest;
 * undefined when they do not decode under these limits or lack ids. Stores that keep spans as
 * their wire bytes read them back with this.
 */
export function spanFromWire(bytes: Buffer, service: string, resource: Attributes, scope: Scope, o: WireReadOptions): Span | undefined {
  try {
    return readSpan(new WireReader(bytes, 0, bytes.length), bytes.length, service, resource, scope, o);
  } catch {
    return undefined;
  }
}
