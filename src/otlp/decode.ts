/**
 * @module otlp/decode: one entry per signal, `decode<Signal>Request(body, encoding)` → the decoded
 * request, whatever the encoding. Throws TinyOllyError('invalid') and nothing else.
 */
import { checkOtlpJson, parseJsonBody } from './json.js';
import { decodeLogsProtobuf, decodeMetricsProtobuf, decodeTracesProtobuf } from './protobuf.js';
import type { Encoding, OtlpLogsRequest, OtlpMetricsRequest, OtlpTracesRequest } from './types.js';

/** Decodes an ExportTraceServiceRequest in either encoding. */
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
