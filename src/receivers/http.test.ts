/**
 * OTLP/HTTP receiver: encodings, gzip, the seed's JSON, and every error answer of CONTRACT §2.2,
 * through fastify's inject (no sockets). The server keeps serving and earlier data stays readable.
 */
import * as crypto from 'node:crypto';
import zlib from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ingester } from '../ingest/ingester.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../normalise/options.js';
import { decodeExportResponseProtobuf, decodeStatusProtobuf, encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import { fakeStore, OVERLOADED, UNAVAILABLE, type FakeStore } from '../../test/helpers/fake-store.js';
import { httpReceiver } from './http.js';

// A pass-through spy, to see that the API key is compared in constant time.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const MAX = 64 * 1024;
let store: FakeStore;
let app: FastifyInstance;

function traceJson(traceId = '5b8efff798038103d269b633813fc60c', spanId = 'eee19b7ec3c1b174') {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
      scopeSpans: [{ spans: [{ traceId, spanId, name: 'op', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000005000000' }] }],
    }],
  };
}

async function build(opts: { apiKey?: string; corsOrigins?: string[] } = {}) {
  store = fakeStore();
  const ingester = new Ingester(store, { maxInFlight: 2 });
  app = Fastify();
  await app.register(httpReceiver, { ingester, limits: DEFAULT_NORMALISE_OPTIONS, maxBodyBytes: MAX, ...opts });
  await app.ready();
}

beforeEach(() => build());
afterEach(async () => { await app.close(); await store.close(); });

const post = (url: string, payload: string | Buffer, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url, payload, headers });

describe('accepted requests', () => {
  it('accepts OTLP/JSON and answers an empty ExportTraceServiceResponse', async () => {
    const r = await post('/v1/traces', JSON.stringify(traceJson()), { 'content-type': 'application/json; charset=utf-8' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(r.json()).toEqual({});
    expect(await store.getTrace('5b8efff798038103d269b633813fc60c')).toHaveLength(1);
  });

  it('accepts gzip protobuf and answers in protobuf', async () => {
    const body = zlib.gzipSync(Buffer.from(encodeRequestProtobuf('traces', {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, 9), name: 'pb' }] }] }],
    })));
    const r = await post('/v1/traces', body, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeExportResponseProtobuf('traces', r.rawPayload)).toEqual({});
    const spans = await store.getTrace('07'.repeat(16));
    expect(spans?.[0]).toMatchObject({ spanId: '09'.repeat(8), name: 'pb', service: 'unknown_service' });
  });

  it('reports rejected spans in partial_success and keeps the rest of the batch', async () => {
    const doc = traceJson();
    doc.resourceSpans[0].scopeSpans[0].spans.push({ traceId: '', spanId: '', name: 'bad', kind: 1, startTimeUnixNano: '1', endTimeUnixNano: '2' });
    const r = await post('/v1/traces', JSON.stringify(doc), { 'content-type': 'application/json' });
    expect(r.statusCode).toBe(200);
    expect(r.json().partialSuccess).toMatchObject({ rejectedSpans: 1 });
    expect(r.json().partialSuccess.errorMessage).toMatch(/trace_id/);
    const pb = await post('/v1/traces', Buffer.from(encodeRequestProtobuf('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'no ids' }] }] }] })), { 'content-type': 'application/x-protobuf' });
    expect(decodeExportResponseProtobuf('traces', pb.rawPayload)).toMatchObject({ partialSuccess: { rejectedSpans: 1 } });
  });

  it('accepts the seed JSON (one object or an array) and answers {"status":"ok","accepted":N}', async () => {
    const r = await post('/v1/logs', JSON.stringify([
      { timestamp: 1700000000.25, severity: 'warning', message: 'a', service: 'seed' },
      { timestamp: 1700000001, severity: 'critical', message: 'b' },
    ]), { 'content-type': 'application/json' });
    expect(r.json()).toEqual({ status: 'ok', accepted: 2 });
    const logs = await store.findLogs({ limit: 10 });
    expect(logs.map((l) => [l.severityText, l.severityNumber, l.body, l.service, l.timeUnixNano])).toEqual([
      ['CRITICAL', 21, 'b', 'unknown_service', '1700000001000000000'],
      ['WARNING', 13, 'a', 'seed', '1700000000250000000'],
    ]);
  });
});

describe('error answers', () => {
  it('answers 400 with a google.rpc.Status in protobuf for garbage protobuf, and keeps serving', async () => {
    await post('/v1/traces', JSON.stringify(traceJson()), { 'content-type': 'application/json' });
    const r = await post('/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeStatusProtobuf(r.rawPayload).code).toBe(3);
    expect(await store.getTrace('5b8efff798038103d269b633813fc60c')).toHaveLength(1);
  });

  it('answers 400 with a JSON Status for invalid JSON and for a non-array resourceSpans', async () => {
    for (const body of ['{"resourceSpans": [', '{"resourceSpans": 5}']) {
      const r = await post('/v1/traces', body, { 'content-type': 'application/json' });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 3 });
    }
  });

  it('answers 415 for other content types', async () => {
    const r = await post('/v1/metrics', 'hello', { 'content-type': 'text/plain' });
    expect(r.statusCode).toBe(415);
  });

  it('answers 413 for a body over the limit and for gzip that inflates past it', async () => {
    const big = await post('/v1/logs', Buffer.alloc(MAX + 1, 32), { 'content-type': 'application/json' });
    expect(big.statusCode).toBe(413);
    const bomb = zlib.gzipSync(Buffer.alloc(MAX * 4, 32));
    expect(bomb.length).toBeLessThan(MAX);
    const r = await post('/v1/logs', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(r.statusCode).toBe(413);
  });

  it('answers 400 for a body that is not gzip although it says so', async () => {
    const r = await post('/v1/logs', 'plain', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(r.statusCode).toBe(400);
  });

  it('answers 503 with Retry-After when the store is unavailable, then 200 once it is back', async () => {
    store.failWith = UNAVAILABLE();
    const r = await post('/v1/traces', JSON.stringify(traceJson()), { 'content-type': 'application/json' });
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.json()).toMatchObject({ code: 14 });
    store.failWith = undefined;
    expect((await post('/v1/traces', JSON.stringify(traceJson()), { 'content-type': 'application/json' })).statusCode).toBe(200);
  });

  it('answers 429 with Retry-After when overloaded', async () => {
    store.failWith = OVERLOADED();
    const r = await post('/v1/traces', JSON.stringify(traceJson()), { 'content-type': 'application/json' });
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('1');
  });

  it('answers 429 when more exports are in flight than the ingester allows, acknowledging none of the refused', async () => {
    let release!: () => void;
    store.hold = new Promise((r) => { release = r; });
    const send = (i: number) => post('/v1/traces', JSON.stringify(traceJson(undefined, i.toString(16).padStart(16, '0'))), { 'content-type': 'application/json' });
    const pending = [send(1), send(2)];
    await new Promise((r) => setImmediate(r));
    const third = await send(3);
    expect(third.statusCode).toBe(429);
    release();
    expect((await Promise.all(pending)).map((r) => r.statusCode)).toEqual([200, 200]);
    expect(await store.getTrace('5b8efff798038103d269b633813fc60c')).toHaveLength(2);
  });
});

describe('Content-Encoding (RFC 9110 §8.4) and JSON details', () => {
  const json = () => Buffer.from(JSON.stringify(traceJson()));
  it.each([
    ['gzip, identity', (b: Buffer) => zlib.gzipSync(b)],
    ['identity, gzip', (b: Buffer) => zlib.gzipSync(b)],
    ['identity', (b: Buffer) => b],
    ['GZIP', (b: Buffer) => zlib.gzipSync(b)],
    [' x-gzip ', (b: Buffer) => zlib.gzipSync(b)],
    ['gzip, gzip', (b: Buffer) => zlib.gzipSync(zlib.gzipSync(b))],
    ['deflate, gzip', (b: Buffer) => zlib.gzipSync(zlib.deflateSync(b))],
    ['gzip,,identity ,', (b: Buffer) => zlib.gzipSync(b)],
  ])('accepts Content-Encoding %j, undoing the codings last first', async (encoding, encode) => {
    const r = await post('/v1/traces', encode(json()), { 'content-type': 'application/json', 'content-encoding': encoding });
    expect(r.statusCode, r.body).toBe(200);
    expect(await store.getTrace('5b8efff798038103d269b633813fc60c')).toHaveLength(1);
  });

  it.each(['br', 'gzip, br', 'zstd', 'compress', 'gzip, gzip, gzip, gzip, gzip'])('answers 415 for Content-Encoding %j', async (encoding) => {
    const r = await post('/v1/traces', json(), { 'content-type': 'application/json', 'content-encoding': encoding });
    expect(r.statusCode).toBe(415);
  });

  it('answers 413 when one step of a coding chain inflates past the limit', async () => {
    const bomb = zlib.gzipSync(zlib.gzipSync(Buffer.alloc(MAX * 4, 32)));
    const r = await post('/v1/logs', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip, gzip' });
    expect(r.statusCode).toBe(413);
  });

  it.each([
    ['OTLP/JSON', '/v1/traces', () => JSON.stringify(traceJson())],
    ['the seed JSON', '/v1/logs', () => JSON.stringify({ timestamp: 1700000000, severity: 'INFO', message: 'bom' })],
  ])('accepts %s after a UTF-8 byte order mark, also gzipped', async (_name, url, body) => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body())]);
    expect((await post(url, withBom, { 'content-type': 'application/json' })).statusCode).toBe(200);
    expect((await post(url, zlib.gzipSync(withBom), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).statusCode).toBe(200);
  });
});

describe('API key', () => {
  beforeEach(async () => { await app.close(); await build({ apiKey: 'k3y' }); });

  it('compares the key in constant time and answers 401 for a wrong, longer, shorter or missing key', async () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    for (const key of ['k3x', 'k3y!', 'k', 'K3Y', undefined]) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (key !== undefined) headers['x-otlp-api-key'] = key;
      expect((await post('/v1/traces', JSON.stringify(traceJson()), headers)).statusCode, String(key)).toBe(401);
    }
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(4);
    expect((await post('/v1/traces', JSON.stringify(traceJson()), { 'content-type': 'application/json', 'x-otlp-api-key': 'k3y' })).statusCode).toBe(200);
  });
});
