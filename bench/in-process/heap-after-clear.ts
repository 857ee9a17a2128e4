/**
 * @module bench/in-process/heap-after-clear: `node --expose-gc --import tsx bench/in-process/heap-after-clear.ts
 * [--cycles N] [--only TEXT] [--snapshot FILE] [--top N]`. What stays live outside the store (issue 11):
 * starts TinyOlly in this process (default settings, memory store, port 0), sends the hostile shapes
 * (bench/hostile-shapes.ts) over OTLP/HTTP, then takes the heap apart after full GCs: the heap with
 * everything, after the doctor's reset, after the attribute catalog's clear, after the store's clear
 * (DELETE /api/data), and what is left. Each step's drop is what that part held. With --snapshot, a
 * heap snapshot after the clear is written and summarised: bytes by constructor and the retainer path
 * of the biggest objects. A diagnosis, not a test.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { start } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { doctorOf } from '../../src/doctor/registry.js';
import { liveOf } from '../../src/live/registry.js';
import { HEAVY_SHAPES, HOSTILE_SHAPES, type ShapeRequest } from '../hostile-shapes.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const MIB = 1024 * 1024;
const gcFn: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Full GCs after letting pending turns (setImmediate queues, timers of 0) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gcFn();
  }
}

interface Mem { heapUsedMb: number; heapTotalMb: number; externalMb: number; arrayBuffersMb: number; rssMb: number }
function mem(): Mem {
  const m = process.memoryUsage();
  const r = (n: number) => Math.round((n / MIB) * 10) / 10;
  return { heapUsedMb: r(m.heapUsed), heapTotalMb: r(m.heapTotal), externalMb: r(m.external), arrayBuffersMb: r(m.arrayBuffers), rssMb: r(m.rss) };
}

async function main(): Promise<void> {
  const cycles = Number(flag('--cycles', '1'));
  const only = flag('--only', '');
  const snapshot = flag('--snapshot', '');
  const top = Number(flag('--top', '25'));
  const config = loadConfig([], { ...process.env, TINYOLLY_HOST: '127.0.0.1', TINYOLLY_GRPC_PORT: '0', TINYOLLY_HTTP_PORT: '0', TINYOLLY_UI_PORT: '0' });
  const app = await start(config);
  const otlp = `http://127.0.0.1:${app.ports.http}`;
  const api = `http://127.0.0.1:${app.ports.ui}`;
  const shapes = [...HOSTILE_SHAPES, ...HEAVY_SHAPES].filter((s) => s.name.includes(only));
  const rows: [string, Mem][] = [];
  const step = async (name: string) => { await settle(); rows.push([name, mem()]); };

  await step('started');
  const answers: Record<string, number> = {};
  const post = async ([signal, body, json]: ShapeRequest) => {
    const res = await fetch(`${otlp}/v1/${signal}`, {
      method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body),
      headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf' },
    });
    await res.arrayBuffer();
    answers[res.status] = (answers[res.status] ?? 0) + 1;
  };
  for (let cycle = 0; cycle < cycles; cycle++) {
    for (const shape of shapes) {
      if (shape.parallel && shape.parallel > 1) await Promise.all([...shape.requests(cycle)].map(post));
      else for (const req of shape.requests(cycle)) await post(req);
    }
  }
  await step(`after ${cycles} cycle(s) of ${shapes.length} shapes`);
  const stats = await (await fetch(`${api}/api/stats`)).json();
  doctorOf(app.store).reset();
  await step('after doctor.reset()');
  liveOf(app.store).attributes.clear();
  await step('after attributes.clear()');
  const del = await fetch(`${api}/api/data`, { method: 'DELETE' });
  await del.arrayBuffer();
  await step(`after DELETE /api/data (${del.status})`);

  console.log(`answers: ${JSON.stringify(answers)}; stats before the clear: ${JSON.stringify(stats)}`);
  console.log('step | heapUsed MiB | heapTotal MiB | external MiB | arrayBuffers MiB | rss MiB | Δ heapUsed | Δ external');
  rows.forEach(([name, m], i) => {
    const prev = rows[i - 1]?.[1];
    const d = (a: number, b: number | undefined) => (b === undefined ? '' : (Math.round((a - b) * 10) / 10).toString());
    console.log(`${name} | ${m.heapUsedMb} | ${m.heapTotalMb} | ${m.externalMb} | ${m.arrayBuffersMb} | ${m.rssMb} | ${d(m.heapUsedMb, prev?.heapUsedMb)} | ${d(m.externalMb, prev?.externalMb)}`);
  });

  if (snapshot) {
    const file = writeHeapSnapshot(snapshot);
    await app.close();
    summarise(file, top);
  } else {
    await app.close();
  }
}

/** Bytes by (type, constructor) and the retainer path of the biggest objects of a heap snapshot. */
function summarise(file: string, top: number): void {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
    nodes: number[]; edges: number[]; strings: string[];
  };
  const { meta } = snap.snapshot;
  const NF = meta.node_fields.length;
  const EF = meta.edge_fields.length;
  const nType = meta.node_fields.indexOf('type');
  const nName = meta.node_fields.indexOf('name');
  const nSize = meta.node_fields.indexOf('self_size');
  const nEdges = meta.node_fields.indexOf('edge_count');
  const eType = meta.edge_fields.indexOf('type');
  const eName = meta.edge_fields.indexOf('name_or_index');
  const eTo = meta.edge_fields.indexOf('to_node');
  const types = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = snap;
  const count = nodes.length / NF;
  const retainer = new Int32Array(count).fill(-1);
  const retainerEdge = new Int32Array(count).fill(-1);
  let e = 0;
  for (let n = 0; n < count; n++) {
    const ec = nodes[n * NF + nEdges];
    for (let k = 0; k < ec; k++, e += EF) {
      const to = edges[e + eTo] / NF;
      const et = edgeTypes[edges[e + eType]];
      if (et === 'weak' || et === 'shortcut') continue;
      if (retainer[to] === -1) { retainer[to] = n; retainerEdge[to] = e; }
    }
  }
  const label = (n: number) => {
    const t = types[nodes[n * NF + nType]];
    const name = strings[nodes[n * NF + nName]];
    return `${t}:${t === 'string' || t === 'concatenated string' || t === 'sliced string' ? JSON.stringify(name.slice(0, 40)) : name.slice(0, 60)}`;
  };
  const byKind = new Map<string, { bytes: number; count: number }>();
  const sizes: number[] = [];
  for (let n = 0; n < count; n++) {
    const t = types[nodes[n * NF + nType]];
    const size = nodes[n * NF + nSize];
    const key = t === 'object' || t === 'native' || t === 'closure' ? `${t}:${strings[nodes[n * NF + nName]].slice(0, 60)}` : t;
    const k = byKind.get(key) ?? { bytes: 0, count: 0 };
    k.bytes += size; k.count++;
    byKind.set(key, k);
    sizes.push(n);
  }
  console.log(`\nheap snapshot ${file}: ${count} nodes; bytes by kind (self sizes):`);
  for (const [k, v] of [...byKind].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) console.log(`  ${(v.bytes / MIB).toFixed(1)} MiB  ${v.count}  ${k}`);
  sizes.sort((a, b) => nodes[b * NF + nSize] - nodes[a * NF + nSize]);
  console.log(`\nthe ${top} biggest objects and a retainer path:`);
  for (const n of sizes.slice(0, top)) {
    const path: string[] = [];
    let cur = n;
    for (let depth = 0; depth < 14 && retainer[cur] !== -1; depth++) {
      const ed = retainerEdge[cur];
      const et = edgeTypes[edges[ed + eType]];
      const nm = et === 'element' || et === 'hidden' ? `[${edges[ed + eName]}]` : String(strings[edges[ed + eName]]).slice(0, 30);
      cur = retainer[cur];
      path.push(`${nm} ← ${label(cur)}`);
    }
    console.log(`  ${(nodes[n * NF + nSize] / MIB).toFixed(2)} MiB ${label(n)}\n      ${path.join('\n      ')}`);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
