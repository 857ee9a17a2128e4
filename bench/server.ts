/**
 * @module bench/server: starts TinyOlly as a child process on free ports for one benchmark case and
 * reads its resource use from /proc (peak RSS, CPU time). Optionally under `node --cpu-prof`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer, SERVER_BUNDLE, serverBundleStale } from '../scripts/build-server.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchServer {
  ports: { grpc: number; http: number; ui: number };
  storage: string;
  /** http://127.0.0.1:<ui> (query API). */
  apiUrl: string;
  pid: number;
  proc: ChildProcess;
  /** SIGTERM, wait for a clean exit (a CPU profile is written on exit); SIGKILL after 8 s. */
  stop(): Promise<void>;
  stderr(): string;
}

export interface ServerOptions {
  env: Record<string, string>;
  /** Folder for `--cpu-prof` output; no profiling when unset. */
  cpuProfDir?: string;
  /** Extra node flags for the server process (experiments: heap size, preloads). */
  nodeArgs?: string[];
}

/**
 * Starts TinyOlly (port 0 on 127.0.0.1) and resolves on its `tinyolly ready` line (CONTRACT §1.1).
 * It runs the server bundle, as `npm start` does, built first from src/ when missing or older.
 */
export async function startServer(opts: ServerOptions): Promise<BenchServer> {
  if (await serverBundleStale()) await buildServer();
  const nodeArgs = [...(opts.nodeArgs ?? [])];
  if (opts.cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
  const proc = spawn(process.execPath, [...nodeArgs, SERVER_BUNDLE], {
    cwd: ROOT,
    env: {
      ...process.env,
      TINYOLLY_HOST: '127.0.0.1',
      TINYOLLY_GRPC_PORT: '0',
      TINYOLLY_HTTP_PORT: '0',
      TINYOLLY_UI_PORT: '0',
      REDIS_URL: '',
      TINYOLLY_STORAGE: '',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-20_000); });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`TinyOlly not ready in 30 s\n${stderr}`)); }, 30_000);
    const early = (code: number | null) => { clearTimeout(timer); reject(new Error(`TinyOlly exited with ${code} before ready\n${stderr}`)); };
    proc.once('exit', early);
    let done = false;
    proc.stdout!.on('data', (d) => {
      if (done) return;
      stdout += d;
      const m = /^tinyolly ready (\{.*\})$/m.exec(stdout);
      if (!m) return;
      done = true;
      clearTimeout(timer);
      proc.off('exit', early);
      const ready = JSON.parse(m[1]) as { grpc: number; http: number; ui: number; storage: string };
      resolve({
        ports: { grpc: ready.grpc, http: ready.http, ui: ready.ui },
        storage: ready.storage,
        apiUrl: `http://127.0.0.1:${ready.ui}`,
        pid: proc.pid!,
        proc,
        stderr: () => stderr,
        async stop() {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          proc.kill('SIGTERM');
          const force = setTimeout(() => proc.kill('SIGKILL'), 8000);
          await exited;
          clearTimeout(force);
        },
      });
    });
  });
}

/** Peak resident set size of a process so far (VmHWM), in MiB; NaN where /proc is missing. */
export function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Current resident set size (VmRSS), in MiB; NaN where /proc is missing. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used so far; NaN where /proc is missing. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}
