/**
 * Access control and headers of CONTRACT §6 on the real process: the OTLP API key on every port and
 * over gRPC, CORS preflight for browser exporters, the UI token (cookie and bearer), security
 * headers, and the warning when listening beyond loopback with neither secret set.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatusProtobuf, encodeRequestProtobuf } from '../helpers/otlp-protobuf.js';
import { rawRequest } from '../helpers/raw-http.js';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { tracerProvider } from '../helpers/otel-sdk.js';

const KEY = 'k3y-for-tests';
const TOKEN = 'ui-t0ken';
const ORIGIN = 'http://app.localhost:3000';
let app: TinyOllyProcess;

beforeAll(async () => {
  app = await startTinyOlly({ TINYOLLY_OTLP_API_KEY: KEY, TINYOLLY_UI_TOKEN: TOKEN, TINYOLLY_CORS_ORIGINS: `${ORIGIN},http://other.localhost` });
});
afterAll(async () => { await app?.stop(); });

const seedSpan = (name: string) => JSON.stringify({ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name, startTimeUnixNano: 1, endTimeUnixNano: 2 });
const bearer = { authorization: `Bearer ${TOKEN}` };

describe('OTLP API key', () => {
  it.each(['http', 'ui'] as const)('refuses OTLP/HTTP without the key on the %s port, in the request encoding', async (port) => {
    const url = `http://127.0.0.1:${app.ports[port]}/v1/traces`;
    const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: seedSpan('x') });
    expect(json.status).toBe(401);
    expect(await json.json()).toHaveProperty('error');
    const pb = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'x-otlp-api-key': 'wrong' }, body: Buffer.alloc(0) });
    expect(pb.status).toBe(401);
    expect(decodeStatusProtobuf(Buffer.from(await pb.arrayBuffer())).code).toBe(16);
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-otlp-api-key': KEY }, body: seedSpan('with-key') });
    expect(ok.status).toBe(200);
  });

  it.each(['http/protobuf', 'http/json', 'grpc'] as const)('lets a %s SDK exporter with the key in, and keeps one without it out', async (protocol) => {
    const target = { grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl };
    const send = async (headers: Record<string, string> | undefined) => {
      const tp = tracerProvider(target, { protocol, serviceName: `keyed-${protocol}`, headers });
      const span = tp.getTracer('t').startSpan(headers ? 'with-key' : 'without-key');
      span.end();
      await tp.shutdown();
      return span.spanContext().traceId;
    };
    const without = await send(undefined);
    const withKey = await send({ 'x-otlp-api-key': KEY });
    await waitFor(async () => (await fetch(`${app.baseUrl}/api/traces/${withKey}`, { headers: bearer })).status === 200);
    expect((await fetch(`${app.baseUrl}/api/traces/${without}`, { headers: bearer })).status).toBe(404);
  });

  it('answers UNAUTHENTICATED over gRPC without the key, and leaves health open', async () => {
    const client = new grpc.Client(`127.0.0.1:${app.ports.grpc}`, grpc.credentials.createInsecure());
    const body = Buffer.from(encodeRequestProtobuf('traces', { resourceSpans: [] }));
    const call = (md: grpc.Metadata) => new Promise<unknown>((resolve, reject) =>
      client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, body, md, (err, res) => (err ? reject(err) : resolve(res))));
    await expect(call(new grpc.Metadata())).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    const md = new grpc.Metadata();
    md.set('x-otlp-api-key', KEY);
    await expect(call(md)).resolves.toBeDefined();
    client.close();
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoPath, { enums: String })) as any;
    const health = new pkg.grpc.health.v1.Health(`127.0.0.1:${app.ports.grpc}`, grpc.credentials.createInsecure());
    const res: any = await new Promise((resolve, reject) => health.Check({ service: '' }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))));
    health.close();
    expect(res.status).toBe('SERVING');
  });
});

describe('CORS for browser exporters', () => {
  it('answers the preflight without the key and allows content-type and x-otlp-api-key', async () => {
    const res = await fetch(`${app.otlpHttpUrl}/v1/traces`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-otlp-api-key' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/content-type/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/x-otlp-api-key/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const post = await fetch(`${app.baseUrl}/v1/logs`, {
      method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json', 'x-otlp-api-key': KEY },
      body: JSON.stringify({ timestamp: 1700000000, severity: 'INFO', message: 'from a browser' }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('does not allow other origins', async () => {
    const res = await fetch(`${app.otlpHttpUrl}/v1/traces`, { method: 'OPTIONS', headers: { origin: 'http://evil.localhost', 'access-control-request-method': 'POST' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('UI token', () => {
  it('answers 401 {"error"} on /api/* without cookie or bearer, and keeps /healthz open', async () => {
    const r = await getJson(app.baseUrl, '/api/stats');
    expect(r.status).toBe(401);
    expect(r.body).toHaveProperty('error');
    expect((await getJson(app.baseUrl, '/healthz')).status).toBe(200);
    const wrong = await fetch(`${app.baseUrl}/api/stats`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${app.baseUrl}/api/stats`, { headers: bearer });
    expect(ok.status).toBe(200);
  });

  it('serves a token page without telemetry, 401 for a wrong token, and a cookie + redirect for the right one', async () => {
    await fetch(`${app.baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-otlp-api-key': KEY }, body: seedSpan('very-secret-span-name') });
    const page = await fetch(`${app.baseUrl}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/token/i);
    expect(html).not.toContain('very-secret-span-name');
    expect((await fetch(`${app.baseUrl}/?t=wrong`, { redirect: 'manual' })).status).toBe(401);

    const login = await fetch(`${app.baseUrl}/?t=${TOKEN}`, { redirect: 'manual' });
    expect([302, 303]).toContain(login.status);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(TOKEN);
    const pair = cookie.split(';')[0];
    const api = await fetch(`${app.baseUrl}/api/traces`, { headers: { cookie: pair } });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain('very-secret-span-name');
    const ui = await fetch(`${app.baseUrl}/`, { headers: { cookie: pair } });
    expect(await ui.text()).toMatch(/<script[^>]+src=/);
  });

  it('sends the UI with a CSP without inline script, frame-ancestors none and nosniff', async () => {
    const res = await fetch(`${app.baseUrl}/`);
    const csp = res.headers.get('content-security-policy')!;
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? /default-src ([^;]*)/.exec(csp)![1];
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('UI token against other spellings of the routes, and odd cookies (real process)', () => {
  it('refuses /%61pi/traces and DELETE /%61pi/data without the token, and keeps the data', async () => {
    await fetch(`${app.baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-otlp-api-key': KEY }, body: seedSpan('spelled-secret') });
    for (const [method, path] of [['GET', '/%61pi/traces'], ['DELETE', '/%61pi/data'], ['GET', '//api/traces'], ['DELETE', '/api/%64ata'], ['GET', '/API/traces']]) {
      const r = await rawRequest(app.ports.ui, method, path);
      expect([401, 404], `${method} ${path}`).toContain(r.status);
      expect(r.body).not.toContain('spelled-secret');
    }
    const r = await fetch(`${app.baseUrl}/api/traces`, { headers: bearer });
    expect(await r.text()).toContain('spelled-secret');
  });

  it('answers 401 on /api/* and the token page on / for a cookie that cannot be decoded', async () => {
    const cookie = 'tinyolly_session=%E0%A4%A';
    expect((await rawRequest(app.ports.ui, 'GET', '/api/stats', { cookie })).status).toBe(401);
    const page = await rawRequest(app.ports.ui, 'GET', '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/token/i);
  });
});

describe('Host check against DNS rebinding (real process, default install)', () => {
  it('answers 403 to a foreign Host on the UI and /api/*, keeps ingest and /healthz open, and honours TINYOLLY_ALLOWED_HOSTS', async () => {
    const open = await startTinyOlly({ TINYOLLY_ALLOWED_HOSTS: 'tinyolly.lan' });
    try {
      const evil = { host: 'rebound.attacker.example' };
      expect((await rawRequest(open.ports.ui, 'GET', '/api/traces', evil)).status).toBe(403);
      expect((await rawRequest(open.ports.ui, 'DELETE', '/api/data', evil)).status).toBe(403);
      expect((await rawRequest(open.ports.ui, 'GET', '/', evil)).status).toBe(403);
      expect((await rawRequest(open.ports.ui, 'GET', '/healthz', evil)).status).toBe(200);
      const log = JSON.stringify({ timestamp: 1700000000, severity: 'INFO', message: 'any host' });
      expect((await rawRequest(open.ports.http, 'POST', '/v1/logs', { ...evil, 'content-type': 'application/json' }, log)).status).toBe(200);
      expect((await rawRequest(open.ports.ui, 'POST', '/v1/logs', { ...evil, 'content-type': 'application/json' }, log)).status).toBe(200);
      expect((await rawRequest(open.ports.ui, 'GET', '/api/stats', { host: 'tinyolly.lan:5002' })).status).toBe(200);
      expect((await rawRequest(open.ports.ui, 'GET', '/api/stats', { host: 'localhost' })).status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});

describe('start-up warning', () => {
  it('warns on stderr when listening beyond loopback with neither secret set', async () => {
    const open = await startTinyOlly({ TINYOLLY_HOST: '0.0.0.0' });
    const { stderr } = open.output();
    await open.stop();
    expect(stderr).toContain('WARNING');
    expect(stderr).toContain('TINYOLLY_OTLP_API_KEY');
    expect(stderr).toContain('TINYOLLY_UI_TOKEN');
  });

  it('does not warn on loopback', async () => {
    const local = await startTinyOlly();
    const { stderr } = local.output();
    await local.stop();
    expect(stderr).not.toContain('WARNING');
  });
});
