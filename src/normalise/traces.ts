/**
 * @module normalise/traces: decoded OTLP trace requests → model Spans (CONTRACT §3).
 * Pure and synchronous. A span without trace or span id is rejected; odd values are stored as sent.
 */
import { LIMIT_HITS } from '../model/limit-hits.js';
import type { Scope, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../model/model.js';
import { setExtras } from '../model/otlp-extras.js';
import { cut, durationBetweenMs } from '../model/value-rules.js';
import { enumNumber, idHex, u32Number, u64String } from '../wire/values.js';
import { attributes } from './attributes.js';
import type { OtlpScope, OtlpSpan, OtlpTracesRequest } from './otlp-types.js';
import { list, walkDecodedRequest } from './decoded-request.js';
import type { Normalised, NormaliseOptions } from './options.js';

const KINDS: SpanKind[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const KIND_NAMES: Record<string, number> = Object.fromEntries(KINDS.map((k, i) => ['SPAN_KIND_' + k, i]));
const STATUS: StatusCode[] = ['UNSET', 'OK', 'ERROR'];
const STATUS_NAMES: Record<string, number> = Object.fromEntries(STATUS.map((k, i) => ['STATUS_CODE_' + k, i]));

/**
 * Notes on `item` the fields of `src` the model leaves out (model/otlp-extras.ts) when one is set:
 * `strings` kept when a non-empty string, `counts` when a non-zero uint32. Nothing is made otherwise.
 */
export function noteExtras(item: object, src: object, strings: readonly string[], counts: readonly string[]): void {
  const from = src as Record<string, unknown>;
  let x: Record<string, string | number> | undefined;
  for (const k of strings) {
    const v = from[k];
    if (typeof v === 'string' && v !== '') (x ??= {})[k] = v;
  }
  for (const k of counts) {
    const v = from[k];
    if (v === undefined || v === 0) continue;
    const n = u32Number(v);
    if (n !== 0) (x ??= {})[k] = n;
  }
  if (x !== undefined) setExtras(item, x);
}

const SPAN_STRINGS = ['traceState'];
const SPAN_COUNTS = ['flags', 'droppedAttributesCount', 'droppedEventsCount', 'droppedLinksCount'];
const EVENT_COUNTS = ['droppedAttributesCount'];
const LINK_COUNTS = ['droppedAttributesCount', 'flags'];
const NONE: string[] = [];

function normaliseSpan(s: OtlpSpan, service: string, resource: Span['resource'], scope: Scope, o: NormaliseOptions): Span | undefined {
  const traceId = idHex(s.traceId);
  const spanId = idHex(s.spanId);
  if (traceId === '' || spanId === '') return undefined;
  const start = u64String(s.startTimeUnixNano);
  const end = u64String(s.endTimeUnixNano);
  const status = s.status && typeof s.status === 'object' ? s.status : undefined;
  const events: SpanEvent[] = [];
  const evs = list(s.events);
  if (evs.length > o.maxEvents) LIMIT_HITS.items += evs.length - o.maxEvents;
  for (let i = 0; i < evs.length && i < o.maxEvents; i++) {
    const e = evs[i];
    if (!e || typeof e !== 'object') continue;
    const event: SpanEvent = {
      name: typeof e.name === 'string' ? cut(e.name, o.maxAttributeLength) : '',
      timeUnixNano: u64String(e.timeUnixNano),
      attributes: attributes(e.attributes, o),
    };
    if (e.droppedAttributesCount) noteExtras(event, e, NONE, EVENT_COUNTS);
    events.push(event);
  }
  const links: SpanLink[] = [];
  const lks = list(s.links);
  if (lks.length > o.maxLinks) LIMIT_HITS.items += lks.length - o.maxLinks;
  for (let i = 0; i < lks.length && i < o.maxLinks; i++) {
    const l = lks[i];
    if (!l || typeof l !== 'object') continue;
    const link: SpanLink = { traceId: idHex(l.traceId), spanId: idHex(l.spanId), attributes: attributes(l.attributes, o) };
    if (l.traceState || l.flags || l.droppedAttributesCount) noteExtras(link, l, SPAN_STRINGS, LINK_COUNTS);
    links.push(link);
  }
  const span: Span = {
    traceId,
    spanId,
    parentSpanId: idHex(s.parentSpanId) || null,
    name: typeof s.name === 'string' ? cut(s.name, o.maxAttributeLength) : '',
    kind: KINDS[enumNumber(s.kind, KIND_NAMES)] ?? 'UNSPECIFIED',
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    durationMs: durationBetweenMs(start, end),
    status: {
      code: STATUS[enumNumber(status?.code, STATUS_NAMES)] ?? 'UNSET',
      message: typeof status?.message === 'string' ? cut(status.message, o.maxAttributeLength) : '',
    },
    service,
    attributes: attributes(s.attributes, o),
    resource,
    scope,
    events,
    links,
  };
  // Named reads first: the common span has none of them (or only zeros), and costs no more.
  if (s.traceState || s.flags || s.droppedAttributesCount || s.droppedEventsCount || s.droppedLinksCount) noteExtras(span, s, SPAN_STRINGS, SPAN_COUNTS);
  return span;
}

/**
 * Normalises an export request into spans. Never throws: an item that cannot be read is counted
 * in `rejected`, and the rest of the batch is kept.
 */
export function normaliseTraces(req: OtlpTracesRequest, o: NormaliseOptions): Normalised<Span> {
  const { items, rejected } = walkDecodedRequest(req.resourceSpans, (rs) => rs.scopeSpans, (ss) => ss.spans, o, (s, service, resource, scope) =>
    normaliseSpan(s, service, resource, scope, o));
  return rejected > 0
    ? { items, rejected, message: `${rejected} span(s) rejected: a span needs a non-empty trace_id and span_id, and a request at most ${o.maxItems} spans` }
    : { items, rejected };
}
