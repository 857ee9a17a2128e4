/**
 * @module export/import: OTLP files back in. A body (OTLP/JSON, JSONL with any mix of signals, or one
 * OTLP protobuf request; gzip of any) is read as a stream, line by line with a bounded line length,
 * and re-enters the normal ingest path: the codecs (otlp/codecs.ts) and the Ingester, in batches of at most
 * BATCH_ITEMS items, so memory stays bounded whatever the file's size. Bad lines are reported with
 * their number and the rest still imported. Transport-free: api/export-import.ts feeds it.
 */
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { TinyOllyError } from '../errors.js';
import type { ExportResult, Ingester } from '../ingest/ingester.js';
import { parseJsonBody } from '../otlp/json.js';
import type { NormaliseOptions } from '../normalise/options.js';
import { decodeBody, decodeDocument } from '../otlp/codecs.js';
import { WireReader } from '../wire/reader.js';

export type ImportSignal = 'traces' | 'logs' | 'metrics';

export interface ImportCounts { spans: number; logs: number; points: number }

export interface ImportResult {
  imported: ImportCounts;
  rejected: ImportCounts;
  errors: { line: number | null; message: string }[];
  /** Errors beyond MAX_ERRORS, not listed. */
  errorsOmitted?: number;
}

export interface ImportOptions {
  /** Body bytes, compressed and inflated; past it the import stops with TinyOllyError('too_large'). */
  maxBytes: number;
  /** One JSONL line, a whole (multi-line) JSON document or a protobuf body. */
  maxDocumentBytes: number;
  /** `protobuf` needs `signal`; `auto` tells JSON and JSONL apart by their first line. */
  encoding: 'protobuf' | 'auto';
  signal?: ImportSignal;
  /** Whether the body is gzip (also recognised by its magic bytes). */
  gzip?: boolean;
  /** Called as bytes are read (progress). */
  onBytes?: (n: number) => void;
  /** The §6 limits the codecs apply (as on the OTLP ports). */
  limits: NormaliseOptions;
}

/** Items handed to the Ingester at once. */
export const BATCH_ITEMS = 2000;
const MAX_ERRORS = 1000;
const KEYS: Record<ImportSignal, { top: string; scopes: string; items: string }> = {
  traces: { top: 'resourceSpans', scopes: 'scopeSpans', items: 'spans' },
  logs: { top: 'resourceLogs', scopes: 'scopeLogs', items: 'logRecords' },
  metrics: { top: 'resourceMetrics', scopes: 'scopeMetrics', items: 'metrics' },
};
const SIGNALS: ImportSignal[] = ['traces', 'logs', 'metrics'];
const COUNT_OF: Record<ImportSignal, keyof ImportCounts> = { traces: 'spans', logs: 'logs', metrics: 'points' };

type Json = Record<string, unknown>;

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Data points of one metric (any of the five kinds). */
function metricPoints(m: unknown): unknown[] {
  if (!m || typeof m !== 'object') return [];
  for (const k of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
    const d = (m as Json)[k] as Json | undefined;
    if (d && typeof d === 'object') return arr(d.dataPoints);
  }
  return [];
}

/** A metric holding only `points` (a slice of its data points). */
function metricWith(m: Json, points: unknown[]): Json {
  for (const k of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
    const d = m[k] as Json | undefined;
    if (d && typeof d === 'object') return { ...m, [k]: { ...d, dataPoints: points } };
  }
  return m;
}

/** Collects resource entries of one signal into requests of at most BATCH_ITEMS items. */
class Batcher {
  private resources: Json[] = [];
  private items = 0;

  constructor(private readonly signal: ImportSignal, private readonly flush: (signal: ImportSignal, request: Json) => Promise<void>) {}

  /** Adds one `resourceX` entry, split by scope and items as needed. */
  async add(resource: unknown): Promise<void> {
    if (!resource || typeof resource !== 'object') return;
    const k = KEYS[this.signal];
    const r = resource as Json;
    for (const scope of arr(r[k.scopes])) {
      if (!scope || typeof scope !== 'object') continue;
      const s = scope as Json;
      let chunk: unknown[] = [];
      for (const item of arr(s[k.items])) {
        const parts = this.signal === 'metrics' ? this.splitMetric(item) : [[item, 1] as const];
        for (const [part, n] of parts) {
          chunk.push(part);
          this.items += n;
          if (this.items >= BATCH_ITEMS) {
            this.resources.push({ ...r, [k.scopes]: [{ ...s, [k.items]: chunk }] });
            chunk = [];
            await this.drain();
          }
        }
      }
      if (chunk.length) this.resources.push({ ...r, [k.scopes]: [{ ...s, [k.items]: chunk }] });
    }
  }

  private splitMetric(m: unknown): (readonly [unknown, number])[] {
    const points = metricPoints(m);
    if (points.length <= BATCH_ITEMS) return [[m, points.length]];
    const out: (readonly [unknown, number])[] = [];
    for (let i = 0; i < points.length; i += BATCH_ITEMS) {
      const slice = points.slice(i, i + BATCH_ITEMS);
      out.push([metricWith(m as Json, slice), slice.length]);
    }
    return out;
  }

  async drain(): Promise<void> {
    if (this.resources.length === 0) return;
    const request = { [KEYS[this.signal].top]: this.resources };
    this.resources = [];
    this.items = 0;
    await this.flush(this.signal, request);
  }
}

/** Yields the body's bytes, inflated when gzip; enforces maxBytes on both sides. */
async function* bodyBytes(source: AsyncIterable<Buffer>, o: ImportOptions): AsyncGenerator<Buffer> {
  let raw = 0;
  const counted = async function* (first: Buffer | undefined, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
    if (first) yield first;
    for (;;) {
      const n = await rest.next();
      if (n.done) return;
      const c = Buffer.isBuffer(n.value) ? n.value : Buffer.from(n.value);
      raw += c.length;
      o.onBytes?.(c.length);
      if (raw > o.maxBytes) throw new TinyOllyError('too_large', `import body over ${o.maxBytes} bytes`);
      yield c;
    }
  };
  const it = source[Symbol.asyncIterator]();
  const firstStep = await it.next();
  if (firstStep.done) return;
  const first = Buffer.isBuffer(firstStep.value) ? firstStep.value : Buffer.from(firstStep.value);
  raw += first.length;
  o.onBytes?.(first.length);
  const gzip = o.gzip === true || (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b);
  if (!gzip) {
    yield* counted(first, it);
    return;
  }
  const gunzip = createGunzip();
  const input = Readable.from(counted(first, it));
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  let inflated = 0;
  try {
    for await (const c of gunzip) {
      inflated += (c as Buffer).length;
      if (inflated > o.maxBytes) throw new TinyOllyError('too_large', `import body inflates past ${o.maxBytes} bytes`);
      yield c as Buffer;
    }
  } catch (err) {
    if (err instanceof TinyOllyError) throw err;
    throw new TinyOllyError('invalid', `cannot inflate gzip body: ${(err as Error).message}`);
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

/** Splits a byte stream into lines (without the newline); a line longer than `max` is reported, not kept. */
async function* lines(bytes: AsyncIterable<Buffer>, max: number): AsyncGenerator<{ line: number; text?: string; tooLong?: boolean }> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let n = 0;
  const emit = (tail: Buffer) => {
    n++;
    if (tooLong) { tooLong = false; parts = []; size = 0; return { line: n, tooLong: true }; }
    const b = parts.length ? Buffer.concat([...parts, tail]) : tail;
    parts = [];
    size = 0;
    return { line: n, text: b.toString('utf8') };
  };
  for await (const chunk of bytes) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      if (nl < 0) break;
      const tail = chunk.subarray(from, nl);
      if (!tooLong && size + tail.length > max) tooLong = true;
      yield emit(tail);
      from = nl + 1;
    }
    if (from < chunk.length) {
      const rest = chunk.subarray(from);
      if (!tooLong) {
        if (size + rest.length > max) { tooLong = true; parts = []; size = 0; }
        else { parts.push(Buffer.from(rest)); size += rest.length; }
      }
    }
  }
  if (tooLong || size > 0) yield emit(Buffer.alloc(0));
}

function emptyCounts(): ImportCounts {
  return { spans: 0, logs: 0, points: 0 };
}

/** Waits out `overloaded` (other exporters are busy) a bounded number of times. */
async function withRetry(fn: () => Promise<ExportResult>): Promise<ExportResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof TinyOllyError) || err.kind !== 'overloaded' || attempt >= 200) throw err;
      await new Promise((r) => setTimeout(r, Math.min(500, 10 * (attempt + 1))));
    }
  }
}

/**
 * Imports a body. Resolves with what was imported and rejected and the errors by line; rejects with
 * TinyOllyError('too_large') past `maxBytes` and with the store's error (e.g. `unavailable`), the
 * result so far attached as `err.partial`.
 */
export async function importBody(source: AsyncIterable<Buffer>, ingester: Ingester, o: ImportOptions): Promise<ImportResult> {
  const result: ImportResult = { imported: emptyCounts(), rejected: emptyCounts(), errors: [] };
  const error = (line: number | null, message: string) => {
    if (result.errors.length < MAX_ERRORS) result.errors.push({ line, message });
    else result.errorsOmitted = (result.errorsOmitted ?? 0) + 1;
  };
  const count = (signal: ImportSignal, r: ExportResult) => {
    result.imported[COUNT_OF[signal]] += r.accepted;
    result.rejected[COUNT_OF[signal]] += r.rejected;
  };
  const flush = async (signal: ImportSignal, request: Json) => {
    try {
      const batch = decodeDocument('otlp-json', signal, request, o.limits);
      const r = await withRetry(() => ingester.export(batch));
      count(signal, r);
    } catch (err) {
      if (!(err instanceof TinyOllyError) || err.kind !== 'invalid') throw err;
      error(null, err.message);
    }
  };
  const batchers = { traces: new Batcher('traces', flush), logs: new Batcher('logs', flush), metrics: new Batcher('metrics', flush) };
  try {
    if (o.encoding === 'protobuf') await importProtobuf(bodyBytes(source, o), ingester, o, count);
    else await importJson(bodyBytes(source, o), o, batchers, error);
    for (const s of SIGNALS) await batchers[s].drain();
  } catch (err) {
    if (err instanceof TinyOllyError && err.kind === 'invalid') { error(null, err.message); return result; }
    (err as { partial?: ImportResult }).partial = result;
    throw err;
  }
  return result;
}

/** One parsed document: its resource entries go to the batchers; false when it is no export request. */
async function addDocument(doc: unknown, batchers: Record<ImportSignal, Batcher>): Promise<boolean> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return false;
  let found = false;
  for (const s of SIGNALS) {
    const top = (doc as Json)[KEYS[s].top];
    if (top === undefined || top === null) continue;
    if (!Array.isArray(top)) return false;
    found = true;
    for (const r of top) await batchers[s].add(r);
  }
  return found;
}

async function importJson(bytes: AsyncIterable<Buffer>, o: ImportOptions, batchers: Record<ImportSignal, Batcher>, error: (line: number | null, m: string) => void): Promise<void> {
  // Document mode: the first line is not JSON by itself (a pretty-printed document). It is kept
  // (up to maxDocumentBytes) and parsed whole at the end; failing that, read line by line after all.
  let mode: 'unknown' | 'lines' | 'document' = 'unknown';
  let held: { line: number; text?: string; tooLong?: boolean }[] = [];
  let heldBytes = 0;
  const oneLine = async (l: { line: number; text?: string; tooLong?: boolean }) => {
    if (l.tooLong) { error(l.line, `line longer than ${o.maxDocumentBytes} bytes`); return; }
    const text = l.text!.trim();
    if (text === '') return;
    let doc: unknown;
    try {
      doc = parseJsonBody(text);
    } catch (err) {
      error(l.line, (err as Error).message);
      return;
    }
    if (!(await addDocument(doc, batchers))) error(l.line, 'not an OTLP export request (resourceSpans, resourceLogs or resourceMetrics)');
  };
  for await (const l of lines(bytes, o.maxDocumentBytes)) {
    if (mode === 'lines') { await oneLine(l); continue; }
    if (mode === 'unknown') {
      if (l.text !== undefined && l.text.trim() === '') continue;
      const t = l.text?.trim() ?? '';
      if (l.tooLong || !(t.startsWith('{') || t.startsWith('['))) { mode = 'lines'; await oneLine(l); continue; }
      let doc: unknown;
      try { doc = parseJsonBody(t); } catch { doc = undefined; }
      if (doc !== undefined) {
        mode = 'lines';
        if (!(await addDocument(doc, batchers))) error(l.line, 'not an OTLP export request (resourceSpans, resourceLogs or resourceMetrics)');
        continue;
      }
      mode = 'document';
    }
    held.push(l);
    heldBytes += (l.text?.length ?? 0) + 1;
    if (heldBytes > o.maxDocumentBytes) {
      mode = 'lines';
      for (const h of held) await oneLine(h);
      held = [];
    }
  }
  if (mode !== 'document') return;
  let doc: unknown;
  try {
    doc = parseJsonBody(held.map((h) => h.text ?? '').join('\n'));
  } catch {
    for (const h of held) await oneLine(h);
    return;
  }
  if (!(await addDocument(doc, batchers))) error(held[0]?.line ?? 1, 'not an OTLP export request (resourceSpans, resourceLogs or resourceMetrics)');
}

/** Top-level resource entries (field 1) of a protobuf export request, in groups of about 4 MiB. */
function* protobufParts(buf: Buffer): Generator<Buffer> {
  const r = new WireReader(buf, 0, buf.length);
  const limit = 4 * 1024 * 1024;
  let from = 0;
  while (r.pos < buf.length) {
    const at = r.pos;
    const tag = r.uint32();
    r.skip(tag & 7);
    if (r.pos - from > limit && at > from) { yield buf.subarray(from, at); from = at; }
  }
  if (buf.length > from) yield buf.subarray(from);
}

async function importProtobuf(bytes: AsyncIterable<Buffer>, ingester: Ingester, o: ImportOptions, count: (s: ImportSignal, r: ExportResult) => void): Promise<void> {
  const signal = o.signal;
  if (!signal) throw new TinyOllyError('invalid', 'a protobuf body needs X-Otlp-Signal: traces, logs or metrics');
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of bytes) {
    size += c.length;
    if (size > o.maxDocumentBytes) throw new TinyOllyError('too_large', `a protobuf import holds at most ${o.maxDocumentBytes} bytes; use JSONL for more`);
    parts.push(c);
  }
  const buf = Buffer.concat(parts);
  let pieces: Buffer[];
  try {
    pieces = [...protobufParts(buf)];
  } catch (err) {
    throw new TinyOllyError('invalid', `cannot decode ${signal} protobuf: ${(err as Error).message}`);
  }
  for (const piece of pieces) {
    const p = Buffer.from(piece);
    const batch = decodeBody('protobuf', signal, p, o.limits);
    const r = await withRetry(() => ingester.export(batch));
    count(signal, r);
  }
}
