/**
 * @module demo/run: `npm run demo`: starts demo-backend and demo-frontend as child processes (each its
 * own SDK and service.name), then drives traffic at the frontend until Ctrl-C, or `--count N` requests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEMO_USAGE, DemoArgsError, parseDemoArgs } from './args.js';
import { protocolFromEnv } from './telemetry.js';
import { formatSummary, runTraffic } from './traffic-loop.js';

/** A service must print its `listening` line within this long. */
const START_TIMEOUT_MS = 30_000;
/** A service gets this long to flush and exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 8_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface RunningService {
  name: string;
  proc: ChildProcess;
  port: number;
  exited: Promise<number>;
}

/** Finds a free TCP port on 127.0.0.1 (so both services can start at once even with port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Spawns `node --import tsx demo/<file>` and resolves once it printed `<name> listening {"port":N}`. */
function startService(name: string, file: string, env: Record<string, string>): Promise<RunningService> {
  const proc = spawn(process.execPath, ['--import', 'tsx', `demo/${file}`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  createInterface({ input: proc.stderr! }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    });
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      process.stdout.write(`[${name}] ${line}\n`);
      const match = /^\S+ listening (\{.*\})$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve({ name, proc, port: (JSON.parse(match[1]) as { port: number }).port, exited });
    });
  });
}

/** SIGTERMs a service (it flushes its telemetry) and resolves with its exit code; SIGKILL if it hangs. */
async function stopService(service: RunningService): Promise<number> {
  if (service.proc.exitCode === null && service.proc.signalCode === null) service.proc.kill('SIGTERM');
  const timer = setTimeout(() => service.proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
  const code = await service.exited;
  clearTimeout(timer);
  return code;
}

let args;
try {
  args = parseDemoArgs(process.argv.slice(2), process.env);
  protocolFromEnv(process.env);
} catch (err) {
  process.stderr.write(`demo: ${(err as Error).message}\n\n${DEMO_USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${DEMO_USAGE}\n`);
  process.exit(0);
}

const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318';
process.stdout.write(`demo: sending OTLP (${protocolFromEnv(process.env)}) to ${endpoint}\n`);

const backendPort = args.backendPort === 0 ? await freePort() : args.backendPort;
const frontendPort = args.frontendPort === 0 ? await freePort() : args.frontendPort;
const started = await Promise.allSettled([
  startService('demo-backend', 'backend.ts', { DEMO_BACKEND_PORT: String(backendPort) }),
  startService('demo-frontend', 'frontend.ts', {
    DEMO_FRONTEND_PORT: String(frontendPort),
    DEMO_BACKEND_URL: `http://127.0.0.1:${backendPort}`,
  }),
]);
const services = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
const failures = started.flatMap((s) => (s.status === 'rejected' ? [String((s.reason as Error).message)] : []));
if (failures.length > 0) {
  process.stderr.write(`demo: ${failures.join('; ')}\n`);
  await Promise.all(services.map(stopService));
  process.exit(1);
}
const frontendUrl = `http://127.0.0.1:${frontendPort}`;

const stop = new AbortController();
let interrupted = false;
const onSignal = (): void => {
  interrupted = true;
  stop.abort();
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
// A service that dies on its own ends the demo too.
for (const service of services) void service.exited.then(() => stop.abort());

process.stdout.write(
  `demo: frontend ${frontendUrl}, backend http://127.0.0.1:${backendPort}; ` +
    `${args.count === undefined ? 'sending traffic until Ctrl-C' : `sending ${args.count} requests`}\n`,
);
let lastReport = Date.now();
const summary = await runTraffic({
  url: frontendUrl,
  count: args.count,
  intervalMs: args.intervalMs,
  concurrency: args.concurrency,
  signal: stop.signal,
  onResult(_result, soFar) {
    if (Date.now() - lastReport >= 5_000) {
      lastReport = Date.now();
      process.stdout.write(`demo: ${formatSummary(soFar)}\n`);
    }
  },
});
process.stdout.write(`demo: ${formatSummary(summary)}; stopping services (flushing telemetry)\n`);
const codes = await Promise.all(services.map(stopService));
// With --count, every request must have been answered, and only /api/fail may fail.
const complete = summary.sent === args.count && summary.unreachable === 0 && summary.failed === summary.failedOnPurpose;
const ok = codes.every((code) => code === 0) && (interrupted || complete);
process.stdout.write(`demo: ${ok ? 'stopped' : `stopped with problems (exit codes ${codes.join(', ')})`}\n`);
process.exit(ok ? 0 : 1);
