/**
 * @module ingest/ingester: the one seam both receivers call. Normalises a decoded request, writes
 * it to the store as one batch, and answers what was accepted and rejected (partial_success).
 * Knows nothing of HTTP or gRPC; overload is signalled by throwing TinyOllyError('overloaded').
 */
import { TinyOllyError } from '../errors.js';
import { normaliseLogs } from '../normalise/logs.js';
import { normaliseMetrics } from '../normalise/metrics.js';
import type { NormaliseOptions } from '../normalise/options.js';
import { normaliseTraces } from '../normalise/traces.js';
import { normaliseTracesProtobuf } from '../normalise/traces-protobuf.js';
import { normaliseLogsProtobuf } from '../normalise/logs-protobuf.js';
import { normaliseMetricsProtobuf } from '../normalise/metrics-protobuf.js';
import type { OtlpLogsRequest, OtlpMetricsRequest, OtlpTracesRequest } from '../otlp/types.js';
import type { Store } from '../store/store.js';

export interface ExportResult {
  accepted: number;
  rejected: number;
  message?: string;
}

export interface IngesterOptions extends NormaliseOptions {
  /** Export requests being written at once; past this, exports are refused as overloaded. */
  maxInFlight: number;
}

/** Runs a normaliser; one that throws on hostile input answers `invalid`, never a retryable error. */
function normalised<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TinyOllyError) throw err;
    throw new TinyOllyError('invalid', `cannot read request: ${(err as Error).message}`);
  }
}

export class Ingester {
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly store: Store, private readonly options: IngesterOptions) {}

  /** Requests currently being written. */
  get pending(): number {
    return this.inFlight;
  }

  /** Resolves once no export is in flight (used at shutdown). */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async run(write: () => Promise<number | void>, accepted: number, rejected: number, message?: string): Promise<ExportResult> {
    if (accepted === 0) return { accepted, rejected, message };
    if (this.inFlight >= this.options.maxInFlight) {
      throw new TinyOllyError('overloaded', 'too many exports in flight; retry later');
    }
    this.inFlight++;
    try {
      const refused = (await write()) ?? 0;
      if (refused > 0) {
        return {
          accepted: accepted - refused,
          rejected: rejected + refused,
          message: [message, `${refused} data point(s) refused: series limit per metric reached`].filter(Boolean).join('; '),
        };
      }
      return { accepted, rejected, message };
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const f of this.idle.splice(0)) f();
    }
  }

  /** Normalises and stores spans. Rejects with the store's error (e.g. unavailable) or overloaded. */
  exportTraces(req: OtlpTracesRequest, extraRejected = 0): Promise<ExportResult> {
    const n = normalised(() => normaliseTraces(req, this.options));
    return this.run(() => this.store.writeSpans(n.items), n.items.length, n.rejected + extraRejected, n.message);
  }

  /**
   * The hot path: decodes and normalises protobuf trace bytes in one pass, then stores them.
   * Throws TinyOllyError('invalid') for malformed bytes.
   */
  exportTracesProtobuf(body: Buffer): Promise<ExportResult> {
    const n = normalised(() => normaliseTracesProtobuf(body, this.options));
    return this.run(() => this.store.writeSpans(n.items), n.items.length, n.rejected, n.message);
  }

  /** The logs hot path: protobuf bytes → log records in one pass, then stored. */
  exportLogsProtobuf(body: Buffer): Promise<ExportResult> {
    const n = normalised(() => normaliseLogsProtobuf(body, this.options));
    return this.run(() => this.store.writeLogs(n.items), n.items.length, n.rejected, n.message);
  }

  /** Normalises and stores log records. */
  exportLogs(req: OtlpLogsRequest, extraRejected = 0): Promise<ExportResult> {
    const n = normalised(() => normaliseLogs(req, this.options));
    return this.run(() => this.store.writeLogs(n.items), n.items.length, n.rejected + extraRejected, n.message);
  }

  /** The metrics hot path: protobuf bytes → metric samples in one pass, then stored. */
  exportMetricsProtobuf(body: Buffer): Promise<ExportResult> {
    const n = normalised(() => normaliseMetricsProtobuf(body, this.options));
    return this.run(async () => (await this.store.writeMetrics(n.items)).rejected, n.items.length, n.rejected, n.message);
  }

  /** Normalises and stores metric points; points past the series cap come back as rejected. */
  exportMetrics(req: OtlpMetricsRequest, extraRejected = 0): Promise<ExportResult> {
    const n = normalised(() => normaliseMetrics(req, this.options));
    return this.run(async () => (await this.store.writeMetrics(n.items)).rejected, n.items.length, n.rejected + extraRejected, n.message);
  }
}
