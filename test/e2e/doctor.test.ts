/**
 * End to end: the instrumentation doctor (CONTRACT §9) fed by the official OpenTelemetry JS SDK:
 * GET /api/doctor finds what the instrumentation does wrong (and not what it does right), DELETE
 * /api/data forgets it, and `tinyolly doctor` (bin/tinyolly.js spawned) exits by --fail-on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ROOT, startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { tracerProvider, type Protocol } from '../helpers/otel-sdk.js';

interface Run { code: number | null; stdout: string; stderr: string }

function tinyolly(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin/tinyolly.js'), ...args], {
      cwd: ROOT, env: { ...process.env, TINYOLLY_UI_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function send(app: TinyOllyProcess, protocol: Protocol, service: string, body: (t: ReturnType<ReturnType<typeof tracerProvider>['getTracer']>) => void) {
  const tp = tracerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol, serviceName: service });
  body(tp.getTracer('doctor-e2e'));
  await tp.forceFlush();
  await tp.shutdown();
}

async function doctor(app: TinyOllyProcess, service?: string): Promise<any> {
  const res = await fetch(`${app.baseUrl}/api/doctor${service ? `?service=${encodeURIComponent(service)}` : ''}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('instrumentation doctor end to end', { timeout: 120_000 }, () => {
  let app: TinyOllyProcess;
  beforeAll(async () => { app = await startTinyOlly(); });
  afterAll(async () => { await app?.stop(); });

  it.each(['grpc', 'http/protobuf', 'http/json'] as const)('finds the SDK-sent mistakes, not the correct spans (%s)', async (protocol) => {
    await fetch(`${app.baseUrl}/api/data`, { method: 'DELETE' });
    await send(app, protocol, 'doc-bad', (t) => {
      const s = t.startSpan('GET /orders/{id}', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/orders/{id}', 'http.response.status_code': 503 } });
      s.end();
      const e = t.startSpan('charge', { attributes: { 'http.method': 'POST' } });
      e.recordException(new Error('card declined'));
      e.end();
    });
    await send(app, protocol, 'doc-good', (t) => {
      const s = t.startSpan('GET /health', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/health', 'http.response.status_code': 200 } });
      s.end();
      const f = t.startSpan('GET /fail', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/fail', 'http.response.status_code': 500 } });
      f.recordException(new Error('boom'));
      f.setStatus({ code: SpanStatusCode.ERROR });
      f.end();
    });
    const r = await doctor(app);
    expect(r.findings.map((f: any) => f.rule)).toEqual(['server-error-not-marked', 'exception-without-error', 'deprecated-semconv']);
    for (const f of r.findings) expect(f.services).toEqual(['doc-bad']);
    expect(r.findings[0]).toMatchObject({ severity: 'error', count: 1, examples: [{ traceId: expect.stringMatching(/^[0-9a-f]{32}$/), spanId: expect.stringMatching(/^[0-9a-f]{16}$/) }] });
    expect(r.findings[2].title).toContain('http.request.method');
    expect(r.rules.length).toBeGreaterThanOrEqual(11);
    expect((await doctor(app, 'doc-good')).findings).toEqual([]);
  });

  it('DELETE /api/data forgets the findings', async () => {
    await send(app, 'grpc', 'doc-bad', (t) => { const e = t.startSpan('x'); e.recordException(new Error('e')); e.end(); });
    expect((await doctor(app)).findings.length).toBeGreaterThan(0);
    expect((await fetch(`${app.baseUrl}/api/data`, { method: 'DELETE' })).status).toBe(200);
    expect((await doctor(app)).findings).toEqual([]);
  });

  it('GET /api/doctor?disable= leaves out the findings of switched-off rules and marks them not enabled', async () => {
    await fetch(`${app.baseUrl}/api/data`, { method: 'DELETE' });
    await send(app, 'http/json', 'doc-off', (t) => {
      t.startSpan('GET /x', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/x', 'http.response.status_code': 500 } }).end();
      const e = t.startSpan('y', { attributes: { 'db.statement': 'select 1' } });
      e.recordException(new Error('e'));
      e.end();
    });
    expect((await doctor(app)).findings.map((f: any) => f.rule)).toEqual(['server-error-not-marked', 'exception-without-error', 'deprecated-semconv']);
    const res = await fetch(`${app.baseUrl}/api/doctor?disable=server-error-not-marked,deprecated-semconv`);
    const r = await res.json();
    expect(r.findings.map((f: any) => f.rule)).toEqual(['exception-without-error']);
    expect(r.rules.filter((x: any) => !x.enabled).map((x: any) => x.rule).sort()).toEqual(['deprecated-semconv', 'server-error-not-marked']);
    // The switch is per answer: the rules kept running.
    expect((await doctor(app)).findings).toHaveLength(3);
  });

  it('tinyolly doctor --file checks an exported JSONL capture without a server (orphans settle at the end of the file)', async () => {
    await fetch(`${app.baseUrl}/api/data`, { method: 'DELETE' });
    await send(app, 'http/protobuf', 'doc-file', (t) => {
      t.startSpan('GET /boom', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/boom', 'http.response.status_code': 502 } }).end();
    });
    const exported = await (await fetch(`${app.baseUrl}/api/export?signal=all&format=jsonl`)).text();
    const now = BigInt(Date.now()) * 1_000_000n;
    // A child whose parent is in no line of the file.
    const orphan = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'doc-file' } }] }, scopeSpans: [{ spans: [{
      traceId: 'ef'.repeat(16), spanId: '12'.repeat(8), parentSpanId: '34'.repeat(8), name: 'child', kind: 1, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1000n) }] }] }] });
    const dir = mkdtempSync(path.join(tmpdir(), 'tinyolly-doctor-file-'));
    try {
      const file = path.join(dir, 'capture.jsonl');
      writeFileSync(file, `${exported.trimEnd()}\n${orphan}\n`);
      writeFileSync(`${file}.gz`, gzipSync(`${exported.trimEnd()}\n${orphan}\n`));
      const r = await tinyolly(['doctor', '--file', file, '--fail-on', 'error']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('[ERROR] server-error-not-marked');
      expect(r.stdout).toContain('orphan-span');
      expect(r.stdout).toContain(`trace ${'ef'.repeat(16)} span ${'12'.repeat(8)}`);
      expect(r.stderr).toContain('read 2 span(s)');
      const json = await tinyolly(['doctor', '--file', `${file}.gz`, '--json']);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout).findings.map((f: any) => f.rule).sort()).toEqual(['orphan-span', 'server-error-not-marked']);
      const off = await tinyolly(['doctor', '--file', file, '--disable', 'server-error-not-marked', '--fail-on', 'error']);
      expect(off.code).toBe(0);
      expect((await tinyolly(['doctor', '--file', path.join(dir, 'missing.jsonl')])).code).toBe(2);
      expect((await tinyolly(['doctor', '--file', file, '--url', app.baseUrl])).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tinyolly doctor exits 1 at or above --fail-on, 0 below it, 2 on a usage error', async () => {
    await fetch(`${app.baseUrl}/api/data`, { method: 'DELETE' });
    const url = ['--url', app.baseUrl];
    const clean = await tinyolly(['doctor', ...url, '--fail-on', 'info']);
    expect(clean.stdout).toContain('no findings');
    expect(clean.code).toBe(0);

    await send(app, 'grpc', 'doc-cli', (t) => { const e = t.startSpan('x', { attributes: { 'db.statement': 'select 1' } }); e.recordException(new Error('e')); e.end(); });
    const err = await tinyolly(['doctor', ...url, '--fail-on', 'error']);
    expect(err.code).toBe(0); // a warning and an info, no error
    expect(err.stdout).toContain('[WARNING] exception-without-error');
    expect(err.stdout).toContain('db.query.text');
    const warn = await tinyolly(['doctor', ...url, '--fail-on', 'warning']);
    expect(warn.code).toBe(1);
    expect(warn.stderr).toContain('1 finding at or above warning');
    const json = await tinyolly(['doctor', ...url, '--json', '--fail-on', 'info']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).findings).toHaveLength(2);
    const other = await tinyolly(['doctor', ...url, '--service', 'nobody', '--fail-on', 'info']);
    expect(other.code).toBe(0);
    const bad = await tinyolly(['doctor', ...url, '--fail-on', 'fatal']);
    expect(bad.code).toBe(2);
    const noServer = await tinyolly(['doctor', '--url', 'http://127.0.0.1:1']);
    expect(noServer.code).toBe(2);
  });
});
