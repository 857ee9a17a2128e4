/**
 * @module test/e2e/demo: runs `demo/run.ts --count N` (two processes instrumented with the official
 * OpenTelemetry JS SDK) and `demo/traffic.ts` against a real TinyOlly, and checks what arrives
 * through the query API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctorFile } from '../../src/doctor/file.js';
import { ROOT, getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';

const COUNT = 10;
/** demo/traffic-loop.ts TRAFFIC_MIX, first ten: fast×5, slow×2, checkout×2 (two backend calls each), fail×1. */
const BACKEND_CALLS = 12;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `node --import tsx <script>` with only our OTLP settings (inherited OTEL_* would redirect it). */
function spawnScript(script: string, args: string[], env: Record<string, string>): ChildProcess {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...cleanEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a demo script to completion. */
function runScript(script: string, args: string[], env: Record<string, string>, timeoutMs = 25_000): Promise<Run> {
  const proc = spawnScript(script, args, env);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * SIGTERM (SIGKILL after 5 s) and resolve with the exit code. Used for TinyOlly too, not
 * `TinyOllyProcess.stop()`: that helper drops its own exit listener once ready
 * (removeAllListeners('exit')), so its promise never settles.
 */
function stopProcess(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => {
    const force = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    proc.once('exit', (code) => {
      clearTimeout(force);
      resolve(code);
    });
    proc.kill('SIGTERM');
  });
}

interface ApiSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  service: string;
  status: { code: string };
  events: { name: string; attributes: Record<string, unknown> }[];
}
interface ApiLog {
  traceId: string | null;
  spanId: string | null;
  severityText: string;
  service: string;
  body: unknown;
}
interface ApiSeries {
  service: string;
  labels: Record<string, unknown>;
  points: { value?: number; count?: number }[];
}

let tinyolly: TinyOllyProcess;

beforeAll(async () => {
  tinyolly = await startTinyOlly();
}, 30_000);

afterAll(async () => {
  if (tinyolly) await stopProcess(tinyolly.proc);
});

describe('npm run demo -- --count against a real TinyOlly', () => {
  let demo: Run;

  beforeAll(async () => {
    demo = await runScript('demo/run.ts', ['--count', String(COUNT), '--frontend-port', '0', '--backend-port', '0'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: tinyolly.otlpHttpUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    });
  }, 40_000);

  it('sends the requests, flushes and exits 0', () => {
    expect(demo.code, `${demo.stdout}\n${demo.stderr}`).toBe(0);
    expect(demo.stdout).toContain(`${COUNT} sent: ${COUNT - 1} ok, 1 failed (1 on purpose), 0 unreachable`);
    expect(demo.stdout).toContain('demo: stopped');
  });

  it('stores traces that span both services with a frontend CLIENT span parenting a backend SERVER span', async () => {
    const crossing = await waitFor(async () => {
      const { body } = await getJson<{ traces: { traceId: string; rootService: string; services: string[] }[] }>(
        tinyolly.baseUrl,
        '/api/traces?service=demo-backend&limit=100',
      );
      const both = body.traces.filter((t) => t.services.includes('demo-frontend') && t.services.includes('demo-backend'));
      return both.length >= COUNT ? both : undefined;
    });
    expect(crossing.every((t) => t.rootService === 'demo-frontend')).toBe(true);

    const { status, body } = await getJson<{ spans: ApiSpan[] }>(tinyolly.baseUrl, `/api/traces/${crossing[0].traceId}`);
    expect(status).toBe(200);
    const byId = new Map(body.spans.map((s) => [s.spanId, s]));
    const backendServer = body.spans.find((s) => s.service === 'demo-backend' && s.kind === 'SERVER');
    expect(backendServer).toBeDefined();
    const parent = byId.get(backendServer!.parentSpanId ?? '');
    expect(parent).toMatchObject({ service: 'demo-frontend', kind: 'CLIENT' });
    const root = body.spans.find((s) => s.parentSpanId === null);
    expect(root).toMatchObject({ service: 'demo-frontend', kind: 'SERVER' });
    expect(root!.name).toMatch(/^GET \/api\//);
  });

  it('records the failing request as ERROR spans with exception events in both services', async () => {
    const failed = await waitFor(async () => {
      const { body } = await getJson<{ traces: { traceId: string; errorCount: number }[] }>(
        tinyolly.baseUrl,
        '/api/traces?status=error&name=fail',
      );
      return body.traces[0];
    });
    const { body } = await getJson<{ spans: ApiSpan[] }>(tinyolly.baseUrl, `/api/traces/${failed.traceId}`);
    for (const service of ['demo-frontend', 'demo-backend']) {
      const withException = body.spans.filter(
        (s) => s.service === service && s.status.code === 'ERROR' && s.events.some((e) => e.name === 'exception'),
      );
      expect(withException.length, service).toBeGreaterThan(0);
      expect(withException[0].events.find((e) => e.name === 'exception')!.attributes['exception.message']).toBeTruthy();
    }
  });

  it('stores logs of both services correlated to stored spans, WARN and ERROR included', async () => {
    const logs = await waitFor(async () => {
      const { body } = await getJson<{ logs: ApiLog[] }>(tinyolly.baseUrl, '/api/logs?severity=WARN&limit=200');
      const services = new Set(body.logs.map((l) => l.service));
      const severities = new Set(body.logs.map((l) => l.severityText));
      return services.has('demo-frontend') && services.has('demo-backend') && severities.has('WARN') && severities.has('ERROR')
        ? body.logs
        : undefined;
    });
    const errorLog = logs.find((l) => l.severityText === 'ERROR' && l.service === 'demo-backend')!;
    expect(errorLog.traceId).toMatch(/^[0-9a-f]{32}$/);
    const { status, body } = await getJson<{ spans: ApiSpan[] }>(tinyolly.baseUrl, `/api/traces/${errorLog.traceId}`);
    expect(status).toBe(200);
    const span = body.spans.find((s) => s.spanId === errorLog.spanId);
    expect(span, 'the log points at a stored span').toBeDefined();
    expect(span!.service).toBe('demo-backend');

    const { body: byTrace } = await getJson<{ logs: ApiLog[] }>(tinyolly.baseUrl, `/api/logs?trace_id=${errorLog.traceId}`);
    expect(new Set(byTrace.logs.map((l) => l.service))).toEqual(new Set(['demo-frontend', 'demo-backend']));
  });

  it('delivers the request counter (sum), latency histogram and in-flight gauge with exact totals', async () => {
    const metrics = await waitFor(async () => {
      const { body } = await getJson<{ metrics: { name: string; type: string; services: string[] }[] }>(tinyolly.baseUrl, '/api/metrics');
      const names = new Map(body.metrics.map((m) => [m.name, m]));
      return ['demo.requests', 'demo.request.duration', 'demo.inflight_requests'].every((n) => names.get(n)?.services.length === 2)
        ? names
        : undefined;
    });
    expect(metrics.get('demo.requests')!.type).toBe('sum');
    expect(metrics.get('demo.request.duration')!.type).toBe('histogram');
    expect(metrics.get('demo.inflight_requests')!.type).toBe('gauge');

    const last = (series: ApiSeries[], service: string, field: 'value' | 'count'): number =>
      series.filter((s) => s.service === service).reduce((sum, s) => sum + (s.points.at(-1)?.[field] ?? 0), 0);
    const requests = await getJson<{ monotonic: boolean; temporality: string; series: ApiSeries[] }>(
      tinyolly.baseUrl,
      '/api/metrics/demo.requests',
    );
    expect(requests.body).toMatchObject({ monotonic: true, temporality: 'cumulative' });
    // Cumulative counters: the newest point of each series adds up to every request served.
    expect(last(requests.body.series, 'demo-frontend', 'value')).toBe(COUNT);
    expect(last(requests.body.series, 'demo-backend', 'value')).toBe(BACKEND_CALLS);
    const failures = requests.body.series.find((s) => s.service === 'demo-frontend' && s.labels['http.route'] === '/api/fail');
    expect(failures?.labels['http.response.status_code']).toBe(502);

    const duration = await getJson<{ unit: string; series: ApiSeries[] }>(tinyolly.baseUrl, '/api/metrics/demo.request.duration');
    expect(duration.body.unit).toBe('ms');
    expect(last(duration.body.series, 'demo-frontend', 'count')).toBe(COUNT);

    const gauge = await getJson<{ series: ApiSeries[] }>(tinyolly.baseUrl, '/api/metrics/demo.inflight_requests');
    expect(gauge.body.series.map((s) => s.service).sort()).toEqual(['demo-backend', 'demo-frontend']);
  });

  it('draws the demo-frontend → demo-backend edge on the service map', async () => {
    const edge = await waitFor(async () => {
      const { body } = await getJson<{ edges: { source: string; target: string; callCount: number; errorCount: number }[] }>(
        tinyolly.baseUrl,
        '/api/service-map',
      );
      return body.edges.find((e) => e.source === 'demo-frontend' && e.target === 'demo-backend');
    });
    expect(edge.callCount).toBe(BACKEND_CALLS);
    expect(edge.errorCount).toBe(1);
  });

  it('gives the instrumentation doctor nothing at error or warning severity (CONTRACT §9)', async () => {
    // Once both services' spans are in (the service map test above waited for them).
    const { status, body } = await getJson<{ findings: { rule: string; severity: string; title: string; services: string[] }[] }>(tinyolly.baseUrl, '/api/doctor');
    expect(status).toBe(200);
    const serious = body.findings.filter((f) => f.severity !== 'info');
    expect(serious, JSON.stringify(body.findings, null, 1)).toEqual([]);
    console.log(`demo doctor findings: ${JSON.stringify(body.findings.map((f) => `${f.severity} ${f.rule} ${f.services.join(',')}: ${f.title}`))}`);
    // The same capture through `tinyolly doctor --file`, where every orphan has settled (no 30 s wait).
    const exported = await fetch(`${tinyolly.baseUrl}/api/export?signal=all&format=jsonl`);
    const { report } = await doctorFile(Readable.from([Buffer.from(await exported.arrayBuffer())]));
    console.log(`demo doctor --file findings: ${JSON.stringify(report.findings.map((f) => `${f.severity} ${f.rule} ${f.services.join(',')}: ${f.title} ${f.count}`))}`);
    expect(report.findings.filter((f) => f.severity === 'error'), JSON.stringify(report.findings, null, 1)).toEqual([]);
  });
});

/** Starts one demo service on a free port; resolves with the process and its port once it listens. */
function startService(file: string, env: Record<string, string>): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawnScript(file, [], { OTEL_EXPORTER_OTLP_ENDPOINT: tinyolly.otlpHttpUrl, ...env });
  let output = '';
  proc.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start\n${output}`)), 20_000);
    proc.once('exit', (code) => reject(new Error(`${file} exited ${code}\n${output}`)));
    proc.stdout!.on('data', (d) => {
      output += d;
      const m = /listening (\{.*\})/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      resolve({ proc, port: (JSON.parse(m[1]) as { port: number }).port });
    });
  });
}

describe('npm run traffic -- --count against separately started services', () => {
  const started: ChildProcess[] = [];

  afterAll(async () => {
    await Promise.all(started.map(stopProcess));
  });

  it('sends N requests through both services, exits 0, and the services flush and exit 0 on SIGTERM', async () => {
    const backend = await startService('demo/backend.ts', { DEMO_BACKEND_PORT: '0' });
    started.push(backend.proc);
    const frontend = await startService('demo/frontend.ts', {
      DEMO_FRONTEND_PORT: '0',
      DEMO_BACKEND_URL: `http://127.0.0.1:${backend.port}`,
    });
    started.push(frontend.proc);
    const before = (await getJson<{ spans: number }>(tinyolly.baseUrl, '/api/stats')).body.spans;

    const run = await runScript('demo/traffic.ts', ['--count', '5', '--url', `http://127.0.0.1:${frontend.port}`], {});
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('5 sent: 4 ok, 1 failed (1 on purpose), 0 unreachable');

    expect(await Promise.all([stopProcess(frontend.proc), stopProcess(backend.proc)])).toEqual([0, 0]);
    // fast, slow, checkout, fail, fast: 4 spans each, 8 for the checkout (see demo/frontend.ts).
    const { body } = await getJson<{ spans: number }>(tinyolly.baseUrl, '/api/stats');
    expect(body.spans - before).toBe(24);
  });
});

describe('npm run traffic', () => {
  it('exits 1 and says so when the frontend is not running', async () => {
    // Port 9 (discard) on loopback: nothing listens there in a test environment.
    const run = await runScript('demo/traffic.ts', ['--count', '2', '--url', 'http://127.0.0.1:9'], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('2 sent: 0 ok, 0 failed (0 on purpose), 2 unreachable');
    expect(run.stderr).toContain('is the demo running');
  });

  it('rejects a bad --count with exit 2 and the usage text', async () => {
    const run = await runScript('demo/traffic.ts', ['--count', 'lots'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--count must be an integer');
    expect(run.stderr).toContain('Usage:');
  });
});
