/**
 * @module otlp/protobuf: the proto/ files (the gRPC service definitions load them) and the protobuf
 * answers: Export*ServiceResponse and google.rpc.Status, encoded with protobufjs types built from
 * proto/ at load time. Requests are decoded by the fused readers of normalise/*-protobuf.ts through
 * the codec table; the generic protobufjs request decoders are the test oracle (test/helpers/otlp-protobuf.ts).
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import protobuf from 'protobufjs';
import type { Signal } from './types.js';

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

/** The OTLP collector services and google.rpc.Status, loaded once (the test oracle reads the request types from it). */
export const PROTO_ROOT = loadRoot();
const root = PROTO_ROOT;
const C = 'opentelemetry.proto.collector.';
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
