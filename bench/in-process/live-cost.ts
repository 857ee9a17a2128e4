/**
 * @module bench/in-process/live-cost: `npx tsx bench/in-process/live-cost.ts`. The ingest cost of issue 14's observers
 * (live/: the live hub with a listener, the attribute catalog) measured in process: the same
 * pre-encoded protobuf trace exports into a fresh memory store with and without them, alternating,
 * counting the deferred work (the catalog counts on a later turn) in the time. A benchmark, not a test.
 */
import { Ingester } from '../../src/ingest/ingester.js';
import { liveOf } from '../../src/live/registry.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../../src/normalise/options.js';
import { decodeBody } from '../../src/otlp/codecs.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { buildTemplates, newNonce, patch } from '../payloads.js';

const BATCH = Number(process.argv[2] ?? 512);
const REQUESTS = Number(process.argv[3] ?? 400);
const ROUNDS = 4;

const templates = buildTemplates('traces', BATCH, 8);
const nonce = newNonce();
let seq = 0;

async function run(withLive: boolean): Promise<{ ms: number; cpuMs: number; skipped: number }> {
  const store = new MemoryStore({ ttlSeconds: 600, maxSeriesPerMetric: 1000, maxBytes: 1024 * 1024 * 1024 });
  const ingester = new Ingester(store, { maxInFlight: 64 });
  let unsubscribe = (): void => {};
  const live = withLive ? liveOf(store) : undefined;
  if (live) unsubscribe = live.hub.subscribe(() => {}, () => {});
  const bodies = Array.from({ length: REQUESTS }, (_, i) => patch(templates[i % templates.length], nonce, ++seq, 0n));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const b of bodies) await ingester.export(decodeBody('protobuf', 'traces', b, DEFAULT_NORMALISE_OPTIONS));
  await new Promise((r) => setImmediate(r));
  live?.attributes.drain();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  unsubscribe();
  live?.hub.close();
  await store.close();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, skipped: live?.attributes.skipped ?? 0 };
}

const rows: Record<string, { ms: number[]; cpu: number[]; skipped: number }> = { without: { ms: [], cpu: [], skipped: 0 }, with: { ms: [], cpu: [], skipped: 0 } };
await run(false); // warm-up
await run(true);
for (let r = 0; r < ROUNDS; r++) {
  for (const mode of r % 2 === 0 ? ['without', 'with'] : ['with', 'without']) {
    const res = await run(mode === 'with');
    rows[mode].ms.push(res.ms);
    rows[mode].cpu.push(res.cpuMs);
    rows[mode].skipped += res.skipped;
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spans = BATCH * REQUESTS;
for (const [mode, r] of Object.entries(rows)) {
  const ms = median(r.ms);
  console.log(`${mode.padEnd(8)} live observers: ${REQUESTS} exports of ${BATCH} spans in ${ms.toFixed(0)} ms (median of ${ROUNDS}), ` +
    `${Math.round(spans / (ms / 1000)).toLocaleString('en')} spans/s, cpu ${median(r.cpu).toFixed(0)} ms${mode === 'with' ? `, spans not counted by the catalog (budget) ${r.skipped}` : ''}`);
}

// The catalog's ceiling: what counting its per-second budget of spans costs (attributes read from
// the wire bytes, as stored spans keep them).
{
  const { normaliseTracesProtobuf } = await import('../../src/normalise/traces-protobuf.js');
  const { AttributeCatalog, MAX_ITEMS_PER_SECOND } = await import('../../src/live/attributes.js');
  const spans = normaliseTracesProtobuf(patch(templates[0], nonce, ++seq, 0n), DEFAULT_NORMALISE_OPTIONS).items;
  const times: number[] = [];
  for (let r = 0; r < 7; r++) {
    let clock = r * 1000 * 1000;
    const catalog = new AttributeCatalog(600, () => clock);
    const t0 = performance.now();
    for (let n = 0; n < MAX_ITEMS_PER_SECOND; n += spans.length) {
      clock += 1000; // one batch per second: never past the budget, so every span is counted
      catalog.observer({ signal: 'traces', items: spans, receivedAtMs: clock });
      catalog.drain();
    }
    times.push(performance.now() - t0);
  }
  console.log(`catalog: counting ${MAX_ITEMS_PER_SECOND} spans (its per-second budget) takes ${median(times).toFixed(1)} ms (median of 7)`);
}
