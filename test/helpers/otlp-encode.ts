/**
 * @module test/helpers/otlp-encode: model spans and log records encoded as OTLP protobuf export
 * requests by the official encoder (@opentelemetry/otlp-transformer), through the SDK's readable
 * shapes. Independent of our codecs, so a test that decodes these bytes with ours checks both.
 */
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { HrTime } from '@opentelemetry/api';
import type { AttrValue, Attributes, LogRecord, Scope, Span } from '../../src/model/model.js';

type SerializedSpans = Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0];
type SerializedLogs = Parameters<typeof ProtobufLogsSerializer.serializeRequest>[0];
type SdkAttributes = Record<string, unknown>;

const NS_PER_S = 1_000_000_000n;
const KIND = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 } as const;
const STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** An exact nanosecond string as the SDK's [seconds, nanoseconds]. */
export function hrTimeOf(unixNano: string): HrTime {
  const ns = BigInt(unixNano);
  return [Number(ns / NS_PER_S), Number(ns % NS_PER_S)];
}

/** The resource a model item came from; its service.name set to the item's service, which the decoder derives from it. */
function resourceOf(resource: Attributes, service: string): { attributes: SdkAttributes } {
  return { attributes: resource['service.name'] === service ? resource : { ...resource, 'service.name': service } };
}

function scopeOf(scope: Scope): { name: string; version: string } {
  return { name: scope.name, version: scope.version };
}

/** Model attributes as SDK attributes: nested lists and maps are AnyValues the encoder writes as such. */
function attrs(a: Attributes): SdkAttributes {
  return a as Record<string, AttrValue>;
}

/**
 * Spans as one ExportTraceServiceRequest (one resource and scope per span, as given). Every span's
 * resource carries its `service` as service.name. Kind UNSPECIFIED is written as 0.
 */
export function encodeSpansProtobuf(spans: readonly Span[]): Buffer {
  const readable = spans.map((s) => ({
    name: s.name,
    kind: s.kind === 'UNSPECIFIED' ? undefined : KIND[s.kind],
    spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: 1 }),
    parentSpanContext: s.parentSpanId ? { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: 1 } : undefined,
    startTime: hrTimeOf(s.startTimeUnixNano),
    endTime: hrTimeOf(s.endTimeUnixNano),
    status: { code: STATUS[s.status.code], message: s.status.message },
    attributes: attrs(s.attributes),
    links: s.links.map((l) => ({ context: { traceId: l.traceId, spanId: l.spanId, traceFlags: 1 }, attributes: attrs(l.attributes) })),
    events: s.events.map((e) => ({ name: e.name, time: hrTimeOf(e.timeUnixNano), attributes: attrs(e.attributes) })),
    duration: [0, 0] as HrTime,
    ended: true,
    resource: resourceOf(s.resource, s.service),
    instrumentationScope: scopeOf(s.scope),
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  }));
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(readable as unknown as SerializedSpans)!);
}

/**
 * Log records as one ExportLogsServiceRequest. The id is not on the wire (the decoder assigns it);
 * a trace id without a span id is written alone.
 */
export function encodeLogsProtobuf(logs: readonly LogRecord[]): Buffer {
  const readable = logs.map((l) => ({
    hrTime: hrTimeOf(l.timeUnixNano),
    hrTimeObserved: hrTimeOf(l.timeUnixNano),
    severityNumber: l.severityNumber,
    severityText: l.severityText,
    body: l.body,
    attributes: attrs(l.attributes),
    droppedAttributesCount: 0,
    spanContext: l.traceId || l.spanId ? { traceId: l.traceId ?? '', spanId: l.spanId ?? '', traceFlags: 0 } : undefined,
    resource: resourceOf(l.resource, l.service),
    instrumentationScope: scopeOf(l.scope),
  }));
  return Buffer.from(ProtobufLogsSerializer.serializeRequest(readable as unknown as SerializedLogs)!);
}
