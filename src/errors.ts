/**
 * @module errors: the error kinds thrown across TinyOlly, and the one table that maps each
 * kind to its gRPC code, HTTP status and Retry-After. Only this file knows status numbers.
 */
import { status } from '@grpc/grpc-js';

export type ErrorKind = 'invalid' | 'not_found' | 'too_large' | 'unsupported_media_type' | 'unavailable' | 'overloaded' | 'unauthenticated' | 'timeout' | 'internal';

/** An error with a kind; its message is safe to show to the sender. */
export class TinyOllyError extends Error {
  constructor(readonly kind: ErrorKind, message: string) {
    super(message);
    this.name = 'TinyOllyError';
  }
}

/** gRPC status codes (grpc/grpc doc/statuscodes.md), as @grpc/grpc-js names them. */
export const GRPC = status;

export interface ErrorMapping {
  grpc: number;
  http: number;
  /** Seconds, for the Retry-After header of retryable answers. */
  retryAfter?: number;
}

/** The single mapping table (CONTRACT §2). */
export const ERROR_TABLE: Record<ErrorKind, ErrorMapping> = {
  invalid: { grpc: GRPC.INVALID_ARGUMENT, http: 400 },
  not_found: { grpc: GRPC.NOT_FOUND, http: 404 },
  too_large: { grpc: GRPC.RESOURCE_EXHAUSTED, http: 413 },
  unsupported_media_type: { grpc: GRPC.INVALID_ARGUMENT, http: 415 },
  unavailable: { grpc: GRPC.UNAVAILABLE, http: 503, retryAfter: 1 },
  overloaded: { grpc: GRPC.RESOURCE_EXHAUSTED, http: 429, retryAfter: 1 },
  unauthenticated: { grpc: GRPC.UNAUTHENTICATED, http: 401 },
  timeout: { grpc: GRPC.DEADLINE_EXCEEDED, http: 408 },
  internal: { grpc: GRPC.INTERNAL, http: 500 },
};

/**
 * The mapping for any thrown value. Unknown errors count as retryable `unavailable`
 * (as the Collector's GetStatusFromError does), so a sender retries instead of dropping.
 */
export function mapError(err: unknown): ErrorMapping & { kind: ErrorKind; message: string } {
  if (err instanceof TinyOllyError) return { ...ERROR_TABLE[err.kind], kind: err.kind, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { ...ERROR_TABLE.unavailable, kind: 'unavailable', message };
}

/**
 * The mapping for a failure of a read (the query API, CONTRACT §4): a TinyOllyError keeps its kind
 * (a store failure is `unavailable`, 503 with Retry-After), and anything else is `internal` (500):
 * a bug is not an outage, and a client must not be told to retry it. The message of an unexpected
 * error is not shown to the client; the caller logs the error itself.
 */
export function mapReadError(err: unknown): ErrorMapping & { kind: ErrorKind; message: string } {
  if (err instanceof TinyOllyError) return { ...ERROR_TABLE[err.kind], kind: err.kind, message: err.message };
  return { ...ERROR_TABLE.internal, kind: 'internal', message: 'internal error (the server logged it)' };
}
