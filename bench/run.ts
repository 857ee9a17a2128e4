/**
 * @module bench/run: `npm run bench`. Starts TinyOlly (memory store, then Redis store), drives
 * pre-encoded OTLP over gRPC and HTTP, verifies through the API that what was acknowledged was
 * stored, fills the store and times the queries; prints a table and writes bench/results/<date>.json.
 * A benchmark, not a test: nothing here gates on speed. `--help` lists the flags.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { parseArgs as parseFlags } from 'node:util';
import type { Redis } from 'ioredis';
import { grpcSender, httpSender, latencyOf, runLoad, type AckedSend, type Sender, type Transport } from './load.js';
import { buildTemplates, newNonce, patch, SERVICES, METRIC_NAMES, traceIdHex, type Signal, type Template } from './payloads.js';
import { profileMarkdown, summariseProfileFile } from './profile-summary.js';
import { runQueries, type QuerySpec } from './queries.js';
import { connectAdmin, deletePrefix, redisCpuSeconds, redisReachable, usedMemoryMb } from './redis-admin.js';
import {
  evaluateTargets, machine, renderMachine, renderMarkdownFile, renderReport, type BenchReport, type CaseResult, type QueryPhase,
} from './report.js';
import { cpuSeconds, peakRssMb, ROOT, rssMb, startServer, type BenchServer } from './server.js';
import { storedCounts, verifyCase, type StoredCounts } from './verify.js';

type Store = 'memory' | 'redis';

interface Options {
  quick: boolean;
  seconds: number;
  sustain: number;
  warmup: number;
  stores: Store[];
  cases: string[];
  queries: boolean;
  fillTraces: number;
  queryIterations: number;
  memoryMb: number;
  queryMemoryMb: number;
  redisUrl: string;
  profile: boolean;
  out: string;
  shared: boolean;
  templates: number;
  grpcChannels: number;
  nodeArgs: string[];
}

const HELP = `Usage: npm run bench -- [options]

  --quick                 a few seconds: a handful of short cases on one server per store (CI uses it)
  --seconds N             timed seconds per case (default 10; quick 0.7)
  --sustain N             seconds of the headline cases */traces/grpc/b512/c4 (default 60; quick = --seconds)
  --warmup N              unmeasured seconds before each case's window (default 2; quick 0.2)
  --templates N           distinct pre-encoded requests per signal and batch size (default 16; quick 4)
  --stores LIST           memory,redis (default both; redis is skipped, with the reason printed, when unreachable)
  --cases LIST            only cases whose id contains one of these (e.g. traces/grpc,redis/logs); ids are
                          store/signal/transport/bBATCH/cCONCURRENCY
  --no-queries            skip the fill + query phase
  --fill-traces N         traces to store before timing queries (default 100000; quick 2000)
  --query-iterations N    calls per query (default 200; quick 10)
  --memory-mb N           TINYOLLY_MAX_MEMORY_MB for the ingest cases (default 256, TinyOlly's default)
  --query-memory-mb N     TINYOLLY_MAX_MEMORY_MB for the query phase (default 2048: 100k 10-span traces need it)
  --redis-url URL         (default $REDIS_URL or redis://127.0.0.1:6379)
  --shared                one server per store for all cases (counts are checked as deltas; implied by --quick)
  --grpc-channels N       gRPC channels (connections) the senders share (default 1, as one exporter holds)
  --node-args "FLAGS"     extra node flags for the server process (e.g. "--max-old-space-size=4096")
  --profile               run the server under node --cpu-prof; summaries go into the results
  --out DIR               where <date>.json and <date>.md go (default bench/results)
`;

const FLAGS = {
  quick: { type: 'boolean' }, seconds: { type: 'string' }, sustain: { type: 'string' }, warmup: { type: 'string' },
  stores: { type: 'string' }, cases: { type: 'string' }, 'no-queries': { type: 'boolean' }, 'fill-traces': { type: 'string' },
  'query-iterations': { type: 'string' }, 'memory-mb': { type: 'string' }, 'query-memory-mb': { type: 'string' },
  'redis-url': { type: 'string' }, shared: { type: 'boolean' }, profile: { type: 'boolean' }, out: { type: 'string' },
  templates: { type: 'string' }, 'grpc-channels': { type: 'string' }, 'node-args': { type: 'string' }, help: { type: 'boolean' },
} as const;

function parseArgs(argv: string[]): Options {
  // strict: an unknown flag, a positional, or a string flag followed by another flag ("--cases --quick") is an error.
  const { values } = parseFlags({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  const flags = new Map<string, string | true>();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== false) flags.set(k, v);
  if (flags.has('help')) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const quick = flags.has('quick');
  const num = (k: string, d: number) => {
    const v = flags.get(k);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} needs a non-negative number`);
    return n;
  };
  const list = (k: string) => {
    const v = flags.get(k);
    return typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  };
  const seconds = num('seconds', quick ? 0.7 : 10);
  const stores = (list('stores') ?? ['memory', 'redis']) as Store[];
  for (const s of stores) if (s !== 'memory' && s !== 'redis') throw new Error(`--stores takes memory and/or redis, not "${s}"`);
  return {
    quick,
    seconds,
    sustain: num('sustain', quick ? seconds : 60),
    warmup: num('warmup', quick ? 0.2 : 2),
    stores,
    cases: list('cases') ?? [],
    queries: !flags.has('no-queries'),
    fillTraces: num('fill-traces', quick ? 2000 : 100_000),
    queryIterations: Math.max(1, Math.round(num('query-iterations', quick ? 10 : 200))),
    memoryMb: num('memory-mb', 256),
    queryMemoryMb: num('query-memory-mb', 2048),
    redisUrl: (flags.get('redis-url') as string | undefined) ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    profile: flags.has('profile'),
    out: path.resolve((flags.get('out') as string | undefined) ?? path.join(ROOT, 'bench/results')),
    shared: quick || flags.has('shared'),
    templates: Math.max(1, Math.round(num('templates', quick ? 4 : 16))),
    grpcChannels: Math.max(1, Math.round(num('grpc-channels', 1))),
    nodeArgs: typeof flags.get('node-args') === 'string' ? (flags.get('node-args') as string).split(' ').filter(Boolean) : [],
  };
}

interface CaseSpec {
  id: string;
  store: Store;
  signal: Signal;
  transport: Transport;
  batch: number;
  concurrency: number;
}

function caseSpec(store: Store, signal: Signal, transport: Transport, batch: number, concurrency: number): CaseSpec {
  return { id: `${store}/${signal}/${transport}/b${batch}/c${concurrency}`, store, signal, transport, batch, concurrency };
}

/** The full matrix: spans over both transports × batch 100/512 × concurrency 1/4/16; logs and points at 512/4. */
function allCases(store: Store): CaseSpec[] {
  const out: CaseSpec[] = [];
  for (const transport of ['grpc', 'http'] as const) {
    for (const batch of [100, 512]) for (const c of [1, 4, 16]) out.push(caseSpec(store, 'traces', transport, batch, c));
  }
  for (const signal of ['logs', 'metrics'] as const) for (const transport of ['grpc', 'http'] as const) out.push(caseSpec(store, signal, transport, 512, 4));
  return out;
}

/** The --quick selection: every signal and both transports once, briefly. */
function quickCases(store: Store): CaseSpec[] {
  return store === 'memory'
    ? [caseSpec(store, 'traces', 'grpc', 512, 4), caseSpec(store, 'traces', 'http', 100, 4), caseSpec(store, 'logs', 'grpc', 512, 4), caseSpec(store, 'metrics', 'http', 512, 4)]
    : [caseSpec(store, 'traces', 'grpc', 512, 4), caseSpec(store, 'logs', 'http', 100, 4), caseSpec(store, 'metrics', 'grpc', 100, 4)];
}

/** The commit measured (and whether src/ differs from it); 'unknown' outside a git checkout. */
function commitOf(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** Templates are built once per (signal, batch) and reused by every case. */
const templateCache = new Map<string, Template[]>();
function templatesFor(signal: Signal, batch: number, count: number): Template[] {
  const key = `${signal}/${batch}`;
  let t = templateCache.get(key);
  if (!t) templateCache.set(key, (t = buildTemplates(signal, batch, count)));
  return t;
}

/** A running server for a store, with what the benchmark needs to talk to it and clean up after. */
interface Target {
  store: Store;
  server: BenchServer;
  prefix?: string;
  maxMemoryMb?: number;
  /** Where --cpu-prof writes this server's profiles. */
  profileDir?: string;
  /** Sequence numbers are unique per server (trace ids are built from them). */
  nextSeq: number;
  nonce: number;
}

/** Servers running now, so an interrupted run still stops them and removes their Redis keys. */
const live = new Set<{ t: Target; admin?: Redis }>();

async function startTarget(o: Options, store: Store, maxMemoryMb: number, label: string, admin?: Redis): Promise<Target> {
  const prefix = store === 'redis' ? `tinyolly-bench:${randomBytes(4).toString('hex')}:` : undefined;
  const env: Record<string, string> = store === 'redis'
    ? { TINYOLLY_STORAGE: 'redis', REDIS_URL: o.redisUrl, TINYOLLY_KEY_PREFIX: prefix! }
    : { TINYOLLY_STORAGE: 'memory', TINYOLLY_MAX_MEMORY_MB: String(maxMemoryMb) };
  // One folder per server: --cpu-prof writes one file per thread (tsx runs a loader thread too).
  const profDir = path.join(o.out, 'profiles', `${new Date().toISOString().replace(/[:.]/g, '-')}-${label.replace(/[^a-z0-9]+/gi, '-')}`);
  if (o.profile) mkdirSync(profDir, { recursive: true });
  const server = await startServer({ env, cpuProfDir: o.profile ? profDir : undefined, nodeArgs: o.nodeArgs });
  if (store === 'redis') {
    // Fail early and clearly if the store cannot reach Redis.
    // The store connects in the background: poll /healthz (CONTRACT §5) for up to 10 s.
    let status = 0;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      status = (await fetch(`${server.apiUrl}/healthz`)).status;
      if (status === 200) break;
    }
    if (status !== 200) {
      await server.stop();
      if (admin && prefix) await deletePrefix(admin, prefix);
      throw new Error(`TinyOlly on Redis is not healthy (${status})`);
    }
  }
  const t: Target = {
    store, server, prefix, maxMemoryMb: store === 'memory' ? maxMemoryMb : undefined,
    profileDir: o.profile ? profDir : undefined, nextSeq: 1, nonce: newNonce(),
  };
  live.add({ t, admin });
  return t;
}

async function stopTarget(t: Target, admin?: Redis): Promise<number> {
  for (const e of live) if (e.t === t) live.delete(e);
  await t.server.stop();
  if (admin && t.prefix) return deletePrefix(admin, t.prefix);
  return 0;
}

function senderFor(o: Options, t: Target, signal: Signal, transport: Transport, concurrency: number): Sender {
  return transport === 'grpc' ? grpcSender(t.server.ports.grpc, signal, o.grpcChannels) : httpSender(t.server.ports.http, signal, concurrency);
}

async function runCase(o: Options, spec: CaseSpec, t: Target, admin?: Redis): Promise<CaseResult> {
  const headline = spec.signal === 'traces' && spec.transport === 'grpc' && spec.batch === 512 && spec.concurrency === 4;
  const seconds = headline ? Math.max(o.seconds, o.sustain) : o.seconds;
  const templates = templatesFor(spec.signal, spec.batch, o.templates);
  const sender = senderFor(o, t, spec.signal, spec.transport, spec.concurrency);
  const redisBefore = admin ? await usedMemoryMb(admin) : undefined;
  const before: StoredCounts = await storedCounts(t.server.apiUrl, spec.signal === 'metrics');
  let rssMax = 0;
  const sampler = setInterval(() => { rssMax = Math.max(rssMax, rssMb(t.server.pid)); }, 250);
  const cpu0 = cpuSeconds(t.server.pid);
  const redisCpu0 = admin ? await redisCpuSeconds(admin) : NaN;
  const client0 = process.cpuUsage();
  const wall0 = performance.now();
  const res = await runLoad({
    sender, templates, concurrency: spec.concurrency, warmupMs: o.warmup * 1000, durationMs: seconds * 1000,
    nonce: t.nonce, seqStart: t.nextSeq, timeBaseMs: Date.now() - 60_000,
  });
  const wallS = (performance.now() - wall0) / 1000;
  const cpu1 = cpuSeconds(t.server.pid);
  const client = process.cpuUsage(client0);
  const redisCpu1 = admin ? await redisCpuSeconds(admin) : NaN;
  clearInterval(sampler);
  t.nextSeq = res.nextSeq;
  const peak = Math.max(peakRssMb(t.server.pid), rssMax);
  const redisAfter = admin ? await usedMemoryMb(admin) : undefined;
  sender.close();
  const after = await storedCounts(t.server.apiUrl, spec.signal === 'metrics');
  const verdict = await verifyCase({
    apiUrl: t.server.apiUrl, storage: t.store, signal: spec.signal, templates, acked: res.acked, nonce: t.nonce, before, after,
    concurrency: spec.concurrency,
  });
  // Evicted by the memory cap after being stored (oldest first, checked) still counts as stored.
  const storedShare = verdict.ok ? 1 : verdict.expected > 0 ? verdict.stored / verdict.expected : 0;
  const latency = latencyOf(res.latenciesMs);
  return {
    id: spec.id,
    store: spec.store,
    signal: spec.signal,
    transport: spec.transport,
    batch: spec.batch,
    concurrency: spec.concurrency,
    seconds,
    ackedPerSec: res.windowItems / res.windowSeconds,
    storedPerSec: (res.windowItems / res.windowSeconds) * Math.min(1, storedShare),
    ackedItems: verdict.expected,
    storedItems: verdict.stored,
    p50Ms: latency.p50Ms,
    p99Ms: latency.p99Ms,
    completedInWindow: latency.completed,
    ...(latency.note ? { latencyNote: latency.note } : {}),
    exports: res.acked.length,
    errors: res.errors,
    rejectedItems: res.rejectedItems,
    serverCpuPct: ((cpu1 - cpu0) / wallS) * 100,
    clientCpuPct: ((client.user + client.system) / 1e6 / wallS) * 100,
    redisCpuPct: admin ? ((redisCpu1 - redisCpu0) / wallS) * 100 : undefined,
    peakRssMb: peak,
    maxMemoryMb: t.maxMemoryMb,
    redisUsedMb: redisAfter,
    redisUsedDeltaMb: redisAfter !== undefined && redisBefore !== undefined ? redisAfter - redisBefore : undefined,
    verified: { ok: verdict.ok, kind: verdict.kind, detail: verdict.detail },
    loadAverage: Number(os.loadavg()[0].toFixed(2)),
  };
}

/** Fills the store with ≥ fillTraces traces (logs for every 4th export, metric points), then times the queries. */
async function runQueryPhase(o: Options, t: Target, admin?: Redis): Promise<QueryPhase> {
  const traceTemplates = templatesFor('traces', 512, o.templates);
  const logTemplates = templatesFor('logs', 512, o.templates);
  const metricTemplates = templatesFor('metrics', 512, o.templates);
  const spans = grpcSender(t.server.ports.grpc, 'traces');
  const logs = grpcSender(t.server.ports.grpc, 'logs');
  const metrics = grpcSender(t.server.ports.grpc, 'metrics');
  const withLogs: AckedSend[] = [];
  const t0 = performance.now();
  log(`${t.store}: filling with ${o.fillTraces} traces`);
  const fill = await runLoad({
    sender: spans, templates: traceTemplates, concurrency: 4, warmupMs: 0, durationMs: 30 * 60_000, nonce: t.nonce,
    seqStart: t.nextSeq, timeBaseMs: Date.now() - 60_000, stopAfterTraces: o.fillTraces,
    onAck: async (a) => {
      if (a.seq % 4 !== 0) return;
      await logs.send(patch(logTemplates[a.template], t.nonce, a.seq, 0n));
      withLogs.push(a);
    },
  });
  t.nextSeq = fill.nextSeq;
  const metricSends = o.quick ? 10 : 100;
  const mres = await runLoad({
    sender: metrics, templates: metricTemplates, concurrency: 2, warmupMs: 0, durationMs: 10 * 60_000, nonce: t.nonce,
    seqStart: t.nextSeq, timeBaseMs: Date.now() - 10 * 60_000, maxSends: metricSends,
  });
  t.nextSeq = mres.nextSeq;
  const fillSeconds = (performance.now() - t0) / 1000;
  spans.close(); logs.close(); metrics.close();
  const counts = await storedCounts(t.server.apiUrl, true);
  log(`${t.store}: stored ${counts.traces} traces, ${counts.spans} spans, ${counts.logs} logs, ${counts.points} points in ${fillSeconds.toFixed(1)} s; timing queries`);

  const acked = fill.acked;
  if (acked.length === 0 || withLogs.length === 0) throw new Error(`${t.store}: the fill stored nothing (${JSON.stringify(fill.errors)})`);
  const pick = (list: AckedSend[], i: number) => list[(i * 7919) % list.length];
  const tid = (a: AckedSend, i: number) => traceIdHex(a.template, i % (traceTemplates[a.template].traces - 1), t.nonce, a.seq);
  // Paging (CONTRACT §7): a page far back (past up to 20 pages of 1000), reached with its cursor; what
  // is left there depends on the fill (and on eviction), so any page of at most 200 is an answer.
  let deepCursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const r = await (await fetch(`${t.server.apiUrl}/api/traces?limit=1000${deepCursor ? `&cursor=${deepCursor}` : ''}`)).json() as { nextCursor: string | null };
    if (!r.nextCursor) break;
    deepCursor = r.nextCursor;
  }
  const specs: QuerySpec[] = [
    { name: 'trace list', path: () => '/api/traces?limit=50', check: (b) => b.traces?.length === 50 },
    ...(deepCursor ? [{ name: 'trace list, page after 20,000 (cursor)', path: () => `/api/traces?limit=200&cursor=${deepCursor}`, check: (b: any) => Array.isArray(b.traces) && b.traces.length <= 200 }] : []),
    { name: 'attribute keys', path: () => '/api/attributes?signal=traces', check: (b) => b.keys?.length > 0 },
    // One trace in ten reaches bench-payments: a filter that has to skip most traces.
    { name: 'trace list, service filter', path: () => `/api/traces?limit=50&service=${SERVICES[3]}`, check: (b) => b.traces?.length === 50 },
    { name: 'one trace', path: (i) => `/api/traces/${tid(pick(acked, i), i)}`, check: (b) => b.spans?.length === 10 },
    { name: 'logs by trace id', path: (i) => `/api/logs?trace_id=${tid(pick(withLogs, i), i)}`, check: (b) => b.logs?.length === 10 },
    { name: 'one metric', path: () => `/api/metrics/${METRIC_NAMES[0]}`, check: (b) => b.series?.length > 0 },
  ];
  const queries = await runQueries(t.server.apiUrl, specs, o.queryIterations);
  return {
    store: t.store,
    traces: counts.traces,
    spans: counts.spans,
    logs: counts.logs,
    points: counts.points,
    fillSeconds,
    peakRssMb: peakRssMb(t.server.pid),
    maxMemoryMb: t.maxMemoryMb,
    redisUsedMb: admin ? await usedMemoryMb(admin) : undefined,
    queries,
  };
}

function attachProfile(r: CaseResult, t: Target): void {
  if (!t.profileDir) return;
  // The main thread's profile is the largest one (the tsx loader thread's is small).
  const files = existsSync(t.profileDir) ? readdirSync(t.profileDir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const main = files.map((f) => path.join(t.profileDir!, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!main) {
    log(`no CPU profile written in ${t.profileDir}`);
    return;
  }
  r.profile = { file: path.relative(ROOT, main), summary: summariseProfileFile(main) };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = new Date();
  // Taken now: commits made while a long run goes on must not be credited with its numbers.
  const commit = commitOf();
  const m = machine();
  log(`machine: ${renderMachine(m)}`);
  const skipped: string[] = [];
  const failures: string[] = [];
  const cases: CaseResult[] = [];
  const queryPhases: QueryPhase[] = [];
  const t0 = performance.now();
  const t1 = performance.now();
  log(`building templates`);
  for (const signal of ['traces', 'logs', 'metrics'] as const) for (const b of [100, 512]) templatesFor(signal, b, o.templates);
  log(`templates built in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  for (const store of o.stores) {
    let admin: Redis | undefined;
    if (store === 'redis') {
      if (!(await redisReachable(o.redisUrl))) {
        const reason = `redis store: no Redis answers at ${o.redisUrl}`;
        skipped.push(reason);
        log(`SKIP ${reason}`);
        continue;
      }
      admin = connectAdmin(o.redisUrl);
      await admin.connect();
    }
    let shared: Target | undefined;
    try {
      const selected = (o.quick ? quickCases(store) : allCases(store)).filter((c) => o.cases.length === 0 || o.cases.some((s) => c.id.includes(s)));
      for (const spec of selected) {
        const t = shared ?? await startTarget(o, store, o.memoryMb, spec.id, admin);
        if (o.shared) shared = t;
        log(`${spec.id}: running`);
        let r: CaseResult | undefined;
        try {
          r = await runCase(o, spec, t, admin);
        } catch (err) {
          // Most likely the server died: say why (its exit and last words), then go on with the next case.
          const exit = t.server.proc.exitCode ?? t.server.proc.signalCode;
          const reason = `${spec.id}: ${(err as Error).message}; server ${exit === null ? 'still running' : `exited (${exit})`}; server stderr: ${t.server.stderr().slice(-2000) || '(empty)'}`;
          log(`FAILED ${reason}`);
          failures.push(reason);
        }
        if (!o.shared || !r) {
          await stopTarget(t, admin);
          shared = undefined;
        }
        if (!r) continue;
        if (!o.shared) attachProfile(r, t);
        cases.push(r);
        log(`${spec.id}: ${Math.round(r.ackedPerSec)} items/s acked, ${r.p50Ms === null || r.p99Ms === null ? `latency none (${r.latencyNote})` : `p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms`}, server CPU ${Math.round(r.serverCpuPct)}%, peak RSS ${Math.round(r.peakRssMb)} MiB, ${r.verified.ok ? r.verified.kind : 'MISMATCH'}: ${r.verified.detail}`);
      }
      if (o.queries) {
        const t = shared ?? await startTarget(o, store, o.queryMemoryMb, `${store}-queries`, admin);
        if (o.shared) shared = t;
        try {
          queryPhases.push(await runQueryPhase(o, t, admin));
        } finally {
          if (!o.shared) await stopTarget(t, admin);
        }
      }
    } finally {
      if (shared) {
        const deleted = await stopTarget(shared, admin);
        if (admin) log(`${store}: removed ${deleted} keys of prefix ${shared.prefix}`);
      }
      admin?.disconnect();
    }
  }

  const report: BenchReport = {
    date: started.toISOString(),
    commit: commit === commitOf() ? commit : `${commit} (HEAD moved during the run, to ${commitOf()})`,
    quick: o.quick,
    machine: m,
    options: { ...o },
    cases,
    queryPhases,
    skipped,
    failures,
    targets: o.quick ? [] : evaluateTargets(cases, queryPhases),
  };
  mkdirSync(o.out, { recursive: true });
  const stamp = started.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z') + (o.quick ? '-quick' : '');
  const jsonFile = path.join(o.out, `${stamp}.json`);
  writeFileSync(jsonFile, JSON.stringify(report, null, 2) + '\n');
  const md = [renderMarkdownFile(report)];
  for (const c of cases) if (c.profile) md.push(profileMarkdown(c.profile.summary, `CPU profile of the server, ${c.id}`));
  writeFileSync(path.join(o.out, `${stamp}.md`), md.join('\n') + '\n');
  process.stdout.write(`\nMachine: ${renderMachine(m)}\n\n${renderReport(report, false)}\n\nwrote ${path.relative(process.cwd(), jsonFile)} in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  const bad = cases.filter((c) => !c.verified.ok);
  const failedQueries = queryPhases.flatMap((p) => p.queries.filter((q) => q.failures > 0).map((q) => `${p.store}: ${q.name}`));
  if (bad.length > 0 || failedQueries.length > 0 || failures.length > 0) {
    process.stderr.write(`[bench] FAILED: ${[...failures, ...bad.map((c) => `${c.id}: ${c.verified.detail}`), ...failedQueries.map((q) => `query failed: ${q}`)].join('\n')}\n`);
    process.exitCode = 1;
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping ${live.size} server(s) and removing their keys`);
    Promise.allSettled([...live].map((e) => stopTarget(e.t, e.admin))).finally(() => process.exit(130));
  });
}

main().catch((err) => {
  process.stderr.write(`[bench] ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
