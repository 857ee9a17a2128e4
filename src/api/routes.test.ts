/**
 * The query API's guards and answers on a real listener (in process, port 0): the UI token holds
 * however a path is spelled, a cookie that cannot be decoded is no cookie, the Host check against DNS
 * rebinding, strict query numbers, long ids and names and dot-named metrics reachable by their routes,
 * and read failures answered 503 (store) or 500 (anything else), never the other way round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Running } from '../app.js';
import { DEFAULT_CONFIG, type Config } from '../config.js';
import { TinyOllyError } from '../errors.js';
import { fakeStore } from '../../test/helpers/fake-store.js';
import { rawRequest } from '../../test/helpers/raw-http.js';

const TOKEN = 'ui-t0ken';
const SECRET_SPAN = 'very-secret-span-name';
const TRACE_ID = 'ab'.repeat(16);
const base: Config = { ...DEFAULT_CONFIG, host: '127.0.0.1', grpcPort: 0, httpPort: 0, uiPort: 0 };

async function seedSpan(app: Running, traceId: string, name: string) {
  const r = await rawRequest(app.ports.http, 'POST', '/v1/traces', { 'content-type': 'application/json' },
    JSON.stringify({ traceId, spanId: 'cd'.repeat(8), name, startTimeUnixNano: 1, endTimeUnixNano: 2 }));
  expect(r.status).toBe(200);
}

async function seedMetric(app: Running, name: string) {
  const r = await rawRequest(app.ports.http, 'POST', '/v1/metrics', { 'content-type': 'application/json' },
    JSON.stringify({ name, timestamp: 1700000000, value: 1 }));
  expect(r.status).toBe(200);
}

describe('with TINYOLLY_UI_TOKEN set', () => {
  let app: Running;
  beforeAll(async () => {
    app = await start({ ...base, uiToken: TOKEN });
    await seedSpan(app, TRACE_ID, SECRET_SPAN);
  });
  afterAll(() => app?.close());
  const bearer = { authorization: `Bearer ${TOKEN}` };

  it.each([
    ['GET', '/%61pi/traces'], ['GET', '/%61%70%69/traces'], ['GET', '/api/%74races'], ['GET', '/%2561pi/traces'],
    ['GET', '/api%2Ftraces'], ['GET', '/%61pi%2Ftraces'], ['GET', '/x/../api/traces'], ['GET', '/api/./traces'],
    ['GET', '/./api/traces'], ['GET', '/api/x/../traces'], ['GET', '//api/traces'], ['GET', '/api//traces'],
    ['GET', '/API/traces'], ['GET', '/Api/Traces'], ['GET', '/api/TRACES'], ['GET', '/api/traces/'],
    ['GET', `/%61pi/traces/${TRACE_ID}`], ['GET', `/api/traces/${TRACE_ID.toUpperCase()}`], ['GET', '/api/traces?'],
    ['GET', '/api/traces;x'], ['HEAD', '/%61pi/traces'], ['GET', '/api'], ['GET', '/api/'], ['GET', '/api/nothing'],
    ['DELETE', '/%61pi/data'], ['DELETE', '/api/%64ata'], ['DELETE', '//api/data'], ['DELETE', '/API/data'],
    ['DELETE', '/api/./data'], ['DELETE', '/x/../api/data'], ['DELETE', '/api%2Fdata'],
  ])('refuses %s %s without the token (401, or 404 when nothing routes it)', async (method, path) => {
    const r = await rawRequest(app.ports.ui, method, path);
    expect([401, 404], `${r.status} ${r.body}`).toContain(r.status);
    expect(r.body).not.toContain(SECRET_SPAN);
    if (method !== 'HEAD') expect(JSON.parse(r.body)).toHaveProperty('error');
  });

  it('still holds the data after every DELETE above, and answers the real routes with the token', async () => {
    const r = await rawRequest(app.ports.ui, 'GET', '/api/traces', bearer);
    expect(r.status).toBe(200);
    expect(r.body).toContain(SECRET_SPAN);
  });

  it.each(['%E0%A4%A', '%', '%ZZ', '%FF%FE', 'a%00b', '"unterminated'])('treats a session cookie %j that cannot be decoded as no cookie', async (value) => {
    const cookie = `tinyolly_session=${value}`;
    const api = await rawRequest(app.ports.ui, 'GET', '/api/stats', { cookie });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toHaveProperty('error');
    const page = await rawRequest(app.ports.ui, 'GET', '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/token/i);
    expect(page.body).not.toContain(SECRET_SPAN);
    const both = await rawRequest(app.ports.ui, 'GET', '/api/stats', { cookie, ...bearer });
    expect(both.status).toBe(200);
  });

  it('sets a session cookie that then opens /api/*, next to other cookies', async () => {
    const login = await rawRequest(app.ports.ui, 'GET', `/?t=${TOKEN}`);
    expect(login.status).toBe(303);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const pair = setCookie.split(';')[0];
    const r = await rawRequest(app.ports.ui, 'GET', '/api/traces', { cookie: `other=%E0%A4%A; ${pair}; x=y` });
    expect(r.status).toBe(200);
  });
});

describe('the Host check (DNS rebinding)', () => {
  let app: Running;
  beforeAll(async () => {
    app = await start({ ...base, allowedHosts: ['tinyolly.lan', 'box.example:8080'] });
    await seedSpan(app, TRACE_ID, SECRET_SPAN);
  });
  afterAll(() => app?.close());

  it.each([
    ['GET', '/api/traces'], ['GET', `/api/traces/${TRACE_ID}`], ['GET', '/'], ['DELETE', '/api/data'], ['GET', '/%61pi/traces'],
  ])('answers 403 {"error"} to %s %s for a host name that is not allowed', async (method, path) => {
    for (const host of ['attacker.example', 'attacker.example:5002', '127.0.0.1.attacker.example', 'localhost.attacker.example', 'box.example:9999', 'tinyolly.lan.example']) {
      const r = await rawRequest(app.ports.ui, method, path, { host });
      expect(r.status, host).toBe(403);
      expect(JSON.parse(r.body), host).toHaveProperty('error');
      expect(r.body).not.toContain(SECRET_SPAN);
    }
    expect((await rawRequest(app.ports.ui, 'GET', '/api/traces')).body).toContain(SECRET_SPAN);
  });

  it.each(['localhost', 'localhost:5002', 'LOCALHOST:1', 'app.localhost', '127.0.0.1', '127.1.2.3:80', '[::1]', '[::1]:5002', 'tinyolly.lan', 'TinyOlly.LAN:5002', 'box.example:8080'])('answers the UI and /api/* for Host %s', async (host) => {
    expect((await rawRequest(app.ports.ui, 'GET', '/api/stats', { host })).status).toBe(200);
    expect((await rawRequest(app.ports.ui, 'GET', '/', { host })).status).toBe(200);
  });

  it('keeps ingest on both ports and /healthz open to any Host', async () => {
    const host = 'collector.elsewhere.example';
    for (const port of [app.ports.http, app.ports.ui]) {
      const r = await rawRequest(port, 'POST', '/v1/logs', { host, 'content-type': 'application/json' }, JSON.stringify({ timestamp: 1700000000, severity: 'INFO', message: 'from afar' }));
      expect(r.status).toBe(200);
      expect((await rawRequest(port, 'GET', '/healthz', { host })).status).toBe(200);
    }
  });
});

describe('query parameters, long ids and odd metric names', () => {
  let app: Running;
  const longTraceId = 'ab'.repeat(2048);
  const longName = 'é'.repeat(255);
  beforeAll(async () => {
    app = await start(base);
    await seedSpan(app, longTraceId, 'long-id');
    for (const name of [longName, '.', '..', 'plain']) await seedMetric(app, name);
  });
  afterAll(() => app?.close());

  it.each([
    '/api/traces?limit=0x10', '/api/traces?limit=1.5', '/api/traces?limit=%20', '/api/traces?limit=1e2', '/api/traces?limit=ten',
    '/api/traces?start=%20', '/api/traces?start=0x10', '/api/traces?end=abc', '/api/traces?start=Infinity', '/api/traces?end=NaN',
    '/api/traces?min_duration_ms=0x1', '/api/traces?max_duration_ms=%20', '/api/logs?limit=0x10', '/api/logs?start=%20',
    '/api/logs?end=1_000', '/api/metrics/plain?start=%20', '/api/metrics/plain?end=0b1', '/api/traces?limit=1&limit=2',
  ])('answers 400 {"error"} for %s', async (path) => {
    const r = await rawRequest(app.ports.ui, 'GET', path);
    expect(r.status, r.body).toBe(400);
    expect(JSON.parse(r.body)).toHaveProperty('error');
  });

  it.each([
    '/api/traces?limit=16', '/api/traces?limit=5000', '/api/traces?limit=-3', '/api/traces?limit=', '/api/traces?start=1e3&end=1.5e20',
    '/api/traces?start=-1.5&end=.5', '/api/logs?limit=%2B7', '/api/metrics/plain?start=1700000000.0&end=1700000001',
  ])('answers 200 for %s', async (path) => {
    expect((await rawRequest(app.ports.ui, 'GET', path)).status).toBe(200);
  });

  it('opens a trace whose id is 4096 characters long', async () => {
    const r = await rawRequest(app.ports.ui, 'GET', `/api/traces/${longTraceId}`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).spans[0].name).toBe('long-id');
    expect((await rawRequest(app.ports.ui, 'GET', `/api/traces/${longTraceId}/backlinks`)).status).toBe(200);
  });

  it('opens a metric whose name is 255 non-ASCII characters (1530 encoded)', async () => {
    const r = await rawRequest(app.ports.ui, 'GET', `/api/metrics/${encodeURIComponent(longName)}`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).name).toBe(longName);
  });

  it.each([['.', '%2E'], ['..', '%2E%2E'], ['..', '..'], ['.', '.']])('routes metric %j sent as /api/metrics/%s, and as /api/metric?name=', async (name, segment) => {
    const r = await rawRequest(app.ports.ui, 'GET', `/api/metrics/${segment}`);
    expect(r.status, r.body).toBe(200);
    expect(JSON.parse(r.body).name).toBe(name);
    const q = await rawRequest(app.ports.ui, 'GET', `/api/metric?name=${encodeURIComponent(name)}&start=1`);
    expect(q.status).toBe(200);
    expect(JSON.parse(q.body).name).toBe(name);
  });

  it('answers 404 for an unknown metric through either route, and 400 for /api/metric without a name', async () => {
    expect((await rawRequest(app.ports.ui, 'GET', '/api/metric?name=nope')).status).toBe(404);
    expect((await rawRequest(app.ports.ui, 'GET', '/api/metrics/nope')).status).toBe(404);
    expect((await rawRequest(app.ports.ui, 'GET', '/api/metric')).status).toBe(400);
  });
});

describe('read failures', () => {
  it('answers a store failure 503 with Retry-After, and anything else 500 {"error"}, logged once with its stack', async () => {
    const store = fakeStore();
    const logged: string[] = [];
    const app = await start(base, { store, logError: (line) => logged.push(line) });
    try {
      store.findTraces = async () => { throw new TinyOllyError('unavailable', 'redis unavailable: down'); };
      const down = await rawRequest(app.ports.ui, 'GET', '/api/traces');
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('1');
      expect(logged).toEqual([]);

      store.findTraces = async () => { throw new TypeError('cannot read properties of undefined (reading \'spans\')'); };
      const bug = await rawRequest(app.ports.ui, 'GET', '/api/traces');
      expect(bug.status).toBe(500);
      expect(bug.headers['retry-after']).toBeUndefined();
      expect(JSON.parse(bug.body)).toHaveProperty('error');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain('TypeError: cannot read properties');
      expect(logged[0]).toMatch(/\n\s+at /);

      store.listServices = () => { throw new RangeError('sync throw'); };
      expect((await rawRequest(app.ports.ui, 'GET', '/api/services')).status).toBe(500);
      expect(logged).toHaveLength(2);
    } finally {
      await app.close();
    }
  });
});
