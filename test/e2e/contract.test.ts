/**
 * Black-box conformance of CONTRACT §1–§6 against the real process: ready line, ports and flags,
 * ingestion encodings and errors, the seed's JSON, the model's value rules, every query parameter,
 * ordering, aggregates, TTL, limits and odd items. Complements the other e2e and receiver tests.
 */
import net from 'node:net';
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatusProtobuf, encodeRequestProtobuf } from '../helpers/otlp-protobuf.js';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import {
  get, grpcExport, jsonSpan, kv, logs, logsRequest, metricsRequest, nanos, post, postJson, postPb,
  spanId, traceId, traces, tracesRequest, unique,
} from './contract/otlp.js';

let app: TinyOllyProcess;
beforeAll(async () => { app = await startTinyOlly(); });
afterAll(async () => { await app?.stop(); });

const ids = (rows: { traceId: string }[]) => rows.map((r) => r.traceId);

// ─── §1 processes and ports ────────────────────────────────────────────────────────────────────

/** Resolves true when a TCP connection to the port succeeds. */
function connects(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Holds a port on 127.0.0.1 so that a listener asked to use it would fail. */
async function occupyPort(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('§1 processes and ports', () => {
  it('prints exactly one ready line, keys grpc, http, ui, storage in that order, with the real bound ports', async () => {
    const lines = app.output().stdout.split('\n').filter((l) => l.startsWith('tinyolly ready '));
    expect(lines).toHaveLength(1);
    const ready = JSON.parse(lines[0].slice('tinyolly ready '.length));
    expect(Object.keys(ready)).toEqual(['grpc', 'http', 'ui', 'storage']);
    expect(lines[0]).toBe(`tinyolly ready ${JSON.stringify(ready)}`);
    expect(ready.storage).toBe('memory');
    const ports = [ready.grpc, ready.http, ready.ui];
    for (const p of ports) expect(Number.isInteger(p) && p > 0 && p < 65536, `port ${p}`).toBe(true);
    expect(new Set(ports).size).toBe(3); // port 0 → three distinct free ports
    for (const p of ports) expect(await connects(p), `port ${p} accepts`).toBe(true);
    expect((await grpcExport(app, 'traces', { resourceSpans: [] })).code).toBe(0);
    // TINYOLLY_HOST=127.0.0.1 binds all three listeners there only.
    const other = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (other) {
      for (const p of ports) expect(await connects(p, other.address), `port ${p} on ${other.address}`).toBe(false);
    } else {
      console.log('contract: no non-loopback IPv4 address on this machine, bind address check of TINYOLLY_HOST not made');
    }
    expect((await post(ready.http, 'traces', '{"resourceSpans":[]}', 'application/json')).status).toBe(200);
    expect((await get(app, '/api/stats')).status).toBe(200);
  });

  it('lets CLI flags override the env vars (ports, host, storage, redis url)', async () => {
    const busy = await Promise.all([occupyPort(), occupyPort(), occupyPort()]);
    const [g, h, u] = busy.map((s) => (s.address() as net.AddressInfo).port);
    const prefix = `tinyolly-test:contract:${randomBytes(4).toString('hex')}:`;
    const flagged = await startTinyOlly({
      TINYOLLY_GRPC_PORT: String(g), TINYOLLY_HTTP_PORT: String(h), TINYOLLY_UI_PORT: String(u),
      TINYOLLY_HOST: '0.0.0.0', TINYOLLY_STORAGE: 'memory', REDIS_URL: 'redis://127.0.0.1:1', TINYOLLY_KEY_PREFIX: prefix,
    }, ['--grpc-port', '0', '--http-port=0', '--ui-port', '0', '--host', '127.0.0.1', '--storage', 'redis', '--redis-url', 'redis://127.0.0.1:6379']);
    try {
      expect(flagged.storage).toBe('redis');
      expect([flagged.ports.grpc, flagged.ports.http, flagged.ports.ui]).not.toContain(g);
      expect(flagged.output().stderr).not.toContain('WARNING'); // --host 127.0.0.1 won over 0.0.0.0
      await waitFor(async () => (await getJson(flagged.baseUrl, '/healthz')).status === 200, 10_000);
      expect((await getJson(flagged.baseUrl, '/api/stats')).body.storage).toBe('redis');
      expect((await fetch(`${flagged.baseUrl}/api/data`, { method: 'DELETE' })).status).toBe(200);
    } finally {
      await flagged.stop();
      await Promise.all(busy.map((s) => new Promise((r) => s.close(r))));
    }
  });
});

// ─── §2 ingestion ──────────────────────────────────────────────────────────────────────────────

describe('§2.1 OTLP/gRPC', () => {
  it('answers partial_success (count + message) when some spans are rejected, and keeps the rest', async () => {
    const t = traceId();
    const service = unique('grpc-partial');
    const res = await grpcExport(app, 'traces', {
      resourceSpans: [{ resource: { attributes: kv({ 'service.name': service }) }, scopeSpans: [{ spans: [
        { traceId: Buffer.from(t, 'hex'), spanId: randomBytes(8), name: 'kept', startTimeUnixNano: nanos(1700000000), endTimeUnixNano: nanos(1700000000, 5) },
        { traceId: Buffer.alloc(0), spanId: Buffer.alloc(0), name: 'no ids', startTimeUnixNano: nanos(1700000000), endTimeUnixNano: nanos(1700000000, 5) },
      ] }] }],
    });
    expect(res.code).toBe(0);
    const ps = res.response!.partialSuccess as { rejectedSpans: number; errorMessage: string };
    expect(Number(ps.rejectedSpans)).toBe(1);
    expect(ps.errorMessage).not.toBe('');
    expect((await getJson(app.baseUrl, `/api/traces/${t}`)).body.spans.map((s: any) => s.name)).toEqual(['kept']);
  });

  it('accepts a message of 12 MiB and stores the span (string attribute cut to the default 4096 chars + …)', async () => {
    const t = traceId();
    const res = await grpcExport(app, 'traces', {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.from(t, 'hex'), spanId: randomBytes(8), name: 'big', startTimeUnixNano: nanos(1700000000), endTimeUnixNano: nanos(1700000000, 1), attributes: [{ key: 'big', value: { stringValue: 'x'.repeat(12 * 1024 * 1024) } }] }] }] }],
    });
    expect(res.code, res.details).toBe(0);
    const span = (await getJson(app.baseUrl, `/api/traces/${t}`)).body.spans[0];
    expect(span.attributes.big).toBe('x'.repeat(4096) + '…');
  });
});

describe('§2.2 OTLP/HTTP encodings and errors', () => {
  const ports = () => [['4318', app.ports.http], ['5002', app.ports.ui]] as const;

  it.each(['http', 'ui'] as const)('answers in the request encoding on the %s port, with content-type parameters accepted', async (which) => {
    const port = app.ports[which];
    const empty = JSON.stringify({ resourceLogs: [] });
    for (const ct of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
      const r = await post(port, 'logs', empty, ct);
      expect(r.status, ct).toBe(200);
      expect(r.contentType, ct).toMatch(/^application\/json/);
      expect(typeof r.json, ct).toBe('object');
    }
    const gz = await post(port, 'logs', gzipSync(empty), 'application/json', { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(200);
    const pb = encodeRequestProtobuf('logs', { resourceLogs: [] });
    for (const ct of ['application/x-protobuf', 'application/x-protobuf; charset=binary']) {
      const r = await post(port, 'logs', pb, ct);
      expect(r.status, ct).toBe(200);
      expect(r.contentType, ct).toMatch(/^application\/x-protobuf/);
    }
    const pbGz = await post(port, 'logs', gzipSync(pb), 'application/x-protobuf', { 'content-encoding': 'gzip' });
    expect(pbGz.status).toBe(200);
  });

  it('answers 400 with a google.rpc.Status in the request encoding for undecodable bodies, on both ports', async () => {
    for (const [label, port] of ports()) {
      const j = await post(port, 'traces', '{"resourceSpans": [', 'application/json');
      expect(j.status, label).toBe(400);
      expect(j.contentType, label).toMatch(/^application\/json/);
      expect(typeof j.json.message, label).toBe('string');
      expect(typeof j.json.code, label).toBe('number');
      const p = await post(port, 'metrics', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), 'application/x-protobuf');
      expect(p.status, label).toBe(400);
      expect(p.contentType, label).toMatch(/^application\/x-protobuf/);
      expect(decodeStatusProtobuf(p.bytes).message, label).not.toBe('');
    }
  });

  it('answers 415 for other content types on both ports', async () => {
    for (const [label, port] of ports()) {
      for (const ct of ['text/plain', 'application/xml', 'application/grpc']) {
        expect((await post(port, 'traces', '{"resourceSpans":[]}', ct)).status, `${label} ${ct}`).toBe(415);
      }
    }
  });

  it('accepts 64-bit ints as JSON numbers or strings and enums as ints in OTLP/JSON', async () => {
    const t = traceId();
    const body = {
      resourceSpans: [{ resource: { attributes: kv({ 'service.name': 'json-numbers' }) }, scopeSpans: [{ spans: [{
        traceId: t, spanId: spanId(), name: 'numbers', kind: 3,
        startTimeUnixNano: 1700000000000000000, endTimeUnixNano: '1700000000250000000',
        attributes: [{ key: 'n', value: { intValue: 42 } }, { key: 's', value: { intValue: '43' } }],
        status: { code: 2, message: 'bad' },
      }] }] }],
    };
    await postJson(app, 'traces', body);
    const span = (await getJson(app.baseUrl, `/api/traces/${t}`)).body.spans[0];
    expect(span).toMatchObject({ kind: 'CLIENT', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000250000000', durationMs: 250, status: { code: 'ERROR', message: 'bad' }, attributes: { n: 42, s: 43 } });
  });

  it('keeps 64-bit ints sent as JSON numbers beyond 2^53 exact (times and intValue)', async () => {
    const t = traceId();
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${t}","spanId":"dddddddddddddddd","name":"big-numbers",`
      + '"startTimeUnixNano":1700000000001000000,"endTimeUnixNano":1700000000001500001,'
      + '"attributes":[{"key":"i","value":{"intValue":9007199254740993}},{"key":"max","value":{"intValue":9223372036854775807}}]}]}]}]}';
    const r = await post(app.ports.http, 'traces', body, 'application/json');
    expect(r.status).toBe(200);
    const span = (await getJson(app.baseUrl, `/api/traces/${t}`)).body.spans[0];
    expect(span).toMatchObject({ startTimeUnixNano: '1700000000001000000', endTimeUnixNano: '1700000000001500001', durationMs: 0.500001 });
    expect(span.attributes).toEqual({ i: '9007199254740993', max: '9223372036854775807' });
  });

  it('accepts a 12 MiB protobuf body over HTTP', async () => {
    const t = traceId();
    const r = await postPb(app, 'traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.from(t, 'hex'), spanId: randomBytes(8), name: 'big-http', startTimeUnixNano: nanos(1700000000), endTimeUnixNano: nanos(1700000000, 1), attributes: [{ key: 'big', value: { stringValue: 'y'.repeat(12 * 1024 * 1024) } }] }] }] }] });
    expect(r.status, r.text.slice(0, 200)).toBe(200);
    expect((await getJson(app.baseUrl, `/api/traces/${t}`)).status).toBe(200);
  });
});

describe('§2.3 the seed JSON', () => {
  it('takes the README curl examples verbatim on 5002 and stores them as documented', async () => {
    const send = async (signal: 'traces' | 'logs' | 'metrics', body: string) => {
      const r = await post(app.ports.ui, signal, body, 'application/json');
      expect(r.status, r.text).toBe(200);
      expect(r.json).toEqual({ status: 'ok', accepted: 1 });
    };
    await send('traces', `{
  "traceId": "01234567890abcdef01234567890abcdef", "spanId": "0123456789abcdef",
  "name": "test-operation",
  "startTimeUnixNano": 1700000000000000000, "endTimeUnixNano": 1700000000100000000 }`);
    await send('logs', `{
  "timestamp": 1700000000.0, "severity": "INFO",
  "trace_id": "01234567890abcdef01234567890abcdef", "message": "Test log message" }`);
    await send('metrics', `{
  "name": "test.metric", "timestamp": 1700000000.0, "value": 42.5 }`);

    const id = '01234567890abcdef01234567890abcdef';
    const tr = await getJson(app.baseUrl, `/api/traces/${id}`);
    expect(tr.status).toBe(200);
    expect(tr.body.spans[0]).toMatchObject({
      traceId: id, spanId: '0123456789abcdef', parentSpanId: null, name: 'test-operation', kind: 'INTERNAL',
      status: { code: 'UNSET' }, service: 'unknown_service',
      startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000', durationMs: 100,
    });
    const lg = await logs(app, `trace_id=${id}`);
    expect(lg).toHaveLength(1);
    expect(lg[0]).toMatchObject({ body: 'Test log message', severityText: 'INFO', severityNumber: 9, traceId: id, spanId: null, service: 'unknown_service', timeUnixNano: '1700000000000000000', timestamp: 1700000000 });
    const m = await getJson(app.baseUrl, '/api/metrics/test.metric');
    expect(m.body).toMatchObject({ name: 'test.metric', type: 'gauge', series: [{ service: 'unknown_service', labels: {}, points: [{ timestamp: 1700000000, value: 42.5 }] }] });
  });

  it('keeps ids that are not 32/16 hex as given, lowercased', async () => {
    const tid = randomBytes(17).toString('hex').toUpperCase(); // 34 chars
    const sid = 'ABCDEF012';
    const r = await post(app.ports.http, 'traces', JSON.stringify({ traceId: tid, spanId: sid, name: 'odd-ids', startTimeUnixNano: 1700000000000000000, endTimeUnixNano: 1700000000001000000 }), 'application/json');
    expect(r.json).toEqual({ status: 'ok', accepted: 1 });
    const tr = await getJson(app.baseUrl, `/api/traces/${tid.toLowerCase()}`);
    expect(tr.status).toBe(200);
    expect(tr.body.spans[0]).toMatchObject({ traceId: tid.toLowerCase(), spanId: sid.toLowerCase() });
    const t2 = traceId();
    const r2 = await post(app.ports.ui, 'traces', JSON.stringify([
      { traceId: t2, spanId: 'aaaaaaaaaaaaaaaa', name: 'seed-root', startTimeUnixNano: 1700000000000000000, endTimeUnixNano: 1700000000002000000, service: 'seed-svc', attributes: { 'http.method': 'GET', code: 200, ok: true } },
      { traceId: t2, spanId: 'bbbbbbbbbbbbbbbb', parentSpanId: 'AAAAAAAAAAAAAAAA', name: 'seed-child', startTimeUnixNano: '1700000000001000000', endTimeUnixNano: '1700000000001500000' },
    ]), 'application/json');
    expect(r2.json).toEqual({ status: 'ok', accepted: 2 });
    const spans = (await getJson(app.baseUrl, `/api/traces/${t2}`)).body.spans;
    expect(spans[0]).toMatchObject({ name: 'seed-root', service: 'seed-svc', attributes: { 'http.method': 'GET', code: 200, ok: true }, parentSpanId: null });
    expect(spans[1]).toMatchObject({ name: 'seed-child', service: 'unknown_service', parentSpanId: 'aaaaaaaaaaaaaaaa', durationMs: 0.5 });
  });

  it('keeps the digits of nanosecond timestamps sent as JSON numbers (not rounded to a double)', async () => {
    // §2.3 "Timestamps given as JSON numbers keep what precision the number has" read with §3
    // "Nanosecond times are decimal strings (exact)": the integer written is the one stored.
    const t = traceId();
    const r = await post(app.ports.ui, 'traces', `{"traceId":"${t}","spanId":"cccccccccccccccc","name":"seed-precise","startTimeUnixNano":1700000000001000000,"endTimeUnixNano":1700000000001500001}`, 'application/json');
    expect(r.json).toEqual({ status: 'ok', accepted: 1 });
    const span = (await getJson(app.baseUrl, `/api/traces/${t}`)).body.spans[0];
    expect(span).toMatchObject({ startTimeUnixNano: '1700000000001000000', endTimeUnixNano: '1700000000001500001', durationMs: 0.500001 });
  });

  it('maps severities (upper-cased text, numbers by the table) and keeps timestamp precision, from an array', async () => {
    const service = unique('seed-sev');
    const table: [string, string, number][] = [
      ['debug', 'DEBUG', 5], ['Info', 'INFO', 9], ['WARN', 'WARN', 13], ['warning', 'WARNING', 13],
      ['ERROR', 'ERROR', 17], ['fatal', 'FATAL', 21], ['critical', 'CRITICAL', 21], ['notice', 'NOTICE', 0],
    ];
    const items = table.map(([severity], i) => ({ timestamp: 1700000000 + i, severity, message: `m${i}`, service }));
    items.push({ timestamp: 1700000100.123456, severity: 'INFO', message: 'precise', service });
    const r = await post(app.ports.ui, 'logs', JSON.stringify(items), 'application/json');
    expect(r.json).toEqual({ status: 'ok', accepted: items.length });
    const got = await logs(app, `service=${service}&limit=1000`);
    const byBody = new Map(got.map((l) => [l.body, l]));
    table.forEach(([, text, num], i) => {
      expect(byBody.get(`m${i}`), `m${i}`).toMatchObject({ severityText: text, severityNumber: num, service });
    });
    expect(byBody.get('precise')).toMatchObject({ timeUnixNano: '1700000100123456000', timestamp: 1700000100.123456 });

    const metric = unique('seed.metric');
    await post(app.ports.ui, 'metrics', JSON.stringify([{ name: metric, timestamp: 1700000000.25, value: 1, labels: { room: 'lab', floor: 2 } }]), 'application/json');
    const m = (await getJson(app.baseUrl, `/api/metrics/${metric}`)).body;
    expect(m).toMatchObject({ type: 'gauge', series: [{ service: 'unknown_service', labels: { room: 'lab', floor: 2 }, points: [{ timestamp: 1700000000.25, value: 1 }] }] });
  });
});

// ─── §3 the normalised model ───────────────────────────────────────────────────────────────────

describe('§3 the normalised model', () => {
  const anyValues = {
    protobuf: [
      { key: 'big', value: { intValue: '9007199254740993' } },
      { key: 'neg', value: { intValue: '-9223372036854775808' } },
      { key: 'safe', value: { intValue: '9007199254740991' } },
      { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: 1 } }, { key: 'b', value: { arrayValue: { values: [{ stringValue: 'x' }, { boolValue: false }] } } }] } } },
      { key: 'raw', value: { bytesValue: Buffer.from([0, 1, 2, 255]) } },
    ],
    json: [
      { key: 'big', value: { intValue: '9007199254740993' } },
      { key: 'neg', value: { intValue: '-9223372036854775808' } },
      { key: 'safe', value: { intValue: 9007199254740991 } },
      { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }, { key: 'b', value: { arrayValue: { values: [{ stringValue: 'x' }, { boolValue: false }] } } }] } } },
      { key: 'raw', value: { bytesValue: 'AAEC/w==' } },
    ],
  };
  const expected = { big: '9007199254740993', neg: '-9223372036854775808', safe: 9007199254740991, kv: { a: 1, b: ['x', false] }, raw: 'AAEC/w==' };

  it.each(['protobuf', 'json'] as const)('flattens attributes from %s: int64 past 2^53 as strings, kvlist as objects, bytes as base64', async (enc) => {
    const t = traceId();
    const s = spanId();
    const span = { traceId: enc === 'json' ? t.toUpperCase() : Buffer.from(t, 'hex'), spanId: enc === 'json' ? s : Buffer.from(s, 'hex'), name: 'values', startTimeUnixNano: nanos(1700000000), endTimeUnixNano: nanos(1700000000, 3), attributes: anyValues[enc] };
    const req = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span] }] }] };
    if (enc === 'json') await postJson(app, 'traces', req);
    else expect((await postPb(app, 'traces', req)).status).toBe(200);
    const got = (await getJson(app.baseUrl, `/api/traces/${t}`)).body.spans[0];
    expect(got.traceId).toBe(t);
    expect(got.parentSpanId).toBeNull();
    expect(got.service).toBe('unknown_service');
    expect(got.attributes).toEqual(expected);
  });

  it('uses observedTimeUnixNano when timeUnixNano is 0, and derives severityText from severityNumber', async () => {
    const service = unique('log-model');
    const bands: [number, string][] = [[1, 'TRACE'], [4, 'TRACE'], [5, 'DEBUG'], [8, 'DEBUG'], [9, 'INFO'], [12, 'INFO'], [13, 'WARN'], [16, 'WARN'], [17, 'ERROR'], [20, 'ERROR'], [21, 'FATAL'], [24, 'FATAL']];
    const records: object[] = bands.map(([n], i) => ({ timeUnixNano: nanos(1700000000 + i), severityNumber: n, body: { stringValue: `band${i}` } }));
    records.push({ timeUnixNano: '0', observedTimeUnixNano: '1700000050500000000', severityNumber: 9, body: { stringValue: 'observed' } });
    records.push({ observedTimeUnixNano: '1700000051250000000', severityNumber: 9, body: { stringValue: 'observed-missing-time' } });
    await postJson(app, 'logs', logsRequest(service, records));
    const got = new Map((await logs(app, `service=${service}`)).map((l) => [l.body, l]));
    bands.forEach(([n, text], i) => expect(got.get(`band${i}`), `severityNumber ${n}`).toMatchObject({ severityNumber: n, severityText: text }));
    expect(got.get('observed')).toMatchObject({ timeUnixNano: '1700000050500000000', timestamp: 1700000050.5 });
    expect(got.get('observed-missing-time')).toMatchObject({ timeUnixNano: '1700000051250000000', timestamp: 1700000051.25 });
  });

  it('returns the five metric types with their point fields; histogram counts as numbers; delta points as sent', async () => {
    const service = unique('metric-model');
    const p = unique('mm');
    const t1 = nanos(1700000000);
    const t2 = nanos(1700000010);
    await postJson(app, 'metrics', metricsRequest(service, [
      { name: `${p}.sum`, unit: 'By', description: 'bytes', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: t1, asInt: '5' }] } },
      { name: `${p}.hist`, histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: t1, count: '4', sum: 10, min: 1, max: 6, bucketCounts: ['1', '3'], explicitBounds: [2] }] } },
      { name: `${p}.exp`, exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: t1, count: '3', sum: 7, scale: 2, zeroCount: '1', positive: { offset: -2, bucketCounts: ['1', '1'] }, negative: { offset: 0, bucketCounts: [] } }] } },
      { name: `${p}.summary`, summary: { dataPoints: [{ timeUnixNano: t1, count: '2', sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }, { quantile: 1, value: 2 }] }] } },
    ]));
    await postJson(app, 'metrics', metricsRequest(service, [
      { name: `${p}.sum`, unit: 'By', description: 'bytes', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: t2, asInt: '5' }] } },
    ]));
    const sum = (await getJson(app.baseUrl, `/api/metrics/${p}.sum`)).body;
    expect(sum).toMatchObject({ name: `${p}.sum`, type: 'sum', unit: 'By', description: 'bytes', monotonic: true, temporality: 'delta' });
    // Besides `timestamp` and `value`, the exact time and, for as_int, the exact integer (CONTRACT §11 export).
    expect(sum.series[0].points).toEqual([{ timestamp: 1700000000, timeUnixNano: t1, value: 5, asInt: '5' }, { timestamp: 1700000010, timeUnixNano: t2, value: 5, asInt: '5' }]);
    const hist = (await getJson(app.baseUrl, `/api/metrics/${p}.hist`)).body;
    expect(hist).toMatchObject({ type: 'histogram', temporality: 'cumulative' });
    expect(hist.series[0].points[0]).toMatchObject({ timestamp: 1700000000, count: 4, sum: 10, min: 1, max: 6, bucketCounts: [1, 3], explicitBounds: [2] });
    const exp = (await getJson(app.baseUrl, `/api/metrics/${p}.exp`)).body;
    expect(exp.type).toBe('exponential_histogram');
    expect(exp.series[0].points[0]).toMatchObject({ count: 3, sum: 7, scale: 2, zeroCount: 1, positive: { offset: -2, bucketCounts: [1, 1] }, negative: { offset: 0, bucketCounts: [] } });
    const summary = (await getJson(app.baseUrl, `/api/metrics/${p}.summary`)).body;
    expect(summary.type).toBe('summary');
    expect(summary.series[0].points[0]).toMatchObject({ count: 2, sum: 3, quantiles: [{ quantile: 0.5, value: 1 }, { quantile: 1, value: 2 }] });
  });
});

// ─── §4/§5 the query API ───────────────────────────────────────────────────────────────────────

const B = 1_600_000_000; // far from the other tests' times

describe('§4/§5 traces, services and the service map', () => {
  const SA = unique('qa');
  const SB = unique('qb');
  const T = { t1: traceId(), t2: traceId(), t3: traceId(), t4: traceId(), t5: traceId() };
  const root = { t1: spanId(), t2: spanId(), t3: spanId(), t4: spanId(), t5: spanId() };
  const childT1 = spanId();

  beforeAll(async () => {
    const a: object[] = [];
    const b: object[] = [];
    // T1: SA root OK 100 ms → SB child ERROR 40 ms (child sent first: spans come back by start time).
    b.push(jsonSpan({ traceId: T.t1, spanId: childT1, parentSpanId: root.t1, name: 'db Query', start: nanos(B + 10, 10), end: nanos(B + 10, 50), kind: 3, status: 2, attributes: { 'http.status_code': 200, flag: true } }));
    a.push(jsonSpan({ traceId: T.t1, spanId: root.t1, name: 'GET /Alpha', start: nanos(B + 10), end: nanos(B + 10, 100), kind: 2, status: 1 }));
    // T2: SA root UNSET 300 ms with ten 1 ms SA children (not entry spans).
    a.push(jsonSpan({ traceId: T.t2, spanId: root.t2, name: 'GET /beta', start: nanos(B + 20), end: nanos(B + 20, 300), kind: 2, attributes: { q: 'a=b' } }));
    for (let i = 0; i < 10; i++) a.push(jsonSpan({ traceId: T.t2, spanId: spanId(), parentSpanId: root.t2, name: 'internal step', start: nanos(B + 20, i + 1), end: nanos(B + 20, i + 2) }));
    // T3: SB root OK 50 ms with ten 2 ms SB children.
    b.push(jsonSpan({ traceId: T.t3, spanId: root.t3, name: 'consume', start: nanos(B + 30), end: nanos(B + 30, 50), kind: 6, status: 1 }));
    for (let i = 0; i < 10; i++) b.push(jsonSpan({ traceId: T.t3, spanId: spanId(), parentSpanId: root.t3, name: 'handle', start: nanos(B + 30, i + 1), end: nanos(B + 30, i + 3) }));
    // T4: SA root ERROR 200 ms → SB child OK 40 ms.
    a.push(jsonSpan({ traceId: T.t4, spanId: root.t4, name: 'GET /gamma', start: nanos(B + 40), end: nanos(B + 40, 200), kind: 2, status: 2 }));
    b.push(jsonSpan({ traceId: T.t4, spanId: spanId(), parentSpanId: root.t4, name: 'db call', start: nanos(B + 40, 5), end: nanos(B + 40, 45), kind: 3, status: 1, attributes: { 'http.status_code': 404 } }));
    // T5: SB span whose parent is missing, 45 ms, UNSET.
    b.push(jsonSpan({ traceId: T.t5, spanId: root.t5, parentSpanId: spanId(), name: 'orphan', start: nanos(B + 50), end: nanos(B + 50, 45) }));
    await postJson(app, 'traces', tracesRequest([{ service: SA, spans: a }, { service: SB, resourceAttrs: { 'deployment.environment': 'prod' }, spans: b }]));
  });

  it('returns a trace with its spans ordered by start time', async () => {
    const r = await getJson(app.baseUrl, `/api/traces/${T.t1}`);
    expect(r.body.traceId).toBe(T.t1);
    expect(r.body.spans.map((s: any) => s.name)).toEqual(['GET /Alpha', 'db Query']);
  });

  it('summarises a trace with every documented field', async () => {
    const [row] = await traces(app, `service=${SA}&name=alpha`);
    expect(Object.keys(row).sort()).toEqual(['durationMs', 'errorCount', 'incomplete', 'rootName', 'rootService', 'services', 'spanCount', 'startTimeUnixNano', 'traceId']);
    expect({ ...row, services: [...row.services].sort() }).toEqual({
      traceId: T.t1, rootName: 'GET /Alpha', rootService: SA, startTimeUnixNano: nanos(B + 10), durationMs: 100,
      spanCount: 2, errorCount: 1, services: [SA, SB].sort(), incomplete: false,
    });
  });

  it('lists newest start first by default; sort and order in any case', async () => {
    expect(ids(await traces(app, `service=${SA}`))).toEqual([T.t4, T.t2, T.t1]);
    expect(ids(await traces(app, `service=${SB}`))).toEqual([T.t5, T.t4, T.t3, T.t1]);
    expect(ids(await traces(app, `service=${SB}&sort=start&order=asc`))).toEqual([T.t1, T.t3, T.t4, T.t5]);
    expect(ids(await traces(app, `service=${SB}&sort=duration&order=asc`))).toEqual([T.t5, T.t3, T.t1, T.t4]);
    expect(ids(await traces(app, `service=${SB}&sort=DURATION&order=Desc`))).toEqual([T.t4, T.t1, T.t3, T.t5]);
    expect(ids(await traces(app, `service=${SB}&sort=duration`))).toEqual([T.t4, T.t1, T.t3, T.t5]);
  });

  it('filters by name (case-insensitive substring of any span) and service (any span)', async () => {
    expect(ids(await traces(app, `service=${SA}&name=QUERY`))).toEqual([T.t1]);
    expect(ids(await traces(app, `service=${SB}&name=get /`))).toEqual([T.t4, T.t1]);
    expect(ids(await traces(app, `service=${SA}&name=handle`))).toEqual([]);
  });

  it('filters by status error/ok/unset in any case', async () => {
    expect(ids(await traces(app, `service=${SA}&status=error`))).toEqual([T.t4, T.t1]);
    expect(ids(await traces(app, `service=${SA}&status=ERROR`))).toEqual([T.t4, T.t1]);
    expect(ids(await traces(app, `service=${SB}&status=Ok`))).toEqual([T.t3]);
    expect(ids(await traces(app, `service=${SB}&status=UNSET`))).toEqual([T.t5]);
    expect(ids(await traces(app, `service=${SA}&status=unset`))).toEqual([T.t2]);
  });

  it('filters by attr=KEY=VALUE against span and resource attributes, compared as text', async () => {
    expect(ids(await traces(app, `service=${SA}&attr=http.status_code=200`))).toEqual([T.t1]);
    expect(ids(await traces(app, `service=${SA}&attr=http.status_code=404`))).toEqual([T.t4]);
    expect(ids(await traces(app, `service=${SA}&attr=flag=true`))).toEqual([T.t1]);
    expect(ids(await traces(app, `service=${SA}&attr=${encodeURIComponent('q=a=b')}`))).toEqual([T.t2]);
    expect(ids(await traces(app, `service=${SA}&attr=deployment.environment=prod`))).toEqual([T.t4, T.t1]);
    expect(ids(await traces(app, `attr=service.name=${SB}`))).toEqual([T.t5, T.t4, T.t3, T.t1]);
    expect(ids(await traces(app, `service=${SA}&attr=deployment.environment=dev`))).toEqual([]);
  });

  it('bounds the trace duration with min_duration_ms / max_duration_ms (inclusive)', async () => {
    expect(ids(await traces(app, `service=${SA}&min_duration_ms=100`))).toEqual([T.t4, T.t2, T.t1]);
    expect(ids(await traces(app, `service=${SA}&min_duration_ms=150.5`))).toEqual([T.t4, T.t2]);
    expect(ids(await traces(app, `service=${SA}&max_duration_ms=100`))).toEqual([T.t1]);
    expect(ids(await traces(app, `service=${SA}&min_duration_ms=100&max_duration_ms=200`))).toEqual([T.t4, T.t1]);
  });

  it('bounds the trace start with start/end in unix seconds, inclusive, floats allowed', async () => {
    expect(ids(await traces(app, `service=${SA}&start=${B + 20}&end=${B + 40}`))).toEqual([T.t4, T.t2]);
    expect(ids(await traces(app, `service=${SA}&start=${B + 20.001}`))).toEqual([T.t4]);
    expect(ids(await traces(app, `service=${SA}&end=${B + 19.5}`))).toEqual([T.t1]);
    expect(ids(await traces(app, `service=${SA}&start=${B + 10}&end=${B + 10}`))).toEqual([T.t1]);
  });

  it('clamps limit into 1..1000 and answers 400 for a non-integer limit', async () => {
    expect(ids(await traces(app, `service=${SA}&limit=0`))).toEqual([T.t4]);
    expect(ids(await traces(app, `service=${SA}&limit=-3`))).toEqual([T.t4]);
    expect(ids(await traces(app, `service=${SA}&limit=2`))).toEqual([T.t4, T.t2]);
  });

  it.each([
    'limit=1.5', 'limit=abc', 'status=bad', 'status=errors', 'sort=name', 'order=up',
    'min_duration_ms=abc', 'max_duration_ms=1ms', 'start=yesterday', 'end=NaN', 'attr=noequals',
  ])('answers 400 {"error"} for /api/traces?%s', async (qs) => {
    const r = await get(app, `/api/traces?${qs}`);
    expect(r.status).toBe(400);
    expect(typeof r.body.error).toBe('string');
    expect(r.contentType).toMatch(/^application\/json/);
  });

  it('computes service p50/p95 over entry spans only, with span, error and log counts', async () => {
    const services = (await getJson(app.baseUrl, '/api/services')).body.services;
    const a = services.find((s: any) => s.name === SA);
    const b = services.find((s: any) => s.name === SB);
    expect(Object.keys(a).sort()).toEqual(['errorCount', 'logCount', 'metricCount', 'name', 'p50Ms', 'p95Ms', 'p99Ms', 'ratePerMinute',
      'requestCount', 'requestErrorCount', 'spanCount']);
    expect(a).toMatchObject({ spanCount: 13, errorCount: 1, requestCount: 3, logCount: 0, metricCount: 0 });
    expect(b).toMatchObject({ spanCount: 14, errorCount: 1, requestCount: 4, logCount: 0, metricCount: 0 });
    // SA entries: 100, 300, 200 (its ten 1 ms children are not entries).
    expect(a.p50Ms).toBeGreaterThanOrEqual(100);
    expect(a.p95Ms).toBeGreaterThanOrEqual(a.p50Ms);
    expect(a.p95Ms).toBeLessThanOrEqual(300);
    // SB entries: 40 and 40 (parent in SA), 50 (root), 45 (parent missing); its ten 2 ms children are not.
    expect(b.p50Ms).toBeGreaterThanOrEqual(40);
    expect(b.p95Ms).toBeGreaterThanOrEqual(b.p50Ms);
    expect(b.p95Ms).toBeLessThanOrEqual(50);
  });

  it('draws the SA → SB edge with callCount and errorCount of the child spans', async () => {
    const map = (await getJson(app.baseUrl, '/api/service-map')).body;
    expect(map.nodes).toEqual(expect.arrayContaining([{ name: SA, type: 'service' }, { name: SB, type: 'service' }]));
    const edges = map.edges.filter((e: any) => [SA, SB].includes(e.source) || [SA, SB].includes(e.target));
    expect(edges).toEqual([{ source: SA, target: SB, callCount: 2, errorCount: 1, p50Ms: expect.any(Number) }]);
  });
});

describe('§4/§5 logs', () => {
  const SL = unique('logs');
  const t = traceId();
  const s = spanId();
  const BULK = unique('logs-bulk');

  beforeAll(async () => {
    const rec = (k: number, n: number, body: object, extra: object = {}) => ({ timeUnixNano: nanos(B + k), severityNumber: n, body, ...extra });
    await postJson(app, 'logs', logsRequest(SL, [
      rec(4, 13, { stringValue: 'warn msg' }),
      rec(1, 1, { stringValue: 'trace msg' }),
      rec(6, 21, { stringValue: 'fatal msg' }),
      rec(3, 9, { stringValue: 'Hello World' }),
      rec(5, 17, { kvlistValue: { values: [{ key: 'user', value: { stringValue: 'Ann' } }, { key: 'code', value: { intValue: '7' } }] } }, { traceId: t, spanId: s }),
      rec(2, 5, { stringValue: 'debug msg' }),
    ]));
    await postJson(app, 'logs', logsRequest(BULK, Array.from({ length: 1001 }, (_, i) => ({ timeUnixNano: nanos(B + 100, i), severityNumber: 9, body: { stringValue: `bulk ${i}` } }))));
  });

  const bodies = async (qs: string) => (await logs(app, `service=${SL}&${qs}`)).map((l) => (typeof l.body === 'string' ? l.body : 'structured'));

  it('lists newest first', async () => {
    expect(await bodies('')).toEqual(['fatal msg', 'structured', 'warn msg', 'Hello World', 'debug msg', 'trace msg']);
  });

  it('takes severity as a minimum, in any case', async () => {
    expect(await bodies('severity=WARN')).toEqual(['fatal msg', 'structured', 'warn msg']);
    expect(await bodies('severity=warn')).toEqual(['fatal msg', 'structured', 'warn msg']);
    expect(await bodies('severity=Info')).toHaveLength(4);
    expect(await bodies('severity=trace')).toHaveLength(6);
    expect(await bodies('severity=DEBUG')).toHaveLength(5);
    expect(await bodies('severity=error')).toEqual(['fatal msg', 'structured']);
    expect(await bodies('severity=FATAL')).toEqual(['fatal msg']);
  });

  it('matches q as a case-insensitive substring of the body, the JSON text for structured bodies', async () => {
    expect(await bodies('q=hello')).toEqual(['Hello World']);
    expect(await bodies('q=WORLD')).toEqual(['Hello World']);
    expect(await bodies('q=ann')).toEqual(['structured']);
    expect(await bodies('q=user')).toEqual(['structured']);
  });

  it('filters by trace_id and span_id', async () => {
    expect((await logs(app, `trace_id=${t}`)).map((l) => l.body)).toEqual([{ user: 'Ann', code: 7 }]);
    expect((await logs(app, `span_id=${s}`)).map((l) => l.spanId)).toEqual([s]);
  });

  it('bounds the timestamp with start/end, inclusive, floats allowed', async () => {
    expect(await bodies(`start=${B + 2}&end=${B + 4}`)).toEqual(['warn msg', 'Hello World', 'debug msg']);
    expect(await bodies(`start=${B + 5.5}`)).toEqual(['fatal msg']);
    expect(await bodies(`end=${B + 1}`)).toEqual(['trace msg']);
  });

  it('defaults limit to 100 and clamps into 1..1000', async () => {
    expect(await logs(app, `service=${BULK}`)).toHaveLength(100);
    expect(await logs(app, `service=${BULK}&limit=5000`)).toHaveLength(1000);
    expect(await logs(app, `service=${BULK}&limit=1000`)).toHaveLength(1000);
    expect(await bodies('limit=0')).toEqual(['fatal msg']);
    expect(await bodies('limit=2')).toEqual(['fatal msg', 'structured']);
    const first = await logs(app, `service=${BULK}&limit=1`);
    expect(first[0].body).toBe('bulk 1000');
  });

  it.each(['severity=bogus', 'severity=WARNING', 'severity=13', 'limit=2.5', 'limit=x', 'start=abc', 'end=1e999'])('answers 400 {"error"} for /api/logs?%s', async (qs) => {
    const r = await get(app, `/api/logs?${qs}`);
    expect(r.status).toBe(400);
    expect(typeof r.body.error).toBe('string');
  });
});

describe('§4/§5 bulk traces', () => {
  it('defaults limit to 50 and clamps 5000 to 1000', async () => {
    const service = unique('bulk');
    const spans = Array.from({ length: 1001 }, (_, i) => jsonSpan({ traceId: traceId(), spanId: spanId(), name: `b${i}`, start: nanos(B + 200, i), end: nanos(B + 200, i + 1) }));
    await postJson(app, 'traces', tracesRequest([{ service, spans }]));
    expect(await traces(app, `service=${service}`)).toHaveLength(50);
    expect(await traces(app, `service=${service}&limit=5000`)).toHaveLength(1000);
    const newest = await traces(app, `service=${service}&limit=1`);
    expect(newest[0].rootName).toBe('b1000');
  });
});

describe('§4/§5 metrics', () => {
  const SM1 = unique('m1');
  const SM2 = unique('m2');
  const G = unique('q.gauge');
  const H = unique('q.hist');
  const gauge = (labels: Record<string, string>, points: [number, number][]) => ({
    name: G, unit: 'ms', description: 'a gauge', gauge: { dataPoints: points.map(([sec, v]) => ({ timeUnixNano: nanos(sec), asDouble: v, attributes: kv(labels) })) },
  });
  const hist = (points: [number, number][]) => ({
    name: H, histogram: { aggregationTemporality: 2, dataPoints: points.map(([sec, count]) => ({ timeUnixNano: nanos(sec), count: String(count), sum: count, bucketCounts: [String(count)], explicitBounds: [] })) },
  });

  beforeAll(async () => {
    // Newest point (B+3, value 3) is sent first; the last request carries an older point.
    await postJson(app, 'metrics', metricsRequest(SM1, [gauge({ host: 'a' }, [[B + 3, 3.5], [B + 1, 1.5]]), gauge({ host: 'c' }, [[B + 1, 10.5]]), hist([[B + 5, 9], [B + 1, 4]])]));
    await postJson(app, 'metrics', metricsRequest(SM1, [hist([[B + 3, 6]])]));
    await postJson(app, 'metrics', metricsRequest(SM2, [gauge({ host: 'b' }, [[B + 2, 2.5]])]));
  });

  it('lists each metric with type, unit, description, services, seriesCount, lastValue and lastTimestamp of the newest point', async () => {
    const list = (await getJson(app.baseUrl, '/api/metrics')).body.metrics;
    const g = list.find((m: any) => m.name === G);
    expect(Object.keys(g).sort()).toEqual(['description', 'lastTimestamp', 'lastValue', 'name', 'seriesCount', 'services', 'type', 'unit']);
    expect({ ...g, services: [...g.services].sort() }).toEqual({ name: G, type: 'gauge', unit: 'ms', description: 'a gauge', services: [SM1, SM2].sort(), seriesCount: 3, lastValue: 3.5, lastTimestamp: B + 3 });
    expect(list.find((m: any) => m.name === H)).toMatchObject({ type: 'histogram', services: [SM1], seriesCount: 1, lastValue: 9, lastTimestamp: B + 5 });
  });

  it('returns points oldest first inside each series', async () => {
    const m = (await getJson(app.baseUrl, `/api/metrics/${G}`)).body;
    const a = m.series.find((s: any) => s.labels.host === 'a');
    expect(a).toEqual({ service: SM1, labels: { host: 'a' }, points: [{ timestamp: B + 1, timeUnixNano: nanos(B + 1), value: 1.5 }, { timestamp: B + 3, timeUnixNano: nanos(B + 3), value: 3.5 }] });
    const h = (await getJson(app.baseUrl, `/api/metrics/${H}`)).body;
    expect(h.series[0].points.map((p: any) => p.count)).toEqual([4, 6, 9]);
  });

  it('keeps only points inside start/end (inclusive) and leaves out series without any', async () => {
    const m = (await getJson(app.baseUrl, `/api/metrics/${G}?start=${B + 2}&end=${B + 3}`)).body;
    const byHost = Object.fromEntries(m.series.map((s: any) => [s.labels.host, s.points.map((p: any) => p.timestamp)]));
    expect(byHost).toEqual({ a: [B + 3], b: [B + 2] });
    const none = await getJson(app.baseUrl, `/api/metrics/${G}?start=${B + 3.5}`);
    expect(none.status).toBe(200);
    expect(none.body.series).toEqual([]);
    const early = (await getJson(app.baseUrl, `/api/metrics/${G}?end=${B + 1.5}`)).body;
    expect(early.series.map((s: any) => s.labels.host).sort()).toEqual(['a', 'c']);
  });

  it('answers 404 for an unknown metric and 400 for bad start/end', async () => {
    const r = await get(app, `/api/metrics/${unique('nope')}`);
    expect(r.status).toBe(404);
    expect(typeof r.body.error).toBe('string');
    expect((await get(app, `/api/metrics/${G}?start=abc`)).status).toBe(400);
    expect((await get(app, `/api/metrics/${G}?end=soon`)).status).toBe(400);
  });

  it('counts distinct metric names per service in metricCount', async () => {
    const services = (await getJson(app.baseUrl, '/api/services')).body.services;
    expect(services.find((s: any) => s.name === SM1)).toMatchObject({ metricCount: 2, spanCount: 0, logCount: 0 });
    expect(services.find((s: any) => s.name === SM2)).toMatchObject({ metricCount: 1 });
  });
});

describe('§4 other routes', () => {
  it('answers 404 {"error"} for an unknown trace and an unknown route, as JSON', async () => {
    for (const path of [`/api/traces/${traceId()}`, '/api/nope', '/api/traces/x/y/z']) {
      const r = await get(app, path);
      expect(r.status, path).toBe(404);
      expect(typeof r.body.error, path).toBe('string');
      expect(r.contentType, path).toMatch(/^application\/json/);
    }
  });

  it('answers every read route as JSON', async () => {
    for (const path of ['/api/traces', '/api/logs', '/api/metrics', '/api/services', '/api/service-map', '/api/stats', '/healthz', `/api/traces/${traceId()}/backlinks`]) {
      const r = await get(app, path);
      expect(r.status, path).toBe(200);
      expect(r.contentType, path).toMatch(/^application\/json/);
    }
  });

  it('answers /api/stats with traces, spans, logs, metrics, storage, uptimeSeconds', async () => {
    const s = (await getJson(app.baseUrl, '/api/stats')).body;
    for (const k of ['traces', 'spans', 'logs', 'metrics', 'uptimeSeconds']) expect(typeof s[k], k).toBe('number');
    expect(s.storage).toBe('memory');
    expect(s.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });
});

// ─── §6 odd items ──────────────────────────────────────────────────────────────────────────────

describe('§6 odd items are stored as sent or counted, never a 5xx or a whole-batch 400', () => {
  const good = () => ({ traceId: randomBytes(16), spanId: randomBytes(8), name: 'good', startTimeUnixNano: nanos(1700000000), endTimeUnixNano: nanos(1700000000, 1) });
  const cases: [string, Record<string, unknown>, (span: any) => void][] = [
    ['a 5-byte trace id', { traceId: Buffer.from('0a0b0c0d0e', 'hex') }, (s) => expect(s.traceId).toBe('0a0b0c0d0e')],
    ['a 3-byte span id', { spanId: Buffer.from('0102ab', 'hex') }, (s) => expect(s.spanId).toBe('0102ab')],
    ['zero timestamps', { startTimeUnixNano: '0', endTimeUnixNano: '0' }, (s) => expect(s).toMatchObject({ startTimeUnixNano: '0', endTimeUnixNano: '0', durationMs: 0 })],
    ['far-future timestamps', { startTimeUnixNano: '18446744073709551614', endTimeUnixNano: '18446744073709551615' }, (s) => expect(s).toMatchObject({ startTimeUnixNano: '18446744073709551614', endTimeUnixNano: '18446744073709551615' })],
    ['end before start', { startTimeUnixNano: nanos(1700000000, 100), endTimeUnixNano: nanos(1700000000) }, (s) => expect(s.durationMs).toBe(0)],
    ['an empty name', { name: '' }, (s) => expect(s.name).toBe('')],
    ['an unknown kind', { kind: 42 }, (s) => expect(s.kind).toBe('UNSPECIFIED')],
    ['an unknown status code', { status: { code: 9, message: 'odd' } }, (s) => expect(['UNSET', 'OK', 'ERROR']).toContain(s.status.code)],
    ['NaN and ±Infinity attributes', { attributes: [{ key: 'nan', value: { doubleValue: NaN } }, { key: 'inf', value: { doubleValue: Infinity } }, { key: 'ninf', value: { doubleValue: -Infinity } }] },
      (s) => expect(s.attributes).toEqual({ nan: 'NaN', inf: 'Infinity', ninf: '-Infinity' })],
  ];

  it.each(cases)('a span with %s (protobuf)', async (_label, odd, check) => {
    const ok = good();
    const span = { ...good(), name: 'odd', ...odd };
    const r = await postPb(app, 'traces', { resourceSpans: [{ scopeSpans: [{ spans: [ok, span] }] }] });
    expect(r.status, r.text).toBe(200);
    expect((await getJson(app.baseUrl, `/api/traces/${ok.traceId.toString('hex')}`)).status).toBe(200);
    const rejected = Number((r.response?.partialSuccess as any)?.rejectedSpans ?? 0);
    if (rejected > 0) {
      expect(rejected).toBe(1);
      return;
    }
    const tid = Buffer.from(span.traceId as Buffer).toString('hex');
    const got = await getJson(app.baseUrl, `/api/traces/${tid}`);
    expect(got.status).toBe(200);
    check(got.body.spans.find((x: any) => x.spanId === Buffer.from(span.spanId as Buffer).toString('hex')));
  });

  const jsonCases: [string, Record<string, unknown>, (span: any) => void][] = [
    ['an odd-length hex trace id', { traceId: 'ABC' }, (s) => expect(s.traceId).toBe('abc')],
    ['a 40-hex trace id', { traceId: 'AB'.repeat(20) }, (s) => expect(s.traceId).toBe('ab'.repeat(20))],
    ['an unknown kind', { kind: 42 }, (s) => expect(s.kind).toBe('UNSPECIFIED')],
    ['end before start', { startTimeUnixNano: '1700000000100000000', endTimeUnixNano: '1700000000000000000' }, (s) => expect(s.durationMs).toBe(0)],
    ['NaN and ±Infinity attributes', { attributes: [{ key: 'nan', value: { doubleValue: 'NaN' } }, { key: 'inf', value: { doubleValue: 'Infinity' } }, { key: 'ninf', value: { doubleValue: '-Infinity' } }] },
      (s) => expect(s.attributes).toEqual({ nan: 'NaN', inf: 'Infinity', ninf: '-Infinity' })],
  ];

  it.each(jsonCases)('a span with %s (OTLP/JSON)', async (_label, odd, check) => {
    const okId = traceId();
    const span = { ...jsonSpan({ traceId: traceId(), spanId: spanId(), name: 'odd', start: nanos(1700000000), end: nanos(1700000000, 1) }), ...odd } as Record<string, any>;
    const r = await post(app.ports.http, 'traces', JSON.stringify(tracesRequest([{ service: 'odd-json', spans: [jsonSpan({ traceId: okId, spanId: spanId(), name: 'good', start: nanos(1700000000), end: nanos(1700000000, 1) }), span] }])), 'application/json');
    expect(r.status, r.text).toBe(200);
    expect((await getJson(app.baseUrl, `/api/traces/${okId}`)).status).toBe(200);
    const rejected = Number(r.json?.partialSuccess?.rejectedSpans ?? 0);
    if (rejected > 0) {
      expect(rejected).toBe(1);
      return;
    }
    const got = await getJson(app.baseUrl, `/api/traces/${String(span.traceId).toLowerCase()}`);
    expect(got.status).toBe(200);
    check(got.body.spans.find((x: any) => x.spanId === span.spanId));
  });

  it('returns NaN and ±Infinity gauge values as strings, from protobuf and OTLP/JSON', async () => {
    const name = unique('odd.gauge');
    const point = (sec: number, v: number | string) => ({ timeUnixNano: nanos(1700000000 + sec), asDouble: v });
    expect((await postPb(app, 'metrics', { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name, gauge: { dataPoints: [point(1, NaN), point(2, Infinity), point(3, -Infinity)] } }] }] }] })).status).toBe(200);
    const r = await post(app.ports.http, 'metrics', JSON.stringify(metricsRequest(undefined, [{ name, gauge: { dataPoints: [point(4, 'NaN'), point(5, 'Infinity'), point(6, '-Infinity')] } }])), 'application/json');
    expect(r.status, r.text).toBe(200);
    const m = (await getJson(app.baseUrl, `/api/metrics/${name}`)).body;
    expect(m.series[0].points.map((p: any) => p.value)).toEqual(['NaN', 'Infinity', '-Infinity', 'NaN', 'Infinity', '-Infinity']);
    const listed = (await getJson(app.baseUrl, '/api/metrics')).body.metrics.find((x: any) => x.name === name);
    expect(listed.lastValue).toBe('-Infinity');
  });

  it('stores odd log records (unknown severity, wrong-length ids, zero times) or counts them, never a 5xx', async () => {
    const service = unique('odd-logs');
    const r = await postPb(app, 'logs', { resourceLogs: [{ resource: { attributes: kv({ 'service.name': service }) }, scopeLogs: [{ logRecords: [
      { timeUnixNano: nanos(1700000000), severityNumber: 99, body: { stringValue: 'sev99' } },
      { timeUnixNano: nanos(1700000001), traceId: Buffer.from('abcd', 'hex'), spanId: Buffer.from('ef', 'hex'), body: { stringValue: 'short ids' } },
      { timeUnixNano: '0', observedTimeUnixNano: '0', body: { stringValue: 'no time' } },
      { timeUnixNano: nanos(1700000002), body: { doubleValue: NaN } },
    ] }] }] });
    expect(r.status, r.text).toBe(200);
    const rejected = Number((r.response?.partialSuccess as any)?.rejectedLogRecords ?? 0);
    const got = await logs(app, `service=${service}`);
    expect(got.length + rejected).toBe(4);
    const short = got.find((l) => l.body === 'short ids');
    if (short) expect(short).toMatchObject({ traceId: 'abcd', spanId: 'ef' });
    const nan = got.find((l) => l.body === 'NaN');
    if (!nan) expect(rejected).toBeGreaterThan(0);
  });
});

// ─── §6 limits ─────────────────────────────────────────────────────────────────────────────────

describe('§6 attribute and series limits', () => {
  let lim: TinyOllyProcess;
  beforeAll(async () => {
    lim = await startTinyOlly({ TINYOLLY_MAX_ATTRIBUTES: '3', TINYOLLY_MAX_ATTRIBUTE_LENGTH: '10', TINYOLLY_MAX_SERIES_PER_METRIC: '2', TINYOLLY_MAX_REQUEST_MB: '1' });
  });
  afterAll(async () => { await lim?.stop(); });

  const five = { k1: 'v1', k2: 2, k3: true, k4: 'v4', k5: 'v5' };

  it('keeps the first N attributes of spans, events, links, logs and resources, and always service.name', async () => {
    const t = traceId();
    const service = 'svc'; // within the 10-char limit: service.name is a string attribute too
    await postJson(lim, 'traces', { resourceSpans: [{ resource: { attributes: kv({ r1: 'a', r2: 'b', r3: 'c', r4: 'd', 'service.name': service }) }, scopeSpans: [{ spans: [{
      ...jsonSpan({ traceId: t, spanId: spanId(), name: 'limited', start: nanos(1700000000), end: nanos(1700000000, 1), attributes: five }),
      events: [{ name: 'e', timeUnixNano: nanos(1700000000), attributes: kv(five) }],
      links: [{ traceId: traceId(), spanId: spanId(), attributes: kv(five) }],
    }] }] }] });
    const span = (await getJson(lim.baseUrl, `/api/traces/${t}`)).body.spans[0];
    expect(span.attributes).toEqual({ k1: 'v1', k2: 2, k3: true });
    expect(span.events[0].attributes).toEqual({ k1: 'v1', k2: 2, k3: true });
    expect(span.links[0].attributes).toEqual({ k1: 'v1', k2: 2, k3: true });
    expect(span.service).toBe(service);
    expect(span.resource['service.name']).toBe(service);
    expect(span.resource.r1).toBe('a');
    expect(span.resource.r4).toBeUndefined();
    expect(Object.keys(span.resource).length).toBeLessThanOrEqual(4);

    await postJson(lim, 'logs', logsRequest('lim-logs', [{ timeUnixNano: nanos(1700000000), body: { stringValue: 'x' }, attributes: kv(five) }]));
    const log = (await logs(lim, 'service=lim-logs'))[0];
    expect(log.attributes).toEqual({ k1: 'v1', k2: 2, k3: true });
  });

  it('answers 413 / RESOURCE_EXHAUSTED past TINYOLLY_MAX_REQUEST_MB (MiB), compressed or after inflating, and accepts just under it', async () => {
    const MiB = 1024 * 1024;
    const request = (chars: number) => ({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: randomBytes(16), spanId: randomBytes(8), name: 'sized', startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [{ key: 'pad', value: { stringValue: 'p'.repeat(chars) } }] }] }] }] });
    const under = encodeRequestProtobuf('traces', request(MiB - 200));
    const over = encodeRequestProtobuf('traces', request(MiB + 10));
    expect(under.length).toBeLessThanOrEqual(MiB);
    expect((await post(lim.ports.http, 'traces', under, 'application/x-protobuf')).status).toBe(200);
    for (const port of [lim.ports.http, lim.ports.ui]) {
      expect((await post(port, 'traces', over, 'application/x-protobuf')).status).toBe(413);
      const bomb = gzipSync(over);
      expect(bomb.length).toBeLessThan(MiB);
      expect((await post(port, 'traces', bomb, 'application/x-protobuf', { 'content-encoding': 'gzip' })).status).toBe(413);
    }
    expect((await grpcExport(lim, 'traces', over)).code).toBe(8); // RESOURCE_EXHAUSTED
    expect((await grpcExport(lim, 'traces', under)).code).toBe(0);
  });

  it('cuts strings longer than the limit at any depth and string log bodies to N chars + …', async () => {
    const t = traceId();
    await postJson(lim, 'traces', tracesRequest([{ service: 'cut', spans: [{
      ...jsonSpan({ traceId: t, spanId: spanId(), name: 'cut', start: nanos(1700000000), end: nanos(1700000000, 1) }),
      attributes: [
        { key: 'long', value: { stringValue: 'abcdefghijklmnop' } },
        { key: 'exact', value: { stringValue: 'abcdefghij' } },
        { key: 'nested', value: { arrayValue: { values: [{ stringValue: 'abcdefghijklm' }, { kvlistValue: { values: [{ key: 'deep', value: { stringValue: '0123456789ABC' } }] } }] } } },
      ],
    }] }]));
    const span = (await getJson(lim.baseUrl, `/api/traces/${t}`)).body.spans[0];
    expect(span.attributes).toEqual({ long: 'abcdefghij…', exact: 'abcdefghij', nested: ['abcdefghij…', { deep: '0123456789…' }] });
    const t2 = traceId();
    await postJson(lim, 'traces', tracesRequest([{ service: 'cut', spans: [{
      ...jsonSpan({ traceId: t2, spanId: spanId(), name: 'cut2', start: nanos(1700000000), end: nanos(1700000000, 1) }),
      attributes: [
        { key: 'emoji', value: { stringValue: '😀'.repeat(6) } }, // 12 UTF-16 units, 6 code points
        { key: 'number', value: { intValue: '12345678901234' } },
      ],
    }] }]));
    expect((await getJson(lim.baseUrl, `/api/traces/${t2}`)).body.spans[0].attributes).toEqual({ emoji: '😀'.repeat(5) + '…', number: 12345678901234 });
    await postJson(lim, 'logs', logsRequest('cut-logs', [{ timeUnixNano: nanos(1700000000), body: { stringValue: 'a long log body' } }]));
    expect((await logs(lim, 'service=cut-logs'))[0].body).toBe('a long log…');
  });

  it('rejects points of series past the cap, counting them in partial_success and distinct series in droppedSeries', async () => {
    const name = 'capped.metric';
    const req = (labels: string[]) => metricsRequest('cap', [{ name, gauge: { dataPoints: labels.map((i) => ({ timeUnixNano: nanos(1700000000), asDouble: 1.5, attributes: kv({ i }) })) } }]);
    const first = await postJson(lim, 'metrics', req(['0', '1', '2', '3']));
    expect(Number(first.partialSuccess?.rejectedDataPoints)).toBe(2);
    expect(first.partialSuccess.errorMessage).toBeTruthy();
    const m = (await getJson(lim.baseUrl, `/api/metrics/${name}`)).body;
    expect(m.series.map((s: any) => s.labels.i).sort()).toEqual(['0', '1']);
    expect((await getJson(lim.baseUrl, '/api/stats')).body.droppedSeries).toBe(2);

    const viaGrpc = await grpcExport(lim, 'metrics', { resourceMetrics: [{ resource: { attributes: kv({ 'service.name': 'cap' }) }, scopeMetrics: [{ metrics: [{ name, gauge: { dataPoints: [
      { timeUnixNano: nanos(1700000001), asDouble: 2, attributes: kv({ i: '0' }) },
      { timeUnixNano: nanos(1700000001), asDouble: 2, attributes: kv({ i: '4' }) },
    ] } }] }] }] });
    expect(viaGrpc.code).toBe(0);
    expect(Number((viaGrpc.response!.partialSuccess as any).rejectedDataPoints)).toBe(1);
    expect((await getJson(lim.baseUrl, '/api/stats')).body.droppedSeries).toBe(3);

    const again = await postPb(lim, 'metrics', { resourceMetrics: [{ resource: { attributes: kv({ 'service.name': 'cap' }) }, scopeMetrics: [{ metrics: [{ name, gauge: { dataPoints: [{ timeUnixNano: nanos(1700000002), asDouble: 3, attributes: kv({ i: '2' }) }] } }] }] }] });
    expect(Number((again.response!.partialSuccess as any).rejectedDataPoints)).toBe(1);
    expect((await getJson(lim.baseUrl, '/api/stats')).body.droppedSeries).toBe(3); // distinct series refused

    const other = await postJson(lim, 'metrics', metricsRequest('cap', [{ name: 'other.metric', gauge: { dataPoints: [{ timeUnixNano: nanos(1700000000), asDouble: 1, attributes: kv({ i: 'x' }) }, { timeUnixNano: nanos(1700000000), asDouble: 1, attributes: kv({ i: 'y' }) }] } }]));
    expect(Number(other.partialSuccess?.rejectedDataPoints ?? 0)).toBe(0);
    const series0 = (await getJson(lim.baseUrl, `/api/metrics/${name}`)).body.series.find((s: any) => s.labels.i === '0');
    expect(series0.points.map((p: any) => p.value)).toEqual([1.5, 2]);
  });
});

// ─── §1.2/§5 TTL, with --ttl over the env var ────────────────────────────────────────────────────

describe('§1.2/§5 TTL', () => {
  it('drops every item from every answer within TTL + 5 s (TINYOLLY_TTL_SECONDS, and --ttl over the env var)', async () => {
    const [byEnv, byFlag] = await Promise.all([
      startTinyOlly({ TINYOLLY_TTL_SECONDS: '2', TINYOLLY_MAX_SERIES_PER_METRIC: '1' }),
      startTinyOlly({ TINYOLLY_TTL_SECONDS: '600' }, ['--ttl', '2']),
    ]);
    try {
      const seeded = await Promise.all([byEnv, byFlag].map(async (inst) => {
        const t = traceId();
        const sentAt = Date.now();
        await postJson(inst, 'traces', tracesRequest([{ service: 'ttl-svc', spans: [jsonSpan({ traceId: t, spanId: spanId(), name: 'ttl', start: nanos(1700000000), end: nanos(1700000000, 1) })] }]));
        await postJson(inst, 'logs', logsRequest('ttl-svc', [{ timeUnixNano: nanos(1700000000), body: { stringValue: 'ttl' } }]));
        await postJson(inst, 'metrics', metricsRequest('ttl-svc', [{ name: 'ttl.metric', gauge: { dataPoints: [{ timeUnixNano: nanos(1700000000), asDouble: 1 }] } }]));
        if (inst === byEnv) { // one series allowed: a second one is refused until the first expires
          const refused = await postJson(inst, 'metrics', metricsRequest('ttl-svc', [{ name: 'ttl.metric', gauge: { dataPoints: [{ timeUnixNano: nanos(1700000000), asDouble: 2, attributes: kv({ late: 'yes' }) }] } }]));
          expect(Number(refused.partialSuccess?.rejectedDataPoints)).toBe(1);
        }
        expect((await getJson(inst.baseUrl, `/api/traces/${t}`)).status).toBe(200);
        return { inst, t, sentAt };
      }));
      await Promise.all(seeded.map(async ({ inst, t, sentAt }) => {
        const gone = async () => {
          const [tr, list, lg, m, ml, sv, st] = await Promise.all([
            getJson(inst.baseUrl, `/api/traces/${t}`), getJson(inst.baseUrl, '/api/traces'), getJson(inst.baseUrl, '/api/logs'),
            getJson(inst.baseUrl, '/api/metrics/ttl.metric'), getJson(inst.baseUrl, '/api/metrics'), getJson(inst.baseUrl, '/api/services'),
            getJson(inst.baseUrl, '/api/stats'),
          ]);
          return tr.status === 404 && list.body.traces.length === 0 && lg.body.logs.length === 0 && m.status === 404
            && ml.body.metrics.length === 0 && sv.body.services.length === 0 && st.body.spans === 0 && st.body.logs === 0;
        };
        const deadline = sentAt + (2 + 5) * 1000;
        await waitFor(gone, Math.max(0, deadline - Date.now()), 200).catch(async () => {
          const snapshot = await Promise.all(['/api/traces', '/api/logs', '/api/metrics', '/api/services', '/api/stats'].map((p) => getJson(inst.baseUrl, p).then((r) => `${p}: ${JSON.stringify(r.body)}`)));
          throw new Error(`not gone within TTL + 5 s:\n${snapshot.join('\n')}`);
        });
      }));
      const freed = await postJson(byEnv, 'metrics', metricsRequest('ttl-svc', [{ name: 'ttl.metric', gauge: { dataPoints: [{ timeUnixNano: nanos(1700000000), asDouble: 2, attributes: kv({ late: 'yes' }) }] } }]));
      expect(Number(freed.partialSuccess?.rejectedDataPoints ?? 0), 'a series that expired frees its slot').toBe(0);
      expect((await getJson(byEnv.baseUrl, '/api/metrics/ttl.metric')).body.series.map((x: any) => x.labels)).toEqual([{ late: 'yes' }]);
    } finally {
      await Promise.all([byEnv.stop(), byFlag.stop()]);
    }
  });
});

// ─── §4 DELETE /api/data ───────────────────────────────────────────────────────────────────────

describe('§4 DELETE /api/data', () => {
  it('counts exactly in /api/stats, then removes everything and answers {"status":"ok"}', async () => {
    const fresh = await startTinyOlly();
    try {
      const t1 = traceId();
      const root = spanId();
      await postJson(fresh, 'traces', tracesRequest([
        { service: 'd1', spans: [jsonSpan({ traceId: t1, spanId: root, name: 'r', start: nanos(1700000000), end: nanos(1700000000, 10) })] },
        { service: 'd2', spans: [
          jsonSpan({ traceId: t1, spanId: spanId(), parentSpanId: root, name: 'c', start: nanos(1700000000, 1), end: nanos(1700000000, 5), status: 2 }),
          jsonSpan({ traceId: traceId(), spanId: spanId(), name: 'other', start: nanos(1700000001), end: nanos(1700000001, 1) }),
        ] },
      ]));
      await postJson(fresh, 'logs', logsRequest('d1', [{ timeUnixNano: nanos(1700000000), body: { stringValue: 'a' } }, { timeUnixNano: nanos(1700000001), body: { stringValue: 'b' } }]));
      await postJson(fresh, 'metrics', metricsRequest('d1', [{ name: 'd.metric', gauge: { dataPoints: [{ timeUnixNano: nanos(1700000000), asDouble: 1 }] } }]));
      const before = (await getJson(fresh.baseUrl, '/api/stats')).body;
      expect(before).toMatchObject({ traces: 2, spans: 3, logs: 2, metrics: 1, storage: 'memory' });
      const map = (await getJson(fresh.baseUrl, '/api/service-map')).body;
      expect(map.edges).toEqual([{ source: 'd1', target: 'd2', callCount: 1, errorCount: 1, p50Ms: expect.any(Number) }]);

      const del = await fetch(`${fresh.baseUrl}/api/data`, { method: 'DELETE' });
      expect(del.status).toBe(200);
      expect(await del.json()).toEqual({ status: 'ok' });

      expect((await getJson(fresh.baseUrl, '/api/stats')).body).toMatchObject({ traces: 0, spans: 0, logs: 0, metrics: 0 });
      expect((await getJson(fresh.baseUrl, '/api/traces')).body.traces).toEqual([]);
      expect((await getJson(fresh.baseUrl, '/api/logs')).body.logs).toEqual([]);
      expect((await getJson(fresh.baseUrl, '/api/metrics')).body.metrics).toEqual([]);
      expect((await getJson(fresh.baseUrl, '/api/services')).body.services).toEqual([]);
      expect((await getJson(fresh.baseUrl, '/api/service-map')).body).toEqual({ nodes: [], edges: [] });
      expect((await getJson(fresh.baseUrl, `/api/traces/${t1}`)).status).toBe(404);
      expect((await getJson(fresh.baseUrl, '/api/metrics/d.metric')).status).toBe(404);
    } finally {
      await fresh.stop();
    }
  });
});
