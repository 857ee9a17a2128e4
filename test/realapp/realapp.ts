/**
 * @module test/realapp/realapp: starts the real instrumented app (test/realapp/service.cjs) as two
 * child processes, frontend → backend → PostgreSQL, exporting to a TinyOlly; drives requests and
 * stops both after their SDKs have flushed. The table is created and dropped here, per run, with a
 * unique name. PostgreSQL not answering is a clear failure, never a skip.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const SERVICE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'service.cjs');
export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
/** Items in the table: the N+1 route makes one query per item. */
export const ITEMS = 20;
/** Routes of the frontend (`/api/report` takes `?delay_ms=`, a deliberate slowdown). */
export const ROUTES = ['/api/normal', '/api/flaky', '/api/n-plus-one', '/api/batched', '/api/report'] as const;

/** PostgreSQL queries each frontend route makes (one per item on the N+1 route; pool connects not counted). */
export const QUERIES: Record<(typeof ROUTES)[number], number> = { '/api/normal': 1, '/api/flaky': 1, '/api/n-plus-one': 1 + ITEMS, '/api/batched': 2, '/api/report': 1 };

/** What a plan of requests really did: statuses per route, requests, failures (≥ 500) and queries. */
export interface PlanResult { statuses: Map<string, number[]>; total: number; failed: number; queries: number }

/**
 * Drives `plan` (route, count) in order, then stops the app (which flushes both SDKs and drops the
 * table) whatever happened.
 */
export async function runPlan(app: RealApp, plan: readonly (readonly [route: (typeof ROUTES)[number], n: number])[]): Promise<PlanResult> {
  const r: PlanResult = { statuses: new Map(), total: 0, failed: 0, queries: 0 };
  try {
    for (const [route, n] of plan) {
      const got = await app.drive(route, n);
      r.statuses.set(route, got);
      r.total += n;
      r.failed += got.filter((s) => s >= 500).length;
      r.queries += QUERIES[route] * n;
    }
  } finally {
    await app.stop();
  }
  return r;
}

export interface RealApp {
  frontendUrl: string;
  backendUrl: string;
  table: string;
  /** Service names (unique per run, so several runs can share one TinyOlly). */
  frontend: string;
  backend: string;
  /** GETs `route` on the frontend `n` times, one after another; returns the statuses. */
  drive(route: string, n: number): Promise<number[]>;
  /** Asks both services to flush their spans and exit, then drops the table. Safe to call twice. */
  stop(): Promise<void>;
}

/** Throws a readable error when PostgreSQL does not answer (the real-app tests need it). */
export async function assertPostgres(target: typeof PG = PG): Promise<void> {
  const c = new pg.Client({ ...target, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
  } catch (e) {
    throw new Error(`PostgreSQL is not reachable on ${target.host}:${target.port} (user ${target.user}, database ${target.database}): ${String((e as Error).message ?? e)}. ` +
      'The real-app tests need it; start PostgreSQL (.ci/run makes sure it answers).');
  } finally {
    await c.end().catch(() => {});
  }
}

function startService(env: Record<string, string>): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = fork(SERVICE, [], { env: { ...process.env, NODE_ENV: 'test', OTEL_LOG_LEVEL: 'error', ...env }, execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${env.ROLE} not listening in 30 s\n${stderr}`)); }, 30_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${env.ROLE} exited with ${code}\n${stderr}`)); });
    child.on('message', (m: { port?: number }) => {
      if (m.port === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ child, port: m.port, stderr: () => stderr });
    });
  });
}

function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.connected) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 30_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.send({ shutdown: true });
  });
}

/** Creates the table, starts backend then frontend exporting to `otlpHttpUrl` (OTLP/HTTP base). */
export async function startRealApp(otlpHttpUrl: string): Promise<RealApp> {
  await assertPostgres();
  const run = `${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  const table = `realapp_${run}`;
  const admin = new pg.Client(PG);
  await admin.connect();
  try {
    await admin.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL)`);
    await admin.query(`INSERT INTO ${table} SELECT g, 'item ' || g FROM generate_series(1, ${ITEMS}) g`);
  } finally {
    await admin.end();
  }
  const frontend = `realapp-frontend-${run}`;
  const backend = `realapp-backend-${run}`;
  const otlp = `${otlpHttpUrl}/v1/traces`;
  const children: ChildProcess[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Frontend first: its last client spans must be flushed while the backend still answers.
    for (const c of [...children].reverse()) await stopService(c);
    const c = new pg.Client(PG);
    await c.connect();
    await c.query(`DROP TABLE IF EXISTS ${table}`).finally(() => c.end());
  };
  try {
    const b = await startService({ ROLE: 'backend', SERVICE_NAME: backend, OTLP_URL: otlp, PG_TABLE: table });
    children.push(b.child);
    const f = await startService({ ROLE: 'frontend', SERVICE_NAME: frontend, OTLP_URL: otlp, BACKEND_URL: `http://127.0.0.1:${b.port}` });
    children.push(f.child);
    const frontendUrl = `http://127.0.0.1:${f.port}`;
    return {
      frontendUrl,
      backendUrl: `http://127.0.0.1:${b.port}`,
      table,
      frontend,
      backend,
      async drive(route, n) {
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          const r = await fetch(frontendUrl + route);
          await r.arrayBuffer();
          out.push(r.status);
        }
        return out;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
