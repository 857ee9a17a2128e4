/**
 * @module doctor/file: the instrumentation doctor over an OTLP file, without a server (CONTRACT §9,
 * `tinyolly doctor --file`). The file goes through the same import as POST /api/import
 * (export/import.ts: OTLP/JSON, JSONL, protobuf, gzip of any) into a private Ingester and memory
 * store, whose writes the Doctor checks synchronously, batch by batch; at the end every child still
 * waiting for its parent has settled (the whole capture was read), so orphans are final.
 */
import { createReadStream } from 'node:fs';
import { importBody, type ImportResult, type ImportSignal } from '../export/import.js';
import { Ingester } from '../ingest/ingester.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../normalise/options.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import { Doctor, type DoctorReport } from './doctor.js';

const MIB = 1024 * 1024;

export interface DoctorFileOptions {
  /** Only findings that involve this service. */
  service?: string;
  /** Rule ids left out. */
  disabled?: Iterable<string>;
  /** The signal of a protobuf file (required for one). */
  signal?: ImportSignal;
  /** Largest file (compressed and inflated); default 4 GiB. */
  maxBytes?: number;
}

/** Reads `path` (or a stream) and answers the doctor's report and what the import read. Rejects as importBody does. */
export async function doctorFile(source: string | AsyncIterable<Buffer>, o: DoctorFileOptions = {}): Promise<{ report: DoctorReport; imported: ImportResult }> {
  let settled = false;
  const doctor = new Doctor({
    // Checked inline, so no budget or queue bound applies; once read, every wait for a parent is over.
    now: () => (settled ? Number.MAX_SAFE_INTEGER : Date.now()),
    maxItemsPerSecond: Number.POSITIVE_INFINITY,
    maxQueuedItems: Number.POSITIVE_INFINITY,
    maxAttributeLength: DEFAULT_NORMALISE_OPTIONS.maxAttributeLength,
  });
  // The store only holds what the ingester needs to answer; its byte cap keeps a large capture bounded.
  const store = new MemoryStore({ ttlSeconds: 365 * 24 * 3600, maxSeriesPerMetric: 100_000, maxBytes: 256 * MIB });
  const ingester = new Ingester(store, { maxInFlight: 64 });
  ingester.observe((e) => doctor.check(e));
  try {
    const input = typeof source === 'string' ? createReadStream(source) : source;
    const imported = await importBody(input as AsyncIterable<Buffer>, ingester, {
      maxBytes: o.maxBytes ?? 4096 * MIB,
      maxDocumentBytes: 256 * MIB,
      encoding: o.signal ? 'protobuf' : 'auto',
      signal: o.signal,
      limits: DEFAULT_NORMALISE_OPTIONS,
    });
    settled = true;
    return { report: doctor.report(o.service, o.disabled), imported };
  } finally {
    await store.close();
  }
}
