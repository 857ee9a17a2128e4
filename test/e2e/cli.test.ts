/**
 * End to end: the real `tinyolly wait` and `tinyolly assert` commands (bin/tinyolly.js spawned as a
 * child) against a real TinyOlly fed by the official OpenTelemetry JS SDK: exit codes and output,
 * text and --json, and the UI token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ROOT, startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { loggerProvider, tracerProvider } from '../helpers/otel-sdk.js';

interface Run { code: number | null; stdout: string; stderr: string }

function tinyolly(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin/tinyolly.js'), ...args], {
      cwd: ROOT, env: { ...process.env, TINYOLLY_UI_TOKEN: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Sends one trace: root `name` (status OK, or ERROR with a failing child) lasting `ms`. */
async function sendTrace(app: TinyOllyProcess, service: string, name: string, opts: { error?: boolean; ms?: number } = {}): Promise<string> {
  const tp = tracerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol: 'grpc', serviceName: service });
  const tracer = tp.getTracer('cli-e2e');
  const t0 = Date.now() - 5000;
  const root = tracer.startSpan(name, { startTime: new Date(t0) });
  const child = tracer.startSpan('reserve stock', { startTime: new Date(t0 + 1) }, trace.setSpan(context.active(), root));
  if (opts.error) child.setStatus({ code: SpanStatusCode.ERROR, message: 'out of stock' });
  child.end(new Date(t0 + 2));
  root.setStatus({ code: opts.error ? SpanStatusCode.ERROR : SpanStatusCode.OK });
  root.end(new Date(t0 + (opts.ms ?? 50)));
  await tp.forceFlush();
  await tp.shutdown();
  return root.spanContext().traceId;
}

describe('tinyolly wait and assert', { timeout: 120_000 }, () => {
  let app: TinyOllyProcess;
  let url: string[];
  beforeAll(async () => {
    app = await startTinyOlly();
    url = ['--url', app.baseUrl];
  });
  afterAll(async () => { await app?.stop(); });

  it('wait exits 0 once a matching trace arrives, printing it', async () => {
    const since = String(Date.now() / 1000);
    const waiting = tinyolly(['wait', ...url, '--service', 'cli-shop', '--name', 'POST /checkout', '--since', since, '--timeout', '30s']);
    const traceId = await sendTrace(app, 'cli-shop', 'POST /checkout');
    const r = await waiting;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^matched 1 trace \(service=cli-shop name=POST \/checkout\)\n/);
    expect(r.stdout).toContain(`${traceId}  cli-shop: POST /checkout  50 ms  2 spans`);
  });

  it('wait exits 1 at the timeout, printing the near misses and why', async () => {
    const since = String(Date.now() / 1000);
    const traceId = await sendTrace(app, 'cli-pay', 'POST /pay', { error: true });
    const r = await tinyolly(['wait', ...url, '--service', 'cli-pay', '--status', 'ok', '--since', since, '--timeout', '1s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^timed out after 1 s: 0 of 1 wanted traces matched \(service=cli-pay status=ok\)/);
    expect(r.stdout).toContain(`near misses:\n  ${traceId}  service cli-pay, but status ERROR, wanted OK\n`);

    const json = await tinyolly(['wait', ...url, '--service', 'cli-pay', '--status', 'ok', '--since', since, '--timeout', '500ms', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ matched: false, count: 0, nearMisses: [{ traceId, why: 'service cli-pay, but status ERROR, wanted OK' }] });
  });

  it('wait --count and --json: exit 0 with every match', async () => {
    const since = String(Date.now() / 1000);
    await sendTrace(app, 'cli-count', 'GET /a');
    await sendTrace(app, 'cli-count', 'GET /b');
    const r = await tinyolly(['wait', ...url, '--service', 'cli-count', '--count', '2', '--since', since, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ matched: true, count: 2 });
  });

  it('assert exits 0 when every check holds', async () => {
    await sendTrace(app, 'cli-ok', 'GET /fine', { ms: 80 });
    const r = await tinyolly(['assert', ...url, '--service', 'cli-ok', '--max-duration-ms', '200', '--no-errors', '--no-error-logs']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok: 1 trace matching service=cli-ok (wanted at least 1); all took at most 200 ms (slowest 80 ms); no error spans; no error logs\n');
  });

  it('assert exits 1 saying which checks failed and on what', async () => {
    const slow = await sendTrace(app, 'cli-bad', 'POST /order', { error: true, ms: 350 });
    const lp = loggerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol: 'grpc', serviceName: 'cli-bad' });
    lp.getLogger('cli-e2e').emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'order failed: out of stock' });
    await lp.forceFlush();
    await lp.shutdown();
    const r = await tinyolly(['assert', ...url, '--service', 'cli-bad', '--count', '2', '--max-duration-ms', '200', '--no-errors', '--no-error-logs']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: 4 of 4 checks \(service=cli-bad\)\n/);
    expect(r.stdout).toContain('FAIL count: 1 trace matching service=cli-bad (wanted at least 2)');
    expect(r.stdout).toContain(`FAIL max-duration-ms: 1 of 1 took longer than 200 ms:\n      ${slow}  cli-bad: POST /order  350 ms`);
    expect(r.stdout).toContain('FAIL no-errors: 1 of 1 have error spans:');
    expect(r.stdout).toContain('error spans: cli-bad: POST /order; cli-bad: reserve stock (out of stock)');
    expect(r.stdout).toMatch(/FAIL no-error-logs: 1 error log:\n {6}\S+ ERROR cli-bad: order failed: out of stock/);

    const json = await tinyolly(['assert', ...url, '--service', 'cli-bad', '--no-errors', '--json']);
    expect(json.code).toBe(1);
    const body = JSON.parse(json.stdout);
    expect(body).toMatchObject({ ok: false, count: 1, checks: [{ check: 'count', ok: true }, { check: 'no-errors', ok: false }] });
    expect(body.traces[0].traceId).toBe(slow);
  });

  it('exits 2 on a usage error or when TinyOlly cannot be reached', async () => {
    const bad = await tinyolly(['wait', ...url, '--timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--timeout must be a duration');
    const unknown = await tinyolly(['assert', ...url, '--frobnicate']);
    expect(unknown.code).toBe(2);
    const down = await tinyolly(['assert', '--url', 'http://127.0.0.1:9', '--service', 'x']);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('cannot reach TinyOlly at http://127.0.0.1:9');
  });
});

describe('tinyolly wait with TINYOLLY_UI_TOKEN', { timeout: 120_000 }, () => {
  let app: TinyOllyProcess;
  beforeAll(async () => { app = await startTinyOlly({ TINYOLLY_UI_TOKEN: 'cli-secret' }); });
  afterAll(async () => { await app?.stop(); });

  it('sends the token as a Bearer header, and says so when it is missing', async () => {
    const without = await tinyolly(['wait', '--url', app.baseUrl, '--timeout', '0s']);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('needs its token: set TINYOLLY_UI_TOKEN');
    const withToken = await tinyolly(['wait', '--url', app.baseUrl, '--timeout', '0s', '--json'], { TINYOLLY_UI_TOKEN: 'cli-secret' });
    expect(withToken.code).toBe(1);
    expect(JSON.parse(withToken.stdout)).toMatchObject({ matched: false });
  });
});
