/**
 * @module otlp/response: Export*ServiceResponse and google.rpc.Status bodies, encoded like the request.
 */
import { encodeExportResponseProtobuf, encodeStatusProtobuf, REJECTED_FIELD } from './protobuf.js';
import type { Encoding, Signal } from './types.js';

/** The success body: partial_success only when something was rejected. */
export function exportResponseBody(signal: Signal, encoding: Encoding, rejected: number, message?: string): Buffer | string {
  if (encoding === 'protobuf') return Buffer.from(encodeExportResponseProtobuf(signal, rejected, message));
  if (rejected === 0 && !message) return '{}';
  return JSON.stringify({ partialSuccess: { [REJECTED_FIELD[signal]]: rejected, errorMessage: message ?? '' } });
}

/** A google.rpc.Status error body (OTLP/HTTP failures). */
export function statusBody(encoding: Encoding, grpcCode: number, message: string): Buffer | string {
  if (encoding === 'protobuf') return Buffer.from(encodeStatusProtobuf(grpcCode, message));
  return JSON.stringify({ code: grpcCode, message });
}
