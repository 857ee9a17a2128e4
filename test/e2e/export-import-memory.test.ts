/**
 * Import of a big JSONL file (CONTRACT §11: "big files stream, memory stays bounded"). The file is
 * generated into a temp dir; the server's RSS is sampled during the import. The suite runs 50 MiB
 * (TINYOLLY_TEST_IMPORT_MB overrides it; 100 MiB was measured by hand, see the report in git log).
 * A body buffered whole and parsed at once would need several times the file's size.
 */
import { mkdtempSync, readFileSync, rmSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { writeBigJsonl } from './export-import-big.js';

const MB = Number(process.env.TINYOLLY_TEST_IMPORT_MB ?? 50);
let app: TinyOllyProcess;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tinyolly-import-'));
  app = await startTinyOlly({ TINYOLLY_MAX_MEMORY_MB: '16' });
});
afterAll(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

it(`imports a ${MB} MiB JSONL file while the server's memory grows by less than 5x the store cap + 170 MiB`, async () => {
  const file = path.join(dir, 'big.jsonl');
  const written = await writeBigJsonl(file, MB);
  const pid = app.proc.pid!;
  const base = rss(pid);
  let peak = base;
  const timer = setInterval(() => { try { peak = Math.max(peak, rss(pid)); } catch { /* exited */ } }, 50);
  const started = Date.now();
  const res = await fetch(`${app.baseUrl}/api/import`, {
    method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: Readable.toWeb(createReadStream(file)) as ReadableStream, duplex: 'half',
  } as RequestInit);
  const body = await res.json() as { imported: { spans: number; logs: number; points: number }; errors: unknown[] };
  const seconds = (Date.now() - started) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, rss(pid));
  expect(res.status).toBe(200);
  expect(body.errors).toEqual([]);
  expect(body.imported).toEqual({ spans: written.spans, logs: written.logs, points: written.points });
  const growthMb = (peak - base) / 1024 / 1024;
  const items = written.spans + written.logs + written.points;
  console.log(`import of ${(written.bytes / 1048576).toFixed(0)} MiB: ${items} items in ${seconds.toFixed(1)} s (${Math.round(items / seconds)} items/s), RSS ${(base / 1048576).toFixed(0)} → peak ${(peak / 1048576).toFixed(0)} MiB`);
  // The store holds at most 16 MiB of counted size (JS objects take a few times that); the rest is
  // the import's own bounded buffers. Buffering the file whole would alone take more than its size.
  expect(growthMb).toBeLessThan(16 * 5 + 170);
}, 300_000);
