/**
 * @module bench/soak: `npm run soak -- --minutes N`. Runs TinyOlly under a steady, high rate of traces,
 * logs and metrics for N minutes and samples its memory and export latency every interval, to show
 * that both stay flat. Not a test and not run in CI; prints a table and writes bench/results/soak-<date>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { grpcSender, httpSender, latencyOf, type Sender } from './load.js';
import { buildTemplates, newNonce, patch, type Signal } from './payloads.js';
import { connectAdmin, deletePrefix } from './redis-admin.js';
import { ROOT, rssMb, startServer } from './server.js';

const HELP = `Usage: npm run soak -- [options]

  --minutes N       how long (default 10)
  --rate N          spans per second to offer (default 20000); logs at the same rate, metric points at a tenth
  --batch N         items per export (default 512)
  --transport T     grpc | http (default grpc)
  --store S         memory | redis (default memory; redis uses REDIS_URL or redis://127.0.0.1:6379 and a private prefix)
  --interval N      seconds between samples (default 10)
  --memory-mb N     TINYOLLY_MAX_MEMORY_MB for the memory store (default 256)
`;

interface Sample {
  atSeconds: number;
  rssMb: number;
  exports: number;
  items: number;
  errors: number;
  /** null when no export completed in the interval (see latencyNote). */
  p50Ms: number | null;
  p99Ms: number | null;
  latencyNote?: string;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    args: process.argv.slice(2),
    options: {
      help: { type: 'boolean', short: 'h' }, minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '20000' },
      batch: { type: 'string', default: '512' }, transport: { type: 'string', default: 'grpc' }, store: { type: 'string', default: 'memory' },
      interval: { type: 'string', default: '10' }, 'memory-mb': { type: 'string', default: '256' },
    },
  });
  if (v.help) { process.stdout.write(HELP); return; }
  const minutes = Number(v.minutes);
  const rate = Number(v.rate);
  const batch = Number(v.batch);
  const transport = v.transport;
  const store = v.store;
  const intervalS = Number(v.interval);
  const memoryMb = v['memory-mb'];
  if (![minutes, rate, batch, intervalS].every((n) => Number.isFinite(n) && n > 0)) throw new Error('numbers must be positive (see --help)');

  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const prefix = `tinyolly-soak:${randomBytes(4).toString('hex')}:`;
  const env: Record<string, string> = store === 'redis'
    ? { REDIS_URL: redisUrl, TINYOLLY_KEY_PREFIX: prefix }
    : { TINYOLLY_MAX_MEMORY_MB: memoryMb };
  const server = await startServer({ env });
  console.log(`[soak] TinyOlly pid ${server.pid} (${server.storage}), ${rate} spans/s + ${rate} logs/s + ${rate / 10} points/s over ${transport}, batch ${batch}, ${minutes} min`);

  const port = transport === 'grpc' ? server.ports.grpc : server.ports.http;
  const signals: { signal: Signal; perSecond: number }[] = [
    { signal: 'traces', perSecond: rate }, { signal: 'logs', perSecond: rate }, { signal: 'metrics', perSecond: rate / 10 },
  ];
  const nonce = newNonce();
  let seq = 1;
  let window: { latencies: number[]; items: number; errors: number; exports: number } = { latencies: [], items: 0, errors: 0, exports: 0 };
  const endAt = Date.now() + minutes * 60_000;
  const senders: Sender[] = [];

  const loops = signals.map(async ({ signal, perSecond }) => {
    const templates = buildTemplates(signal, batch, 8);
    const sender = transport === 'grpc' ? grpcSender(port, signal) : httpSender(port, signal, 4);
    senders.push(sender);
    const gapMs = (batch / perSecond) * 1000;
    let next = Date.now();
    while (Date.now() < endAt) {
      const s = seq++;
      const body = patch(templates[s % templates.length], nonce, s, BigInt(Date.now()) * 1_000_000n);
      const t0 = performance.now();
      try {
        const rejected = await sender.send(body);
        window.latencies.push(performance.now() - t0);
        window.items += batch - rejected;
      } catch {
        window.errors++;
      }
      window.exports++;
      next += gapMs;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (wait < -5000) next = Date.now(); // fell behind: do not burst to catch up
    }
  });

  const samples: Sample[] = [];
  const startedAt = Date.now();
  const sampler = setInterval(() => {
    const w = window;
    window = { latencies: [], items: 0, errors: 0, exports: 0 };
    const latency = latencyOf(w.latencies);
    const round = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
    const sample: Sample = {
      atSeconds: Math.round((Date.now() - startedAt) / 1000),
      rssMb: Math.round(rssMb(server.pid)),
      exports: w.exports,
      items: w.items,
      errors: w.errors,
      p50Ms: round(latency.p50Ms),
      p99Ms: round(latency.p99Ms),
      ...(latency.note ? { latencyNote: latency.note } : {}),
    };
    samples.push(sample);
    console.log(`[soak] t=${sample.atSeconds}s rss ${sample.rssMb} MiB, ${Math.round(sample.items / intervalS)} items/s, ${sample.p50Ms === null ? `latency none (${sample.latencyNote})` : `p50 ${sample.p50Ms} ms, p99 ${sample.p99Ms} ms`}, errors ${sample.errors}`);
  }, intervalS * 1000);

  await Promise.all(loops);
  clearInterval(sampler);
  for (const s of senders) s.close();
  await server.stop();
  if (store === 'redis') {
    const admin = connectAdmin(redisUrl);
    await deletePrefix(admin, prefix);
    await admin.quit();
  }

  // Flatness: compare the second fifth of the run (after warm-up) with the last fifth.
  const fifth = Math.max(1, Math.floor(samples.length / 5));
  const avg = (xs: Sample[], f: (s: Sample) => number) => xs.reduce((a, s) => a + f(s), 0) / Math.max(1, xs.length);
  // Intervals without a completed export have no p99: average over those that have one.
  const timed = (xs: Sample[]) => xs.filter((s) => s.p99Ms !== null);
  const early = samples.slice(fifth, 2 * fifth);
  const late = samples.slice(-fifth);
  const summary = {
    rssEarlyMb: Math.round(avg(early, (s) => s.rssMb)), rssLateMb: Math.round(avg(late, (s) => s.rssMb)),
    p99EarlyMs: Math.round(avg(timed(early), (s) => s.p99Ms!) * 10) / 10, p99LateMs: Math.round(avg(timed(late), (s) => s.p99Ms!) * 10) / 10,
    errors: samples.reduce((a, s) => a + s.errors, 0),
  };
  console.log(`\n[soak] memory ${summary.rssEarlyMb} → ${summary.rssLateMb} MiB, p99 ${summary.p99EarlyMs} → ${summary.p99LateMs} ms, errors ${summary.errors}`);
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `soak-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}Z.json`);
  writeFileSync(file, JSON.stringify({ minutes, rate, batch, transport, store, intervalS, samples, summary }, null, 2) + '\n');
  console.log(`[soak] wrote ${path.relative(ROOT, file)}`);
}

main().catch((err) => {
  console.error(`[soak] ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
