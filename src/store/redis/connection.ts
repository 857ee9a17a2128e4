/**
 * @module store/redis/connection: one ioredis client (single node or Cluster) tuned to fail fast,
 * and `exec()`, which sends a batch of operations as one pipeline per Cluster node.
 * Knows nothing of telemetry; every failure surfaces as TinyOllyError('unavailable').
 */
import { Redis, Cluster, type RedisOptions, type ClusterNode } from 'ioredis';
import { createHash } from 'node:crypto';
import { TinyOllyError } from '../../errors.js';
import { slotOf } from './keys.js';

/** How long a call waits for a (re)connecting client before answering unavailable. */
const READY_WAIT_MS = 1000;
/** Per-command reply timeout: a frozen Redis fails calls instead of hanging them. */
const COMMAND_TIMEOUT_MS = 2000;
const CONNECT_TIMEOUT_MS = 2000;

export interface ConnectionOptions {
  /** `redis://host:port[/db]`, or several comma-separated URLs for a Cluster. */
  url?: string;
  /** Cluster seed nodes as `host:port` or URLs (implies cluster). */
  nodes?: string[];
  /** Use the Cluster client even with a single seed URL. */
  cluster?: boolean;
}

/** A Lua script sent by EVALSHA, with EVAL as the fallback when the server lacks it. */
export class Script {
  readonly sha: string;
  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }
}

/** One command of a batch; `key` picks the slot (and so the node) it runs on. */
export type Op =
  | { key: string; cmd: string; args: (string | number)[] }
  | { key: string; script: Script; keys: string[]; args: (string | number)[] };

/** Wraps any failure as the store's one error kind. */
export function unavailable(err: unknown): TinyOllyError {
  if (err instanceof TinyOllyError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new TinyOllyError('unavailable', `redis unavailable: ${msg}`);
}

function parseNode(s: string): { node: ClusterNode; username?: string; password?: string; tls: boolean } {
  const withScheme = /^[a-z]+:\/\//i.test(s) ? s : `redis://${s}`;
  const u = new URL(withScheme);
  return {
    node: { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) },
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:',
  };
}

/** A fail-fast Redis connection that reconnects forever in the background. */
/** EVAL/EVALSHA arguments as one array: script (or sha), key count, keys, args. */
function scriptArgs(script: string, keys: string[], args: (string | number)[]): (string | number)[] {
  return ([script, keys.length] as (string | number)[]).concat(keys, args);
}

export class RedisConnection {
  readonly client: Redis | Cluster;
  readonly isCluster: boolean;
  /** The last connection error seen (for diagnostics). */
  lastError: Error | undefined;
  private closed = false;

  constructor(opts: ConnectionOptions) {
    const urls = opts.nodes?.length ? opts.nodes : (opts.url ?? 'redis://127.0.0.1:6379').split(',').map((s) => s.trim()).filter(Boolean);
    this.isCluster = opts.cluster === true || urls.length > 1 || (opts.nodes?.length ?? 0) > 0;
    const common: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    };
    if (this.isCluster) {
      const parsed = urls.map(parseNode);
      const first = parsed[0];
      this.client = new Cluster(parsed.map((p) => p.node), {
        enableOfflineQueue: false,
        clusterRetryStrategy: (times: number) => Math.min(100 * times, 1000),
        slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
        redisOptions: {
          ...common,
          username: first?.username,
          password: first?.password,
          tls: first?.tls ? {} : undefined,
        },
      });
    } else {
      this.client = new Redis(urls[0], common);
    }
    // Without a listener ioredis prints every connection error; we keep the last one instead.
    this.client.on('error', (err: Error) => { this.lastError = err; });
  }

  /** Resolves once the client is ready, waiting at most READY_WAIT_MS; otherwise throws unavailable. */
  async ready(waitMs = READY_WAIT_MS): Promise<void> {
    if (this.client.status === 'ready') return;
    if (this.closed) throw new TinyOllyError('unavailable', 'redis store is closed');
    await new Promise<void>((resolve, reject) => {
      const onReady = (): void => { clearTimeout(timer); resolve(); };
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new TinyOllyError('unavailable', `redis unavailable: ${this.lastError?.message ?? 'not connected'}`));
      }, waitMs);
      this.client.once('ready', onReady);
    });
  }

  /** Whether the server answers a PING within about a second (never rejects). */
  async ping(): Promise<boolean> {
    if (this.closed || this.client.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), 1000); });
      const pong = this.isCluster
        ? Promise.all((this.client as Cluster).nodes('master').map((n) => n.ping())).then((r) => r.length > 0)
        : this.client.ping().then((r) => r === 'PONG');
      return await Promise.race([pong.catch(() => false), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The node a key's slot is served by ('' for a single node). */
  private groupOf(key: string): string {
    if (!this.isCluster) return '';
    const slot = slotOf(key);
    const owners = (this.client as Cluster).slots[slot];
    return owners?.length ? owners[0] : `slot:${slot}`;
  }

  /**
   * Runs the operations, one pipeline per node (all in parallel), and returns their replies in
   * order. Throws unavailable if any operation fails; operations already applied stay applied.
   */
  async exec(ops: Op[]): Promise<unknown[]> {
    if (ops.length === 0) return [];
    try {
      await this.ready();
      const groups = new Map<string, number[]>();
      for (let i = 0; i < ops.length; i++) {
        const g = this.groupOf(ops[i].key);
        let list = groups.get(g);
        if (!list) groups.set(g, (list = []));
        list.push(i);
      }
      const results = new Array<unknown>(ops.length);
      await Promise.all([...groups.values()].map((idxs) => this.execGroup(ops, idxs, results)));
      return results;
    } catch (err) {
      throw unavailable(err);
    }
  }

  private async execGroup(ops: Op[], idxs: number[], results: unknown[]): Promise<void> {
    const pipe = this.client.pipeline();
    for (const i of idxs) {
      const op = ops[i];
      // One argument array, not spread arguments: a spread of an export's 200k arguments overflows the
      // call stack (RangeError) where an array does not.
      if ('script' in op) pipe.call('evalsha', scriptArgs(op.script.sha, op.keys, op.args));
      else pipe.call(op.cmd, op.args);
    }
    const replies = await pipe.exec();
    if (!replies) throw new Error('pipeline discarded');
    const retries: Promise<void>[] = [];
    for (let j = 0; j < idxs.length; j++) {
      const [err, value] = replies[j];
      const op = ops[idxs[j]];
      if (err) {
        // A restarted or new node has an empty script cache: EVAL runs and caches the script.
        if ('script' in op && /NOSCRIPT/.test(err.message)) {
          retries.push(this.client.call('eval', scriptArgs(op.script.lua, op.keys, op.args))
            .then((v) => { results[idxs[j]] = v; }));
          continue;
        }
        throw err;
      }
      results[idxs[j]] = value;
    }
    await Promise.all(retries);
  }

  /** Deletes every key matching the glob on every (master) node, without blocking the server. */
  async deleteMatching(pattern: string): Promise<void> {
    try {
      await this.ready();
      const nodes = this.isCluster ? (this.client as Cluster).nodes('master') : [this.client as Redis];
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) {
            const pipe = node.pipeline();
            for (const k of keys) pipe.unlink(k);
            const replies = await pipe.exec();
            const failed = replies?.find(([e]) => e);
            if (failed) throw failed[0];
          }
        } while (cursor !== '0');
      }
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** Closes the connection (safe to call twice). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.client.status === 'ready') await Promise.race([this.client.quit(), new Promise((r) => setTimeout(r, 1000))]);
    } catch { /* closing anyway */ }
    this.client.disconnect();
  }
}
