/**
 * The one error table (CONTRACT §2, §6): each kind's gRPC code, HTTP status and Retry-After, and
 * unknown errors mapped to retryable unavailable (503 / UNAVAILABLE) on ingest and to 500 on reads.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_TABLE, GRPC, mapError, mapReadError, TinyOllyError, type ErrorKind } from './errors.js';

describe('ERROR_TABLE', () => {
  const TABLE: [ErrorKind, number, number, number | undefined][] = [
    ['invalid', 3, 400, undefined],
    ['not_found', 5, 404, undefined],
    ['too_large', 8, 413, undefined],
    ['unsupported_media_type', 3, 415, undefined],
    ['unavailable', 14, 503, 1],
    ['overloaded', 8, 429, 1],
    ['unauthenticated', 16, 401, undefined],
    ['timeout', 4, 408, undefined],
    ['internal', 13, 500, undefined],
  ];

  it.each(TABLE)('maps %s to gRPC %i, HTTP %i, Retry-After %s', (kind, grpc, http, retryAfter) => {
    expect(ERROR_TABLE[kind]).toStrictEqual(retryAfter === undefined ? { grpc, http } : { grpc, http, retryAfter });
    expect(mapError(new TinyOllyError(kind, `a ${kind} error`))).toStrictEqual({ ...ERROR_TABLE[kind], kind, message: `a ${kind} error` });
  });

  it('has exactly the kinds above', () => {
    expect(Object.keys(ERROR_TABLE).sort()).toEqual(TABLE.map(([k]) => k).sort());
  });

  it('uses the gRPC status numbers of the gRPC spec', () => {
    expect(GRPC).toMatchObject({ OK: 0, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16 });
  });
});

describe('mapError for anything else', () => {
  it.each([
    ['an Error', new Error('socket closed'), 'socket closed'],
    ['a TypeError', new TypeError('x is undefined'), 'x is undefined'],
    ['a string', 'oops', 'oops'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['an object', { code: 'ECONNREFUSED' }, '[object Object]'],
  ])('maps %s to retryable unavailable (503, UNAVAILABLE, Retry-After)', (_name, err, message) => {
    expect(mapError(err)).toStrictEqual({ grpc: GRPC.UNAVAILABLE, http: 503, retryAfter: 1, kind: 'unavailable', message });
  });

  it('keeps the kind and name of a TinyOllyError', () => {
    const err = new TinyOllyError('too_large', 'body over 16 MiB');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('TinyOllyError');
    expect(err.kind).toBe('too_large');
  });
});

describe('mapReadError (the query side)', () => {
  it('keeps a store failure retryable: 503 with Retry-After', () => {
    expect(mapReadError(new TinyOllyError('unavailable', 'redis unavailable: down'))).toStrictEqual({ grpc: 14, http: 503, retryAfter: 1, kind: 'unavailable', message: 'redis unavailable: down' });
  });

  it.each([new TypeError('x is undefined'), new Error('socket closed'), 'oops', undefined])('maps anything else (%s) to 500 internal, without Retry-After or its message', (err) => {
    const m = mapReadError(err);
    expect(m).toMatchObject({ http: 500, kind: 'internal' });
    expect(m.retryAfter).toBeUndefined();
    expect(m.message).not.toContain('undefined');
  });
});
