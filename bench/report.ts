/**
 * @module bench/report: the benchmark's result shapes, the machine description, the targets of
 * issue 6 checked against a run, and the text and Markdown tables printed and written.
 */
import os from 'node:os';
import type { QueryResult } from './queries.js';
import type { ProfileSummary } from './profile-summary.js';

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryMb: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started (other work on the machine skews the figures). */
  loadAverage: number;
}

/** Describes the machine the run is on. */
export function machine(): Machine {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: Number(os.loadavg()[0].toFixed(2)),
  };
}

export interface CaseResult {
  id: string;
  store: 'memory' | 'redis';
  signal: 'traces' | 'logs' | 'metrics';
  transport: 'grpc' | 'http';
  batch: number;
  concurrency: number;
  seconds: number;
  /** Items per second acknowledged in the timed window. */
  ackedPerSec: number;
  /** ackedPerSec × the share of acknowledged items found stored. */
  storedPerSec: number;
  ackedItems: number;
  storedItems: number;
  /** Export latency percentiles of the timed window; null (with latencyNote) when no export completed in it. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Exports that started and ended inside the timed window (the latencies' sample). */
  completedInWindow: number;
  /** Why p50Ms/p99Ms are null (e.g. "no completed requests in the timed window"). */
  latencyNote?: string;
  exports: number;
  errors: Record<string, number>;
  rejectedItems: number;
  /** Server CPU over the load, % of one core. */
  serverCpuPct: number;
  /** Benchmark process CPU over the load, % of one core (the load generator shares the machine). */
  clientCpuPct: number;
  /** Redis server CPU over the load, % of one core (the whole instance). */
  redisCpuPct?: number;
  peakRssMb: number;
  /** TINYOLLY_MAX_MEMORY_MB the server ran with (memory store). */
  maxMemoryMb?: number;
  redisUsedMb?: number;
  redisUsedDeltaMb?: number;
  verified: { ok: boolean; kind: string; detail: string };
  /** 1-minute load average when the case ended (above nproc, something else competed for the CPUs). */
  loadAverage: number;
  profile?: { file: string; summary: ProfileSummary };
}

export interface QueryPhase {
  store: 'memory' | 'redis';
  traces: number;
  spans: number;
  logs: number;
  points: number;
  fillSeconds: number;
  peakRssMb: number;
  maxMemoryMb?: number;
  redisUsedMb?: number;
  queries: QueryResult[];
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

export interface BenchReport {
  date: string;
  /** `git rev-parse HEAD` of the code measured, `+dirty` when src/ had uncommitted changes. */
  commit: string;
  quick: boolean;
  machine: Machine;
  options: Record<string, unknown>;
  cases: CaseResult[];
  queryPhases: QueryPhase[];
  skipped: string[];
  /** Cases that could not finish (e.g. the server died), with the reason. */
  failures: string[];
  targets: Target[];
}

const SPAN_TARGET = { memory: 200_000, redis: 100_000 } as const;

/** Checks the targets of issue 6 against the cases and query phases that ran (null: not measured in this run). */
export function evaluateTargets(cases: CaseResult[], phases: QueryPhase[]): Target[] {
  const out: Target[] = [];
  const find = (store: string, signal: string) => cases.find((c) => c.id === `${store}/${signal}/grpc/b512/c4`);
  for (const store of ['memory', 'redis'] as const) {
    const goal = SPAN_TARGET[store];
    const c = find(store, 'traces');
    out.push({
      name: `${store}: OTLP/gRPC spans, batch 512, concurrency 4`,
      goal: `≥ ${goal.toLocaleString('en')} spans/s stored, p99 ≤ 50 ms, sustained 60 s`,
      measured: c ? `${fmtInt(c.storedPerSec)} spans/s over ${c.seconds} s, p99 ${c.p99Ms === null ? `not measured (${c.latencyNote})` : `${fmtMs(c.p99Ms)} ms`}` : 'not run',
      met: c ? c.storedPerSec >= goal && c.p99Ms !== null && c.p99Ms <= 50 && c.seconds >= 60 && c.verified.ok : null,
    });
    for (const signal of ['logs', 'metrics'] as const) {
      const l = find(store, signal);
      // "Same order of magnitude as spans": at least a third of the span target.
      out.push({
        name: `${store}: OTLP/gRPC ${signal === 'logs' ? 'log records' : 'metric points'}, batch 512, concurrency 4`,
        goal: `same order as spans (≥ ${fmtInt(goal / 3)}/s)`,
        measured: l ? `${fmtInt(l.storedPerSec)}/s` : 'not run',
        met: l ? l.storedPerSec >= goal / 3 && l.verified.ok : null,
      });
    }
    if (store === 'memory' && c?.maxMemoryMb !== undefined) {
      out.push({
        name: 'memory: RSS over the sustained run',
        goal: `≤ TINYOLLY_MAX_MEMORY_MB + 100 = ${c.maxMemoryMb + 100} MiB`,
        measured: `peak ${fmtInt(c.peakRssMb)} MiB`,
        met: c.peakRssMb <= c.maxMemoryMb + 100,
      });
    }
    const p = phases.find((q) => q.store === store);
    for (const q of p?.queries ?? []) {
      out.push({
        name: `${store}: query ${q.name} (${fmtInt(p!.traces)} traces stored)`,
        goal: 'p50 ≤ 20 ms, p99 ≤ 100 ms, with ≥ 100,000 traces',
        measured: `p50 ${fmtMs(q.p50Ms)} ms, p99 ${fmtMs(q.p99Ms)} ms`,
        met: p!.traces >= 100_000 ? q.p50Ms <= 20 && q.p99Ms <= 100 && q.failures === 0 : null,
      });
    }
  }
  return out;
}

function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–';
}
function fmtMs(n: number): string {
  return Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '–';
}
/** A case's latency cell: the figure, or "none" when no export completed in the window. */
function fmtLatency(n: number | null): string {
  return n === null ? 'none' : fmtMs(n);
}
function fmtMb(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : String(Math.round(n));
}

function table(head: string[], rows: string[][], markdown: boolean): string {
  if (markdown) {
    // Right-align the columns that hold figures.
    const numeric = head.map((_, i) => i > 0 && rows.every((r) => /^[\d,.–+()\s]*$|^cap \d+$/.test(r[i])));
    return [`| ${head.join(' | ')} |`, `|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The case table, the query table and the targets, as plain text or Markdown. */
export function renderReport(r: BenchReport, markdown: boolean): string {
  const caseRows = r.cases.map((c) => [
    c.id, fmtInt(c.ackedPerSec), fmtInt(c.storedPerSec), fmtLatency(c.p50Ms), fmtLatency(c.p99Ms), String(c.seconds),
    Object.values(c.errors).reduce((a, b) => a + b, 0) ? Object.entries(c.errors).map(([k, v]) => `${k}×${v}`).join(' ') : '0',
    fmtInt(c.serverCpuPct), fmtInt(c.clientCpuPct), c.redisCpuPct === undefined ? '–' : fmtInt(c.redisCpuPct), fmtMb(c.peakRssMb), c.store === 'redis' ? `${fmtMb(c.redisUsedMb)} (+${fmtMb(c.redisUsedDeltaMb)})` : `cap ${fmtMb(c.maxMemoryMb)}`,
    c.loadAverage.toFixed(1),
    !c.verified.ok ? 'MISMATCH' : c.verified.kind === 'evicted' ? `yes (${fmtInt(c.ackedItems - c.storedItems)} evicted by cap, oldest first)` : 'yes',
  ]);
  const parts = [
    table(['case (store/signal/transport/batch/concurrency)', 'acked/s', 'stored/s', 'p50 ms', 'p99 ms', 's', 'errors', 'server CPU %', 'bench CPU %', 'Redis CPU %', 'peak RSS MiB', 'Redis used MiB / mem cap', 'load avg', 'stored = acked'], caseRows, markdown),
  ];
  // A case without latencies says why, under the table ("none" alone could read as zero).
  for (const c of r.cases) if (c.p50Ms === null || c.p99Ms === null) parts.push(`${c.id}: latency none, ${c.latencyNote ?? 'not measured'}`);
  for (const p of r.queryPhases) {
    const title = `Queries, ${p.store} store holding ${fmtInt(p.traces)} traces (${fmtInt(p.spans)} spans), ${fmtInt(p.logs)} logs, ${fmtInt(p.points)} metric points; server peak RSS ${fmtMb(p.peakRssMb)} MiB${p.redisUsedMb !== undefined ? `, Redis used_memory ${fmtMb(p.redisUsedMb)} MiB` : ''}`;
    parts.push('', markdown ? `**${title}**` : title, '');
    parts.push(table(['query', 'p50 ms', 'p99 ms', 'max ms', 'answer bytes', 'calls', 'failures'],
      p.queries.map((q) => [`${q.name} \`${q.example}\``.replace(/`/g, markdown ? '`' : ''), fmtMs(q.p50Ms), fmtMs(q.p99Ms), fmtMs(q.maxMs), fmtInt(q.bytes), String(q.iterations), String(q.failures)]), markdown));
  }
  if (r.targets.length > 0) {
    parts.push('', markdown ? '**Targets (issue 6)**' : 'Targets (issue 6)', '');
    parts.push(table(['target', 'goal', 'measured', 'met'], r.targets.map((t) => [t.name, t.goal, t.measured, t.met === null ? 'not measured' : t.met ? 'yes' : 'NO']), markdown));
  }
  for (const s of r.skipped) parts.push('', `skipped: ${s}`);
  for (const f of r.failures) parts.push('', `FAILED: ${f}`);
  return parts.join('\n');
}

/** The whole Markdown file written beside the JSON (profile sections are appended by the caller). */
export function renderMarkdownFile(r: BenchReport): string {
  return [`Machine: ${renderMachine(r.machine)}`, '', `Code: commit ${r.commit}, ${r.date}`, '', renderReport(r, true), ''].join('\n');
}

/** The machine line of the report. */
export function renderMachine(m: Machine): string {
  return `${m.nproc} CPUs (nproc), ${m.cpuModel}, ${(m.memoryMb / 1024).toFixed(1)} GiB RAM, Node.js ${m.node}, ${m.os}, load average ${m.loadAverage} at start`;
}
