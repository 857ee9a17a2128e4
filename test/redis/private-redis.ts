/**
 * @module test/redis/private-redis: starts throwaway redis-server processes (single node or a
 * 3-node Cluster) on free loopback ports with temp dirs, for tests that must stop Redis.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/** Whether redis-server and redis-cli are on the PATH (the reason is printed when not). */
export function redisBinariesAvailable(): { ok: boolean; reason: string } {
  for (const bin of ['redis-server', 'redis-cli']) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return { ok: false, reason: `${bin} not found on PATH` };
  }
  return { ok: true, reason: '' };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free loopback port whose Cluster bus port (+10000) is free too. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if ((await portFree(port)) && (await portFree(port + 10000))) return port;
  }
}

/** Polls until fn resolves truthy, or throws after timeoutMs. */
export async function until(fn: () => Promise<unknown>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return;
    } catch { /* retry */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether a Redis answers PING at `url` (fails fast, never retries). */
export async function redisAnswersAt(url: string): Promise<boolean> {
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  c.on('error', () => {});
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

function answers(port: number): Promise<boolean> {
  return redisAnswersAt(`redis://127.0.0.1:${port}`);
}

/** One private redis-server; `kill()` is SIGKILL, `start()` restarts it on the same port and dir. */
export class PrivateRedis {
  private proc: ChildProcess | undefined;
  readonly dir: string;

  private constructor(readonly port: number, private readonly extra: string[]) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'tinyolly-redis-'));
  }

  /** A server on a free port, not started yet; `persist` makes acknowledged writes survive a SIGKILL (AOF, fsync always). */
  static async create(o: { persist?: boolean; cluster?: boolean; args?: string[] } = {}): Promise<PrivateRedis> {
    const extra = o.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    if (o.cluster) extra.push('--cluster-enabled', 'yes', '--cluster-node-timeout', '2000');
    if (o.args) for (const a of o.args) extra.push(a);
    return new PrivateRedis(await freePort(), extra);
  }

  /** A started server (see create(); `args` are further redis-server flags, e.g. `--maxmemory 8mb`). */
  static async start(o: { persist?: boolean; cluster?: boolean; args?: string[] } = {}): Promise<PrivateRedis> {
    const r = await PrivateRedis.create(o);
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = spawn('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, ...this.extra,
    ], { stdio: 'ignore' });
    await until(() => answers(this.port), 10_000, `redis-server on ${this.port}`);
  }

  /** SIGSTOP: the server stops answering (connections stay open, commands queue) until resume(). */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  /** SIGCONT after pause(): the queued commands run. */
  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** SIGKILL and wait until the port no longer answers. */
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  /** Kills the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts three cluster-enabled servers and joins them into one Cluster (no replicas). */
export async function startCluster(): Promise<{ nodes: PrivateRedis[]; urls: string[]; destroy(): Promise<void> }> {
  const nodes = await Promise.all([0, 1, 2].map(() => PrivateRedis.start({ cluster: true })));
  const destroy = async (): Promise<void> => { await Promise.all(nodes.map((n) => n.destroy())); };
  try {
    const r = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.stdout}\n${r.stderr}`);
    for (const n of nodes) {
      await until(async () => {
        const c = spawnSync('redis-cli', ['-p', String(n.port), 'cluster', 'info'], { encoding: 'utf8' });
        return c.stdout.includes('cluster_state:ok');
      }, 15_000, 'cluster_state:ok');
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return { nodes, urls: nodes.map((n) => n.url), destroy };
}
