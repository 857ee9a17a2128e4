/**
 * @module test/helpers/otlp-protobuf: the generic protobufjs codecs of the OTLP requests and
 * responses, built from proto/ at load time: the test oracle. Production decodes requests with the
 * fused readers of src/normalise/*-protobuf.ts only; these decode the same bytes the slow, general
 * way (differential tests and goldens pin the fused readers to them), encode test requests from their
 * OTLP/JSON-like object form, and read TinyOlly's answers back.
 */
import protobuf from 'protobufjs';
import Long from 'long';
import { TinyOllyError } from '../../src/errors.js';
import { checkOtlpJson, parseJsonBody } from '../../src/otlp/json.js';
import { PROTO_ROOT } from '../../src/otlp/protobuf.js';
import type { OtlpLogsRequest, OtlpMetricsRequest, OtlpTracesRequest } from '../../src/normalise/otlp-types.js';
import type { Encoding, Signal } from '../../src/otlp/types.js';

// 64-bit fields decode to Long objects; src/wire/values.ts turns them into exact strings.
protobuf.util.Long = Long as unknown as typeof protobuf.util.Long;
protobuf.configure();

const root = PROTO_ROOT;
const C = 'opentelemetry.proto.collector.';
const REQUEST_TYPES: Record<Signal, protobuf.Type> = {
  traces: root.lookupType(C + 'trace.v1.ExportTraceServiceRequest'),
  logs: root.lookupType(C + 'logs.v1.ExportLogsServiceRequest'),
  metrics: root.lookupType(C + 'metrics.v1.ExportMetricsServiceRequest'),
};
const RESPONSE_TYPES: Record<Signal, protobuf.Type> = {
  traces: root.lookupType(C + 'trace.v1.ExportTraceServiceResponse'),
  logs: root.lookupType(C + 'logs.v1.ExportLogsServiceResponse'),
  metrics: root.lookupType(C + 'metrics.v1.ExportMetricsServiceResponse'),
};
const STATUS_TYPE = root.lookupType('google.rpc.Status');

function decode<T>(signal: Signal, body: Uint8Array): T {
  try {
    return REQUEST_TYPES[signal].decode(body) as unknown as T;
  } catch (err) {
    throw new TinyOllyError('invalid', `cannot decode ${signal} protobuf: ${(err as Error).message}`);
  }
}

/** Decodes an ExportTraceServiceRequest; throws TinyOllyError('invalid') on malformed bytes. */
export function decodeTracesProtobuf(body: Uint8Array): OtlpTracesRequest {
  return decode<OtlpTracesRequest>('traces', body);
}
/** Decodes an ExportLogsServiceRequest; throws TinyOllyError('invalid') on malformed bytes. */
export function decodeLogsProtobuf(body: Uint8Array): OtlpLogsRequest {
  return decode<OtlpLogsRequest>('logs', body);
}
/** Decodes an ExportMetricsServiceRequest; throws TinyOllyError('invalid') on malformed bytes. */
export function decodeMetricsProtobuf(body: Uint8Array): OtlpMetricsRequest {
  return decode<OtlpMetricsRequest>('metrics', body);
}

/** Decodes an ExportTraceServiceRequest in either encoding (the generic path the goldens compare with). */
export function decodeTracesRequest(body: Buffer, encoding: Encoding): OtlpTracesRequest {
  return encoding === 'protobuf' ? decodeTracesProtobuf(body) : checkOtlpJson('traces', parseJsonBody(body));
}
/** Decodes an ExportLogsServiceRequest in either encoding. */
export function decodeLogsRequest(body: Buffer, encoding: Encoding): OtlpLogsRequest {
  return encoding === 'protobuf' ? decodeLogsProtobuf(body) : checkOtlpJson('logs', parseJsonBody(body));
}
/** Decodes an ExportMetricsServiceRequest in either encoding. */
export function decodeMetricsRequest(body: Buffer, encoding: Encoding): OtlpMetricsRequest {
  return encoding === 'protobuf' ? decodeMetricsProtobuf(body) : checkOtlpJson('metrics', parseJsonBody(body));
}

/** Decodes a google.rpc.Status. */
export function decodeStatusProtobuf(body: Uint8Array): { code: number; message: string } {
  const m = STATUS_TYPE.toObject(STATUS_TYPE.decode(body), { defaults: true }) as { code: number; message: string };
  return { code: m.code, message: m.message };
}

/** Decodes an Export*ServiceResponse into plain JSON-like form. */
export function decodeExportResponseProtobuf(signal: Signal, body: Uint8Array): Record<string, unknown> {
  return RESPONSE_TYPES[signal].toObject(RESPONSE_TYPES[signal].decode(body), { longs: Number }) as Record<string, unknown>;
}

/** Encodes a request from its OTLP/JSON-like object form (test fixtures). */
export function encodeRequestProtobuf(signal: Signal, request: object): Uint8Array {
  return REQUEST_TYPES[signal].encode(REQUEST_TYPES[signal].fromObject(request)).finish();
}
