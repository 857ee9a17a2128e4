/**
 * @module test/helpers/start-tinyolly: runs the real TinyOlly process on free ports for tests and
 * waits for its `tinyolly ready` line (CONTRACT §1.1). It runs the server bundle, as `npm start`, the
 * `tinyolly` command and the container do (dist/server/main.mjs, built from src/ by vitest's global
 * setup, test/global-setup.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** What serves: src/main.ts bundled (scripts/build-server.mjs). */
export const SERVER_BUNDLE = path.join(ROOT, 'dist', 'server', 'main.mjs');

export interface TinyOllyProcess {
  ports: { grpc: number; http: number; ui: number };
  storage: string;
  /** http://127.0.0.1:<ui> */
  baseUrl: string;
  /** http://127.0.0.1:<http> (OTLP/HTTP base, append /v1/traces etc.) */
  otlpHttpUrl: string;
  /** http://127.0.0.1:<grpc> */
  grpcUrl: string;
  proc: ChildProcess;
  /** Everything the process printed so far. */
  output(): { stdout: string; stderr: string };
  /** SIGTERM and wait for exit (SIGKILL after 5 s); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, no grace. */
  kill(): Promise<void>;
}

/**
 * Starts TinyOlly with port 0 on 127.0.0.1 and the memory store unless `env` says otherwise.
 * `args` are extra CLI flags. Rejects if the process exits or is not ready within 20 s.
 */
export function startTinyOlly(env: Record<string, string> = {}, args: string[] = []): Promise<TinyOllyProcess> {
  const proc = spawn(process.execPath, [SERVER_BUNDLE, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      TINYOLLY_HOST: '127.0.0.1',
      TINYOLLY_GRPC_PORT: '0',
      TINYOLLY_HTTP_PORT: '0',
      TINYOLLY_UI_PORT: '0',
      REDIS_URL: '',
      TINYOLLY_STORAGE: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`TinyOlly not ready in 20 s\n${stdout}\n${stderr}`)); }, 20_000);
    const onEarlyExit = (code: number | null) => { clearTimeout(timer); reject(new Error(`TinyOlly exited with ${code} before ready\n${stdout}\n${stderr}`)); };
    proc.once('exit', onEarlyExit);
    proc.stdout!.on('data', (d) => {
      stdout += d;
      const m = /^tinyolly ready (\{.*\})$/m.exec(stdout);
      if (!m || (proc as { readyResolved?: boolean }).readyResolved) return;
      (proc as { readyResolved?: boolean }).readyResolved = true;
      clearTimeout(timer);
      proc.off('exit', onEarlyExit);
      const ready = JSON.parse(m[1]) as { grpc: number; http: number; ui: number; storage: string };
      const ports = { grpc: ready.grpc, http: ready.http, ui: ready.ui };
      resolve({
        ports,
        storage: ready.storage,
        baseUrl: `http://127.0.0.1:${ports.ui}`,
        otlpHttpUrl: `http://127.0.0.1:${ports.http}`,
        grpcUrl: `http://127.0.0.1:${ports.grpc}`,
        proc,
        output: () => ({ stdout, stderr }),
        async stop() {
          if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
          proc.kill('SIGTERM');
          const force = setTimeout(() => proc.kill('SIGKILL'), 5000);
          const code = await exited;
          clearTimeout(force);
          return code;
        },
        async kill() {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          proc.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}

/** GET a JSON document from the API. */
export async function getJson<T = any>(baseUrl: string, pathAndQuery: string): Promise<{ status: number; body: T }> {
  const res = await fetch(baseUrl + pathAndQuery);
  const text = await res.text();
  let body: unknown;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body: body as T };
}

/**
 * Polls `fn` until it returns a value that is not undefined/false, or throws after `timeoutMs`
 * with the last error. Never a fixed sleep.
 */
export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`waitFor timed out${lastErr ? ': ' + String(lastErr) : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
