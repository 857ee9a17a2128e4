/**
 * @module otlp/protobuf: binary protobuf ↔ decoded OTLP requests and responses, with protobufjs
 * codecs built from proto/ at load time (protobufjs generates specialised decode functions per type,
 * as fast as its static codegen). Business rules live in normalise/.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import protobuf from 'protobufjs';
import Long from 'long';
import { TinyOllyError } from '../errors.js';
import type { OtlpLogsRequest, OtlpMetricsRequest, OtlpTracesRequest, Signal } from './types.js';

// 64-bit fields decode to Long objects; otlp/values.ts turns them into exact strings.
protobuf.util.Long = Long as unknown as typeof protobuf.util.Long;
protobuf.configure();

/** Folder holding the .proto files. */
export const PROTO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto');

/** The collector service files, relative to PROTO_DIR. */
export const SERVICE_PROTO_FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
];

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
  root.loadSync([...SERVICE_PROTO_FILES, 'google/rpc/status.proto']);
  root.resolveAll();
  return root;
}

const root = loadRoot();
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

/** The partial_success count field of each response, as OTLP names it. */
export const REJECTED_FIELD: Record<Signal, string> = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
};

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

/** Encodes an Export*ServiceResponse; partial_success only when something was rejected or a message is set. */
export function encodeExportResponseProtobuf(signal: Signal, rejected: number, message?: string): Uint8Array {
  const body = rejected > 0 || message
    ? { partialSuccess: { [REJECTED_FIELD[signal]]: rejected, errorMessage: message ?? '' } }
    : {};
  return RESPONSE_TYPES[signal].encode(RESPONSE_TYPES[signal].fromObject(body)).finish();
}

/** Encodes a google.rpc.Status (OTLP/HTTP error bodies). */
export function encodeStatusProtobuf(code: number, message: string): Uint8Array {
  return STATUS_TYPE.encode(STATUS_TYPE.fromObject({ code, message })).finish();
}

/** Decodes a google.rpc.Status (tests and tools). */
export function decodeStatusProtobuf(body: Uint8Array): { code: number; message: string } {
  const m = STATUS_TYPE.toObject(STATUS_TYPE.decode(body), { defaults: true }) as { code: number; message: string };
  return { code: m.code, message: m.message };
}

/** Decodes an Export*ServiceResponse into plain JSON-like form (tests and tools). */
export function decodeExportResponseProtobuf(signal: Signal, body: Uint8Array): Record<string, unknown> {
  return RESPONSE_TYPES[signal].toObject(RESPONSE_TYPES[signal].decode(body), { longs: Number }) as Record<string, unknown>;
}

/** Encodes a request from its OTLP/JSON-like object form (test fixtures, benchmark). */
export function encodeRequestProtobuf(signal: Signal, request: object): Uint8Array {
  return REQUEST_TYPES[signal].encode(REQUEST_TYPES[signal].fromObject(request)).finish();
}
