/**
 * @module ingest/ingester: the one seam both receivers (and the import) call: `export(batch)` writes
 * a normalised batch (otlp/codecs.ts made it) to the store as one write, and answers what was
 * accepted and rejected (partial_success). Knows nothing of HTTP, gRPC or encodings; overload is
 * signalled by throwing TinyOllyError('overloaded').
 * Observers (`observe`) hear what was stored: the seam that wait, live push, the inspector and the
 * doctor hang off. They run synchronously after a successful write and can neither slow nor fail it
 * beyond their own (bounded) work: a throw is caught and counted.
 */
import { TinyOllyError } from '../errors.js';
import type { LimitHits } from '../model/limit-hits.js';
import type { LogRecord, MetricSample, Span } from '../model/model.js';
import type { Batch } from '../otlp/codecs.js';
import type { Store } from '../store/store.js';

export interface ExportResult {
  accepted: number;
  rejected: number;
  message?: string;
  /** What the §6 limits cut or dropped in the accepted items (for the inspector's hint); absent when nothing. */
  limited?: LimitHits;
}

export interface IngesterOptions {
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

  /**
   * Stores one batch and answers what was accepted and rejected: `rejected` and `message` are the
   * batch's, plus what the store refused (spans past the per-trace cap, points past the series cap).
   * `context` is passed to the observers with what was stored (the inspector's request record).
   * Rejects with the store's error (e.g. unavailable) or overloaded; nothing is written then.
   */
  export(batch: Batch, context?: object): Promise<ExportResult> {
    const write = batch.signal === 'traces' ? async () => (await this.store.writeSpans(batch.items))?.rejected
      : batch.signal === 'logs' ? () => this.store.writeLogs(batch.items)
        : async () => (await this.store.writeMetrics(batch.items)).rejected;
    return this.run(write, batch.items.length, batch.rejected, batch.message, batch.signal, batch.items, context, batch.limited);
  }
}
