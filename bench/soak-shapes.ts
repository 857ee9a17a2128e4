/**
 * @module bench/soak-shapes: `npm run soak:shapes -- [--minutes N] [--out FILE]`. Issue 11's soak:
 * starts TinyOlly with its default settings (memory store, TINYOLLY_MAX_MEMORY_MB 256) and for N
 * minutes cycles through every hostile-input shape (bench/hostile-shapes.ts: 150 KB scope names,
 * re-sent spans, refused series, many metric names, link attributes, out-of-order points, big seed
 * JSON, 1M-bucket histograms, a trace past TINYOLLY_MAX_SPANS_PER_TRACE read back through the API,
 * many uploads at once). Every 5 s it samples the server's RSS and times a /healthz. Prints a table
 * per minute and a verdict: flat (the last minute's max RSS within 10 % of the second minute's) and
 * under the cap + 150 MiB. Not a test and not run in CI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BIG_TRACE_SPANS, bigTraceIdHex, HEAVY_SHAPES, HOSTILE_SHAPES, type HostileShape, type ShapeRequest } from './hostile-shapes.js';
import { peakRssMb, ROOT, rssMb, startServer } from './server.js';

const HELP = `Usage: npm run soak:shapes -- [options]

  --minutes N    how long to cycle the shapes (default 5)
  --interval N   seconds between RSS and /healthz samples (default 5)
  --out FILE     also write the samples, table and verdict as JSON to FILE
  --only TEXT    cycle only the shapes whose name contains TEXT (to find which shape keeps memory)
  --heap-mb N    run the server with --max-old-space-size=N (default: none, Node's own limit); a
                 diagnosis: with a heap limit V8 collects before it grows, so RSS shows what is kept
  --node-args="FLAGS"  extra node flags for the server (e.g. "--heap-growing-percent=0" for V8's own
                 growing factor, "--require ./probe.cjs" to log process.memoryUsage() from inside)
`;

/** TinyOlly's default TINYOLLY_MAX_MEMORY_MB (CONTRACT §1.2): the soak sets nothing. */
const DEFAULT_CAP_MB = 256;
/** Issue 11's allowance for the runtime (tsx, fastify, grpc-js) over the cap. */
const RUNTIME_MB = 150;
/** Flat: the last minute's max RSS at most this much above the second minute's. */
const FLAT_TOLERANCE = 0.1;
/** A request or read with no answer after this long is counted as failed. */
const REQUEST_TIMEOUT_MS = 120_000;

interface Sample { atSeconds: number; rssMb: number; healthzMs: number | null; healthzStatus: number | string }
interface MinuteRow { minute: number; samples: number; rssMinMb: number; rssMaxMb: number; healthzP50Ms: number | null; healthzMaxMs: number | null }

const round1 = (n: number): number => Math.round(n * 10) / 10;
function quantile(sorted: number[], q: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
}

/** One row per started minute of the run. */
function minuteTable(samples: Sample[]): MinuteRow[] {
  const rows: MinuteRow[] = [];
  for (const s of samples) {
    const minute = Math.floor(s.atSeconds / 60) + 1;
    while (rows.length < minute) rows.push({ minute: rows.length + 1, samples: 0, rssMinMb: Infinity, rssMaxMb: 0, healthzP50Ms: null, healthzMaxMs: null });
  }
  for (const row of rows) {
    const inMinute = samples.filter((s) => Math.floor(s.atSeconds / 60) + 1 === row.minute);
    const rss = inMinute.map((s) => s.rssMb).filter(Number.isFinite);
    const latency = inMinute.map((s) => s.healthzMs).filter((x): x is number => x !== null).sort((a, b) => a - b);
    row.samples = inMinute.length;
    row.rssMinMb = rss.length ? Math.round(Math.min(...rss)) : NaN;
    row.rssMaxMb = rss.length ? Math.round(Math.max(...rss)) : NaN;
    row.healthzP50Ms = quantile(latency, 0.5);
    row.healthzMaxMs = latency.length ? latency[latency.length - 1] : null;
  }
  return rows;
}

function renderTable(rows: MinuteRow[]): string {
  const ms = (n: number | null) => (n === null ? '—' : `${round1(n)}`);
  const lines = ['minute | samples | RSS MiB min | RSS MiB max | healthz p50 ms | healthz max ms', '---: | ---: | ---: | ---: | ---: | ---:'];
  for (const r of rows) lines.push(`${r.minute} | ${r.samples} | ${r.rssMinMb} | ${r.rssMaxMb} | ${ms(r.healthzP50Ms)} | ${ms(r.healthzMaxMs)}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    args: process.argv.slice(2),
    options: {
      help: { type: 'boolean', short: 'h' }, minutes: { type: 'string', default: '5' }, interval: { type: 'string', default: '5' },
      out: { type: 'string', default: '' }, only: { type: 'string', default: '' }, 'heap-mb': { type: 'string', default: '' },
      'node-args': { type: 'string', default: '' },
    },
  });
  if (v.help) { process.stdout.write(HELP); return; }
  const minutes = Number(v.minutes);
  const intervalS = Number(v.interval);
  const out = v.out;
  const heapMb = v['heap-mb'];
  if (![minutes, intervalS].every((n) => Number.isFinite(n) && n > 0)) throw new Error('numbers must be positive (see --help)');

  const nodeArgs = [...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), ...v['node-args'].split(/\s+/).filter(Boolean)];
  const server = await startServer({ env: {}, nodeArgs });
  const otlp = `http://127.0.0.1:${server.ports.http}`;
  const only = v.only;
  const shapes: HostileShape[] = [...HOSTILE_SHAPES, ...HEAVY_SHAPES].filter((s) => s.name.includes(only));
  if (!shapes.length) throw new Error(`no shape name contains "${only}"`);
  const log = (line: string) => console.log(`[soak-shapes] ${line}`);
  log(`TinyOlly pid ${server.pid} (${server.storage}), default settings (cap ${DEFAULT_CAP_MB} MiB)${nodeArgs.length ? `, node ${nodeArgs.join(' ')}` : ''}, ${shapes.length} shapes, ${minutes} min, samples every ${intervalS} s`);

  const startedAt = Date.now();
  const endAt = startedAt + minutes * 60_000;
  const samples: Sample[] = [];
  let sampling = false;
  const sampleOnce = async () => {
    if (sampling) return; // a /healthz still waiting: the next tick takes its RSS with the late answer
    sampling = true;
    const atSeconds = (Date.now() - startedAt) / 1000;
    const rss = rssMb(server.pid);
    const t0 = performance.now();
    let healthzMs: number | null = null;
    let healthzStatus: number | string;
    try {
      const res = await fetch(`${server.apiUrl}/healthz`, { signal: AbortSignal.timeout(60_000) });
      await res.arrayBuffer();
      healthzMs = round1(performance.now() - t0);
      healthzStatus = res.status;
    } catch (err) {
      healthzStatus = err instanceof Error ? err.name : String(err);
    }
    samples.push({ atSeconds: Math.round(atSeconds), rssMb: Math.round(rss), healthzMs, healthzStatus });
    sampling = false;
  };
  const sampler = setInterval(() => { void sampleOnce(); }, intervalS * 1000);
  void sampleOnce();

  /** Answers per shape: status code (or error name) → count. */
  const answers: Record<string, Record<string, number>> = {};
  const tally = (shape: string, key: string | number) => {
    const a = (answers[shape] ??= {});
    a[key] = (a[key] ?? 0) + 1;
  };
  const post = async (shape: string, [signal, body, json]: ShapeRequest) => {
    try {
      const res = await fetch(`${otlp}/v1/${signal}`, {
        method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body),
        headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf' },
        // A request that never settles (seen once: a send stuck with no socket open) must not stop the soak.
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      tally(shape, res.status);
    } catch (err) {
      const reason = err instanceof Error ? (err.name === 'TimeoutError' ? `no answer in ${REQUEST_TIMEOUT_MS / 1000} s` : (err.cause as Error | undefined)?.message ?? err.message) : String(err);
      tally(shape, reason);
      log(`${shape}: ${reason}`);
    }
  };

  // Which shape was being sent when RSS peaked: a fast /proc poll attributes RSS to the current shape.
  const shapePeakMb: Record<string, number> = {};
  let current = '';
  const attribute = setInterval(() => {
    const rss = rssMb(server.pid);
    if (current && Number.isFinite(rss)) shapePeakMb[current] = Math.max(shapePeakMb[current] ?? 0, Math.round(rss));
  }, 250);

  let cycles = 0;
  let bigTraceRead: { status: number; totalSpans?: number; spansDropped?: number; spansInPage?: number } | undefined;
  while (Date.now() < endAt && server.proc.exitCode === null && server.proc.signalCode === null) {
    const cycle = cycles++;
    for (const shape of shapes) {
      if (Date.now() >= endAt) break;
      current = shape.name;
      if (shape.parallel && shape.parallel > 1) {
        await Promise.all([...shape.requests(cycle)].map((req) => post(shape.name, req)));
      } else {
        for (const req of shape.requests(cycle)) await post(shape.name, req);
      }
      if (shape === HEAVY_SHAPES[0]) {
        // Read the capped trace's first page back, as the UI would.
        const res = await fetch(`${server.apiUrl}/api/traces/${bigTraceIdHex(cycle)}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch(() => undefined);
        if (!res) { tally(shape.name, 'read failed'); continue; }
        const body = res.ok ? await res.json() as { totalSpans: number; spansDropped: number; spans: unknown[] } : (await res.arrayBuffer(), undefined);
        bigTraceRead = { status: res.status, totalSpans: body?.totalSpans, spansDropped: body?.spansDropped, spansInPage: body?.spans.length };
        tally(shape.name, `read ${res.status}`);
      }
    }
    log(`t=${Math.round((Date.now() - startedAt) / 1000)}s cycle ${cycle + 1} done, rss ${Math.round(rssMb(server.pid))} MiB`);
  }
  clearInterval(sampler);
  clearInterval(attribute);
  for (let i = 0; sampling && i < 700; i++) await new Promise((r) => setTimeout(r, 100));
  const alive = server.proc.exitCode === null && server.proc.signalCode === null;
  const hwmMb = Math.round(peakRssMb(server.pid));
  let stats: unknown;
  try { stats = await (await fetch(`${server.apiUrl}/api/stats`, { signal: AbortSignal.timeout(30_000) })).json(); } catch { stats = null; }
  const serverStderr = server.stderr();
  await server.stop();

  const rows = minuteTable(samples);
  const limitMb = DEFAULT_CAP_MB + RUNTIME_MB;
  const maxRss = Math.max(...samples.map((s) => s.rssMb).filter(Number.isFinite));
  const second = rows[1] ?? rows[0];
  const last = rows[rows.length - 1];
  const flat = rows.length >= 2 && last.rssMaxMb <= second.rssMaxMb * (1 + FLAT_TOLERANCE);
  const under = alive && maxRss < limitMb && hwmMb < limitMb;
  const healthzFailures = samples.filter((s) => s.healthzStatus !== 200).length;
  const verdict = [
    `RSS ${flat ? 'flat' : 'NOT flat'}: last minute max ${last?.rssMaxMb} MiB vs second minute max ${second?.rssMaxMb} MiB (tolerance ${FLAT_TOLERANCE * 100} %${rows.length < 2 ? '; run under 2 minutes: no verdict' : ''})`,
    `${under ? 'under' : 'NOT under'} cap + ${RUNTIME_MB} MiB = ${limitMb} MiB: sampled max ${maxRss} MiB, peak (VmHWM) ${hwmMb} MiB${alive ? '' : ', the server died'}`,
    `/healthz: ${samples.length} samples, ${healthzFailures} not 200`,
  ];

  const report = [
    `TinyOlly soak of issue 11's hostile shapes at the default cap (${DEFAULT_CAP_MB} MiB)${nodeArgs.length ? `, node ${nodeArgs.join(' ')}` : ''}, ${minutes} min, ${cycles} cycles (the last may be partial), ${new Date().toISOString()}`,
    '',
    renderTable(rows),
    '',
    ...verdict,
    `big trace read: ${JSON.stringify(bigTraceRead)} (${BIG_TRACE_SPANS} sent)`,
    `store at the end: ${JSON.stringify(stats)}`,
    '',
    'per shape: peak RSS while it was being sent (MiB, 250 ms polls) and answers (status → count):',
    ...Object.entries(answers).map(([name, a]) => `  ${name}: peak ${shapePeakMb[name] ?? '—'} MiB, ${JSON.stringify(a)}`),
  ].join('\n');
  console.log(`\n${report}`);
  if (!alive) console.log(`\nserver stderr (tail):\n${serverStderr.slice(-4000)}`);
  if (out) {
    const file = path.resolve(ROOT, out);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ minutes, intervalS, heapMb: heapMb || null, nodeArgs, capMb: DEFAULT_CAP_MB, limitMb, cycles, rows, verdict: { flat, under, lines: verdict }, bigTraceRead, stats, answers, shapePeakMb, samples }, null, 2) + '\n');
    log(`wrote ${path.relative(ROOT, file)}`);
  }
  process.exitCode = flat && under ? 0 : 1;
}

main().catch((err) => {
  console.error(`[soak-shapes] ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
