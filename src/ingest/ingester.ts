/**
 * @module ingest/ingester: the one seam both receivers call. Normalises a decoded request, writes
 * it to the store as one batch, and answers what was accepted and rejected (partial_success).
 * Knows nothing of HTTP or gRPC; overload is signalled by throwing TinyOllyError('overloaded').
 * Observers (`observe`) hear what was stored: the seam that wait, live push, the inspector and the
 * doctor hang off. They run synchronously after a successful write and can neither slow nor fail it
 * beyond their own (bounded) work: a throw is caught and counted.
 */
import { TinyOllyError } from '../errors.js';
import { normaliseLogs } from '../normalise/logs.js';
import { normaliseMetrics } from '../normalise/metrics.js';
import type { NormaliseOptions } from '../normalise/options.js';
import { LIMIT_HITS, limitHitsSince, type LimitHits } from '../normalise/limit-hits.js';
import { normaliseTraces } from '../normalise/traces.js';
import { normaliseTracesProtobuf } from '../normalise/traces-protobuf.js';
import { normaliseLogsProtobuf } from '../normalise/logs-protobuf.js';
import { normaliseMetricsProtobuf } from '../normalise/metrics-protobuf.js';
import type { LogRecord, MetricSample, Span } from '../model/model.js';
import type { OtlpLogsRequest, OtlpMetricsRequest, OtlpTracesRequest } from '../otlp/types.js';
import type { Store } from '../store/store.js';

export interface ExportResult {
  accepted: number;
  rejected: number;
  message?: string;
  /** What the §6 limits cut or dropped in the accepted items (for the inspector's hint); absent when nothing. */
  limited?: LimitHits;
}

export interface IngesterOptions extends NormaliseOptions {
  /** Export requests being written at once; past this, exports are refused as overloaded. */
  maxInFlight: number;
}

/**
 * What one export stored, as told to observers. `items` are the stored batch (shared with the
 * store: read-only). For metrics, `refused` points (series cap) are among `items` but were not stored.
 */
export type IngestEvent = (
  | { signal: 'traces'; items: readonly Span[]; receivedAtMs: number }
  | { signal: 'logs'; items: readonly LogRecord[]; receivedAtMs: number }
  | { signal: 'metrics'; items: readonly MetricSample[]; refused: number; receivedAtMs: number }
) & {
  /** The object the receiver passed with this request (the inspector's per-request record), if any. */
  context?: object;
};

/**
 * Hears every successful store write. Called synchronously before the export is answered, so it
 * must be cheap: O(items) with small constant work, no awaiting; heavier work is deferred by the
 * observer itself (setImmediate, a queue). A throw is caught, counted and otherwise ignored.
 */
export type IngestObserver = (event: IngestEvent) => void;

/** The observers of one store: every ingester writing to that store tells the same ones. */
class ObserverList {
  observers: IngestObserver[] = [];
  errors = 0;

  add(observer: IngestObserver): () => void {
    this.observers = [...this.observers, observer];
    return () => { this.observers = this.observers.filter((o) => o !== observer); };
  }

  tell(event: IngestEvent): void {
    // A copy-on-write array: an observer that unsubscribes while being told does not skip another.
    for (const o of this.observers) {
      try { o(event); } catch { this.errors++; }
    }
  }
}

const observersByStore = new WeakMap<Store, ObserverList>();

function observersOf(store: Store): ObserverList {
  let list = observersByStore.get(store);
  if (!list) observersByStore.set(store, list = new ObserverList());
  return list;
}

/**
 * Registers an observer of what any ingester stores into `store`, for read-side modules that are
 * handed the store rather than the ingester. Returns the unsubscribe function.
 */
export function observeStore(store: Store, observer: IngestObserver): () => void {
  return observersOf(store).add(observer);
}

/**
 * Runs a normaliser; one that throws on hostile input answers `invalid`, never a retryable error.
 * `limited` is what the limits cut while it ran (normalising is synchronous: nothing else counts meanwhile).
 */
function normalised<T extends object>(fn: () => T): T & { limited?: LimitHits } {
  const v = LIMIT_HITS.values, a = LIMIT_HITS.attributes, i = LIMIT_HITS.items;
  try {
    const n: T & { limited?: LimitHits } = fn();
    const limited = limitHitsSince(v, a, i);
    if (limited) n.limited = limited;
    return n;
  } catch (err) {
    if (err instanceof TinyOllyError) throw err;
    throw new TinyOllyError('invalid', `cannot read request: ${(err as Error).message}`);
  }
}

export class Ingester {
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private readonly observers: ObserverList;

  constructor(private readonly store: Store, private readonly options: IngesterOptions) {
    this.observers = observersOf(store);
  }

  /**
   * Registers an observer of every successful write (see IngestObserver); returns the unsubscribe
   * function. Observers are those of the store, shared with `observeStore(store, …)`.
   */
  observe(observer: IngestObserver): () => void {
    return this.observers.add(observer);
  }

  /** Observer calls that threw since start (they are otherwise ignored). */
  get observerErrors(): number {
    return this.observers.errors;
  }

  /** Tells the observers what one write stored (no allocation when there are none). */
  private tell(signal: IngestEvent['signal'], items: Span[] | LogRecord[] | MetricSample[], refused: number, receivedAtMs: number, context?: object): void {
    if (this.observers.observers.length === 0) return;
    const event = signal === 'metrics'
      ? { signal, items: items as MetricSample[], refused, receivedAtMs, context }
      : signal === 'traces' ? { signal, items: items as Span[], receivedAtMs, context } : { signal, items: items as LogRecord[], receivedAtMs, context };
    this.observers.tell(event);
  }

  /** Requests currently being written. */
  get pending(): number {
    return this.inFlight;
  }

  /** Resolves once no export is in flight (used at shutdown). */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async run(
    write: () => Promise<number | void>, accepted: number, rejected: number, message: string | undefined,
    signal: IngestEvent['signal'], items: Span[] | LogRecord[] | MetricSample[], context?: object, limited?: LimitHits,
  ): Promise<ExportResult> {
    if (accepted === 0) return { accepted, rejected, message };
    if (this.inFlight >= this.options.maxInFlight) {
      throw new TinyOllyError('overloaded', 'too many exports in flight; retry later');
    }
    this.inFlight++;
    try {
      const receivedAtMs = Date.now();
      const refused = (await write()) ?? 0;
      this.tell(signal, items, refused, receivedAtMs, context);
      if (refused > 0) {
        const why = signal === 'traces' ? 'span(s) refused: span limit per trace reached' : 'data point(s) refused: series limit per metric reached';
        return {
          accepted: accepted - refused,
          rejected: rejected + refused,
          message: [message, `${refused} ${why}`].filter(Boolean).join('; '),
        };
      }
      return limited ? { accepted, rejected, message, limited } : { accepted, rejected, message };
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const f of this.idle.splice(0)) f();
    }
  }

  /** Normalises and stores spans. Rejects with the store's error (e.g. unavailable) or overloaded. */
  exportTraces(req: OtlpTracesRequest, extraRejected = 0, context?: object): Promise<ExportResult> {
    const n = normalised(() => normaliseTraces(req, this.options));
    return this.run(async () => (await this.store.writeSpans(n.items))?.rejected, n.items.length, n.rejected + extraRejected, n.message, 'traces', n.items, context, n.limited);
  }

  /**
   * The hot path: decodes and normalises protobuf trace bytes in one pass, then stores them.
   * Throws TinyOllyError('invalid') for malformed bytes.
   */
  exportTracesProtobuf(body: Buffer, context?: object): Promise<ExportResult> {
    const n = normalised(() => normaliseTracesProtobuf(body, this.options));
    return this.run(async () => (await this.store.writeSpans(n.items))?.rejected, n.items.length, n.rejected, n.message, 'traces', n.items, context, n.limited);
  }

  /** The logs hot path: protobuf bytes → log records in one pass, then stored. */
  exportLogsProtobuf(body: Buffer, context?: object): Promise<ExportResult> {
    const n = normalised(() => normaliseLogsProtobuf(body, this.options));
    return this.run(() => this.store.writeLogs(n.items), n.items.length, n.rejected, n.message, 'logs', n.items, context, n.limited);
  }

  /** Normalises and stores log records. */
  exportLogs(req: OtlpLogsRequest, extraRejected = 0, context?: object): Promise<ExportResult> {
    const n = normalised(() => normaliseLogs(req, this.options));
    return this.run(() => this.store.writeLogs(n.items), n.items.length, n.rejected + extraRejected, n.message, 'logs', n.items, context, n.limited);
  }

  /** The metrics hot path: protobuf bytes → metric samples in one pass, then stored. */
  exportMetricsProtobuf(body: Buffer, context?: object): Promise<ExportResult> {
    const n = normalised(() => normaliseMetricsProtobuf(body, this.options));
    return this.run(async () => (await this.store.writeMetrics(n.items)).rejected, n.items.length, n.rejected, n.message, 'metrics', n.items, context, n.limited);
  }

  /** Normalises and stores metric points; points past the series cap come back as rejected. */
  exportMetrics(req: OtlpMetricsRequest, extraRejected = 0, context?: object): Promise<ExportResult> {
    const n = normalised(() => normaliseMetrics(req, this.options));
    return this.run(async () => (await this.store.writeMetrics(n.items)).rejected, n.items.length, n.rejected + extraRejected, n.message, 'metrics', n.items, context, n.limited);
  }
}
