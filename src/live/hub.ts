/**
 * @module live/hub: what GET /api/live (CONTRACT §7) streams: an ingest observer that coalesces
 * the writes of each signal (count and services) and tells subscribers at most every FLUSH_MS.
 * Costs nothing on ingest while nobody listens; otherwise O(items) reads of `service`, no awaits.
 */
import type { IngestEvent } from '../ingest/ingester.js';

export type LiveSignal = 'traces' | 'logs' | 'metrics';

/** What arrived of one signal since the previous event of that signal. */
export interface LiveEvent {
  signal: LiveSignal;
  count: number;
  services: string[];
}

/** Coalescing window: at most this many ms between an export stored and its event (CONTRACT §7: within 1 s). */
export const FLUSH_MS = 250;
/** Services named per event (more are counted, not named). */
const MAX_SERVICES = 50;

interface Pending {
  count: number;
  services: Set<string>;
}

/** The live hub of one store. */
export class LiveHub {
  private readonly subscribers = new Set<(e: LiveEvent) => void>();
  private readonly closers = new Set<() => void>();
  private pending = new Map<LiveSignal, Pending>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** The ingest observer. Never throws. */
  readonly observer = (event: IngestEvent): void => {
    if (this.subscribers.size === 0 || event.items.length === 0) return;
    let p = this.pending.get(event.signal);
    if (!p) this.pending.set(event.signal, (p = { count: 0, services: new Set() }));
    p.count += event.items.length;
    for (const item of event.items) {
      if (p.services.size >= MAX_SERVICES) break;
      p.services.add(item.service);
    }
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  };

  private flush(): void {
    this.timer = undefined;
    const pending = this.pending;
    this.pending = new Map();
    for (const [signal, p] of pending) {
      const e: LiveEvent = { signal, count: p.count, services: [...p.services].sort() };
      for (const fn of this.subscribers) {
        try { fn(e); } catch { /* one broken stream does not stop the others */ }
      }
    }
  }

  /**
   * Subscribes to events; `onClose` is called if the hub closes first (shutdown). Returns the
   * unsubscribe function.
   */
  subscribe(fn: (e: LiveEvent) => void, onClose: () => void): () => void {
    this.subscribers.add(fn);
    this.closers.add(onClose);
    return () => { this.subscribers.delete(fn); this.closers.delete(onClose); };
  }

  /** Open subscriptions. */
  get size(): number {
    return this.subscribers.size;
  }

  /** Ends every subscription (at shutdown, so open streams do not hold the server open). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const c of [...this.closers]) { try { c(); } catch { /* ignored */ } }
    this.subscribers.clear();
    this.closers.clear();
  }
}
