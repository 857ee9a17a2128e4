/**
 * @module bench/in-process/metrics-ingest: `npx tsx bench/in-process/metrics-ingest.ts [--redis URL]`. A focused
 * micro-benchmark of the metric ingest path inside one process, without HTTP: the bench's metric
 * requests (sums and histograms, 512 points) through the fused protobuf decoder, then into the
 * memory store (and, with --redis, the Redis store under a throwaway prefix). Prints points per
 * CPU second of this process (steadier than wall time on a busy machine), best of several rounds.
 * A benchmark, not a test: nothing gates on it.
 */
import { parseArgs } from 'node:util';
import { normaliseMetricsProtobuf } from '../../src/normalise/metrics-protobuf.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../../src/normalise/options.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createRedisStore } from '../../src/store/redis/redis-store.js';
import type { Store } from '../../src/store/store.js';
import { buildTemplates, patch } from '../payloads.js';

const { values } = parseArgs({ options: { redis: { type: 'string' }, rounds: { type: 'string', default: '7' }, seconds: { type: 'string', default: '1.5' } } });
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const BATCH = 512;
const templates = buildTemplates('metrics', BATCH, 8);
const o = DEFAULT_NORMALISE_OPTIONS;
let seq = 0;
const nextBody = () => patch(templates[seq % templates.length], 0, seq, BigInt(Date.now()) * 1_000_000n + BigInt(seq++));

/** Points per CPU second of `step`, best of ROUNDS rounds of SECONDS (wall) each. */
async function rate(step: () => Promise<number> | number): Promise<number> {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let points = 0;
    const until = Date.now() + SECONDS * 1000;
    const cpu = process.cpuUsage();
    while (Date.now() < until) points += await step();
    const used = process.cpuUsage(cpu);
    best = Math.max(best, points / ((used.user + used.system) / 1e6));
  }
  return best;
}

const bodies = Array.from({ length: 64 }, nextBody);
const decode = await rate(() => normaliseMetricsProtobuf(bodies[seq++ % bodies.length], o).items.length);
console.log(`decode (fused protobuf)        ${Math.round(decode).toLocaleString('en')} points/CPU-s`);

const memory = new MemoryStore({ ttlSeconds: 3600, maxSeriesPerMetric: 10_000, maxBytes: 256 * 1024 * 1024 });
const ingest = (store: Store) => async () => {
  const { items } = normaliseMetricsProtobuf(bodies[seq++ % bodies.length], o);
  await store.writeMetrics(items);
  return items.length;
};
console.log(`decode + memory writeMetrics   ${Math.round(await rate(ingest(memory))).toLocaleString('en')} points/CPU-s`);
await memory.close();

if (values.redis) {
  const prefix = `tinyolly:bench-metrics-${process.pid}-${Date.now()}:`;
  const redis = createRedisStore({ url: values.redis, keyPrefix: prefix, ttlSeconds: 3600, maxSeriesPerMetric: 10_000 });
  console.log(`decode + redis writeMetrics    ${Math.round(await rate(ingest(redis))).toLocaleString('en')} points/CPU-s`);
  await redis.clear();
  await redis.close();
}
