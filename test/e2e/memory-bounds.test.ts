/**
 * Issue 11's goal: whatever the shape of the data, a real TinyOlly process (a child, memory store,
 * TINYOLLY_MAX_MEMORY_MB=32) stays under the cap plus the runtime's RSS (RUNTIME_MB below). Each shape is
 * one the hostile-input probe found (bench/hostile-shapes.ts, shared with the soak
 * bench/soak-shapes.ts), sent once as raw OTLP over HTTP. RSS is read from /proc while sending.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decodeLogsProtobuf, decodeMetricsProtobuf, decodeTracesProtobuf } from '../helpers/otlp-protobuf.js';
import { startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { HEAVY_SHAPES, HOSTILE_SHAPES as SHAPES, type ShapeRequest } from '../../bench/hostile-shapes.js';

const CAP_MB = 32;
/**
 * The runtime's share of RSS: 150 MiB, the goal. Session 6's fixes brought every shape but one
 * under it: the store counts what it keeps (kept/counted 0.94-1.13, src/store/memory/heap.test.ts), cut
 * strings are decoded only as far as the cut, and the inspector no longer keeps request bodies behind
 * kept-alive connections. Session 8 cut the runtime itself: the server runs as a bundle with no
 * TypeScript loader thread (scripts/build-server.mjs: idle ~120 -> ~100 MiB) and its young generation is
 * bounded (src/heap.ts: idle ~100 -> ~77 MiB). Two shapes stayed over the goal, each with a per-shape
 * slack: many metric names with 4 KB descriptions (every evicted metric leaves a promoted 4 KB string in
 * old space until the next major GC; 211-219 MiB in session 6, 168-182 in session 8) and 120k distinct
 * spans (the observers fill; 220 MiB, then 183-191). Session 10 found the rest was V8's headroom, not
 * data kept: steered new space grew twice inside one synchronous stretch (1 -> 4 -> 16 MiB semi-spaces)
 * and old space grew to 1.5 x live. Below the default cap the heap now keeps its start-up young
 * generation (1 MiB semi-spaces) and old space at 1.25 x live (heapTuningFor in src/heap.ts): the two
 * shapes peak at 142-145 and 156-162 MiB, every other at 97-126, with no slack.
 */
const RUNTIME_MB = 150;
const LIMIT_MB = CAP_MB + RUNTIME_MB;

let t: TinyOllyProcess;
let peak = 0;
let sampler: NodeJS.Timeout | undefined;
const peaks: Record<string, number> = {};

function rssMb(): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${t.proc.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0; // the process is gone: the request that killed it fails the test
  }
}

async function post(signal: 'traces' | 'logs' | 'metrics', body: Buffer | string, json = false): Promise<void> {
  const res = await fetch(`${t.otlpHttpUrl}/v1/${signal}`, {
    method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf' },
  });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

describe(`RSS stays under TINYOLLY_MAX_MEMORY_MB (${CAP_MB}) + ${RUNTIME_MB} MiB whatever the shape`, () => {
  afterAll(() => {
    console.log('peak RSS per shape (MiB):', JSON.stringify(peaks, null, 1));
  });
  afterEach(async () => {
    if (sampler) clearInterval(sampler);
    sampler = undefined;
    await t?.stop();
  });

  it('the hand-built requests are valid OTLP (decoded by protobufjs)', () => {
    const decoders = { traces: decodeTracesProtobuf, logs: decodeLogsProtobuf, metrics: decodeMetricsProtobuf };
    // The soak's heavy shapes too (bench/soak-shapes.ts sends them at the default cap).
    for (const { requests } of [...SHAPES, ...HEAVY_SHAPES]) {
      const [signal, body, json] = requests().next().value as ShapeRequest;
      if (json) continue;
      const req = decoders[signal](body as Buffer) as unknown as Record<string, unknown[]>;
      expect(Object.values(req)[0]).toHaveLength(1);
    }
    const m = decodeMetricsProtobuf(SHAPES[3].requests().next().value![1] as Buffer);
    expect(m.resourceMetrics![0].scopeMetrics![0].metrics![0].gauge!.dataPoints![0].attributes).toHaveLength(128);
  });

  // One fresh process per shape: RSS rarely shrinks, so each shape is measured from a clean start.
  for (const { name, requests } of SHAPES) {
    it(name, async () => {
      // A heap limit makes V8 collect before it grows (on a loaded machine its GC otherwise lags far
      // behind allocation); a store that keeps more than it counts then dies of OOM: the test fails either way.
      t = await startTinyOlly({ TINYOLLY_MAX_MEMORY_MB: String(CAP_MB), TINYOLLY_MAX_SERIES_PER_METRIC: '1', NODE_OPTIONS: '--max-old-space-size=128' });
      peak = rssMb();
      sampler = setInterval(() => { peak = Math.max(peak, rssMb()); }, 20);
      for (const [signal, body, json] of requests()) {
        await post(signal, body, json);
        peak = Math.max(peak, rssMb());
        peaks[name] = Math.round(peak);
        expect(peak, `RSS ${peak.toFixed(0)} MiB after a request of "${name}"`).toBeLessThan(LIMIT_MB);
      }
      const health = await fetch(`${t.baseUrl}/healthz`);
      expect(health.status).toBe(200);
    }, 120_000);
  }
});
