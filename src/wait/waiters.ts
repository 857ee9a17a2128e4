/**
 * @module wait/waiters: the long-polls of GET /api/wait. Fed by the ingest observer seam, it keeps a
 * bounded index of recent arrivals (trace ids and log records with their receipt time) so that
 * "received after since" is answered without the store knowing receipt times, and wakes waiters
 * only when their signal arrives. Idle waiters cost nothing: no timer but their timeout, no store
 * call. On an arrival, each touched trace is read once (one getTrace), however many waiters there are.
 * HTTP (parameters, disconnects) is api/wait.ts.
 */
import type { LogRecord, Span, TraceSummary } from '../model/model.js';
import type { IngestEvent, IngestObserver } from '../ingest/ingester.js';
import { summariseTrace } from '../query/traces.js';
import type { Store } from '../store/store.js';
import { explain, matchLog, matchTrace, type LogWaitFilter, type TraceWaitFilter, type Verdict } from './match.js';

/** Trace ids remembered with their latest receipt time (the reach of a `since` in the past). */
export const MAX_RECENT_TRACES = 20_000;
/** Log records remembered with their receipt time. */
export const MAX_RECENT_LOGS = 5_000;
/** Traces read in one re-check; more touched at once are re-checked newest first, the rest later. */
const MAX_TRACES_PER_CHECK = 500;
/** Near misses kept per waiter (the closest, then the latest), and answered. */
const MAX_MISSES_KEPT = 20;
export const MAX_NEAR_MISSES = 10;
/** Distinct items counted exactly in `received`; past it the count goes on without remembering ids. */
const MAX_RECEIVED_IDS = 1_000;
/** Concurrent getTrace calls of one re-check. */
const READ_CONCURRENCY = 16;
/** Services remembered per recent trace (for the service pre-filter); past it, any service may be there. */
const MAX_SERVICES_PER_TRACE = 16;

/** What the index knows of a recent trace without reading it: when it last grew, and its services. */
interface TraceArrival {
  atMs: number;
  /** Services of the spans received, or undefined past MAX_SERVICES_PER_TRACE (unknown: any may match). */
  services: string[] | undefined;
}

export type WaitRequest =
  | { signal: 'traces'; filter: TraceWaitFilter; minCount: number; sinceMs: number; timeoutMs: number }
  | { signal: 'logs'; filter: LogWaitFilter; minCount: number; sinceMs: number; timeoutMs: number };

export interface NearMiss {
  traceId?: string;
  id?: string;
  why: string;
}

export type WaitResult =
  | { matched: true; count: number; traces: TraceSummary[] }
  | { matched: true; count: number; logs: LogRecord[] }
  | { matched: false; count: number; received: number; nearMisses: NearMiss[] };

interface Miss {
  why: string;
  score: number;
  atMs: number;
}

interface Waiter {
  req: WaitRequest;
  /** Matching items so far, by trace id or log id. */
  matches: Map<string, TraceSummary | LogRecord>;
  misses: Map<string, Miss>;
  /** Items of the signal received after since (matching or not): exact up to MAX_RECEIVED_IDS. */
  received: Set<string>;
  receivedBeyond: number;
  finish(result: WaitResult): void;
}

function byNewest(a: Miss, b: Miss): number {
  return b.score - a.score || b.atMs - a.atMs;
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The waiters of one TinyOlly instance over one store. */
export class WaitHub {
  private readonly recentTraces = new Map<string, TraceArrival>();
  private recentLogs: { atMs: number; log: LogRecord }[] = [];
  private readonly traceWaiters = new Set<Waiter>();
  private readonly logWaiters = new Set<Waiter>();
  /** Trace ids touched since the last re-check, with their receipt time. */
  private dirtyTraces = new Map<string, TraceArrival>();
  /** Index into recentLogs of the first log not yet shown to the log waiters. */
  private logsChecked = 0;
  private checking = false;
  private checkQueued = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly store: Store, observe: (observer: IngestObserver) => () => void) {
    this.unsubscribe = observe((e) => this.onStored(e));
  }

  /** Waiters currently held. */
  get waiting(): number {
    return this.traceWaiters.size + this.logWaiters.size;
  }

  /** Stops observing; pending waiters answer as timed out. */
  close(): void {
    this.unsubscribe();
    for (const w of [...this.traceWaiters, ...this.logWaiters]) void this.timeout(w);
  }

  /** Forgets every arrival (after DELETE /api/data: cleared items must not match a later wait). */
  forget(): void {
    this.recentTraces.clear();
    this.recentLogs = [];
    this.logsChecked = 0;
    this.dirtyTraces.clear();
  }

  /** The observer: O(items), no store call, no allocation per waiter. */
  private onStored(e: IngestEvent): void {
    if (e.signal === 'traces') {
      let last = '';
      let lastService = '';
      let entry: TraceArrival | undefined;
      for (const s of e.items) {
        if (s.traceId !== last || !entry) {
          last = s.traceId;
          lastService = '';
          entry = this.recentTraces.get(last);
          if (entry) this.recentTraces.delete(last);
          else entry = { atMs: 0, services: [] };
          entry.atMs = e.receivedAtMs;
          this.recentTraces.set(last, entry);
          if (this.traceWaiters.size > 0) this.dirtyTraces.set(last, entry);
        }
        if (s.service !== lastService) {
          lastService = s.service;
          const known = entry.services;
          if (known && !known.includes(lastService)) {
            if (known.length < MAX_SERVICES_PER_TRACE) known.push(lastService); else entry.services = undefined;
          }
        }
      }
      while (this.recentTraces.size > MAX_RECENT_TRACES) this.recentTraces.delete(this.recentTraces.keys().next().value!);
      if (this.traceWaiters.size > 0) this.schedule();
    } else if (e.signal === 'logs') {
      for (const log of e.items) this.recentLogs.push({ atMs: e.receivedAtMs, log });
      if (this.recentLogs.length > MAX_RECENT_LOGS * 2) {
        const cut = this.recentLogs.length - MAX_RECENT_LOGS;
        this.recentLogs = this.recentLogs.slice(cut);
        this.logsChecked = Math.max(0, this.logsChecked - cut);
      }
      if (this.logWaiters.size > 0) this.schedule();
      else this.logsChecked = this.recentLogs.length;
    }
  }

  private schedule(): void {
    if (this.checking) { this.checkQueued = true; return; }
    this.checking = true;
    setImmediate(() => void this.recheck());
  }

  /** Re-checks the arrivals since the previous re-check against the waiters of their signal. */
  private async recheck(): Promise<void> {
    try {
      do {
        this.checkQueued = false;
        if (this.logsChecked < this.recentLogs.length) {
          const fresh = this.recentLogs.slice(this.logsChecked);
          this.logsChecked = this.recentLogs.length;
          for (const w of this.logWaiters) this.offerLogs(w, fresh);
        }
        if (this.dirtyTraces.size > 0) {
          const dirty = [...this.dirtyTraces];
          this.dirtyTraces = new Map(dirty.length > MAX_TRACES_PER_CHECK ? dirty.slice(0, dirty.length - MAX_TRACES_PER_CHECK) : []);
          if (this.dirtyTraces.size > 0) this.checkQueued = true;
          if (this.traceWaiters.size > 0) await this.offerTraces([...this.traceWaiters], dirty.slice(-MAX_TRACES_PER_CHECK));
        }
      } while (this.checkQueued);
    } catch {
      // A store outage during a re-check: the waiters keep waiting and the next arrival re-checks.
    } finally {
      this.checking = false;
      if (this.checkQueued) this.schedule();
    }
  }

  /**
   * Shows touched traces to the waiters. A trace none of whose known services is a waiter's
   * `service` cannot match it: that is noted from the index alone. The others are read once each
   * (one getTrace, however many waiters) and evaluated.
   */
  private async offerTraces(waiters: Waiter[], traces: [string, TraceArrival][]): Promise<void> {
    const wanted: [string, TraceArrival, Waiter[]][] = [];
    for (const [traceId, arrival] of traces) {
      const { atMs, services } = arrival;
      let readers: Waiter[] | undefined;
      for (const w of waiters) {
        if (atMs < w.req.sinceMs || w.req.signal !== 'traces') continue;
        const service = w.req.filter.service;
        if (service === undefined || services === undefined || services.includes(service)) (readers ??= []).push(w);
        else this.noteUnread(w, traceId, atMs, service, services);
      }
      if (readers) wanted.push([traceId, arrival, readers]);
    }
    const read = await mapLimited(wanted, READ_CONCURRENCY, async ([traceId]) => this.store.getTrace(traceId));
    for (let i = 0; i < wanted.length; i++) {
      const spans = read[i];
      if (!spans || spans.length === 0) continue;
      const [traceId, { atMs }, readers] = wanted[i];
      const summary = summariseTrace(traceId, spans);
      for (const w of readers) {
        if (w.req.signal !== 'traces') continue;
        const f = w.req.filter;
        this.note(w, traceId, atMs, matchTrace(spans, summary.durationMs, f, false), summary, () => matchTrace(spans, summary.durationMs, f));
      }
    }
    for (const w of waiters) this.settle(w);
  }

  /** A trace ruled out by the service pre-filter: counted, and a near miss only while there are few. */
  private noteUnread(w: Waiter, traceId: string, atMs: number, service: string, services: string[]): void {
    if (w.received.size < MAX_RECEIVED_IDS) w.received.add(traceId);
    else if (!w.received.has(traceId)) w.receivedBeyond++;
    if (w.matches.has(traceId) || w.misses.size >= MAX_NEAR_MISSES || w.misses.has(traceId)) return;
    const shown = services.slice(0, 3).join(', ') + (services.length > 3 ? ` and ${services.length - 3} more` : '');
    w.misses.set(traceId, { why: `no span of service ${service} (services: ${shown})`, score: 0, atMs });
  }

  private offerLogs(w: Waiter, fresh: { atMs: number; log: LogRecord }[]): void {
    if (w.req.signal !== 'logs') return;
    for (const { atMs, log } of fresh) {
      if (atMs < w.req.sinceMs) continue;
      const f = w.req.filter;
      this.note(w, log.id, atMs, matchLog(log, f, false), log, () => matchLog(log, f));
    }
    this.settle(w);
  }

  /**
   * Records one evaluation. `v` is the cheap verdict (no words); `words` builds the explanation,
   * called only for a miss that is kept (the closest MAX_MISSES_KEPT, latest first among equals).
   */
  private note(w: Waiter, id: string, atMs: number, v: Verdict, item: TraceSummary | LogRecord, words: () => Verdict): void {
    if (w.received.size < MAX_RECEIVED_IDS) w.received.add(id);
    else if (!w.received.has(id)) w.receivedBeyond++;
    if (v.matched) {
      w.matches.set(id, item);
      w.misses.delete(id);
      return;
    }
    // A trace that matched on its first spans and stops matching as more arrive is a miss again.
    w.matches.delete(id);
    w.misses.delete(id);
    if (w.misses.size >= MAX_MISSES_KEPT) {
      let worstId = '';
      let worst: Miss | undefined;
      for (const [k, m] of w.misses) if (!worst || byNewest(m, worst) > 0) { worst = m; worstId = k; }
      // Worse than all kept, or one more that has nothing in common with the filter: not worth words.
      if (worst && (worst.score > v.score || (worst.score === 0 && v.score === 0))) return;
      w.misses.delete(worstId);
    }
    w.misses.set(id, { why: explain(words()), score: v.score, atMs });
  }

  private settle(w: Waiter): void {
    if (w.matches.size >= w.req.minCount) w.finish(this.matchedResult(w));
  }

  private matchedResult(w: Waiter): WaitResult {
    const items = [...w.matches.values()].reverse();
    return w.req.signal === 'traces'
      ? { matched: true, count: items.length, traces: items as TraceSummary[] }
      : { matched: true, count: items.length, logs: items as LogRecord[] };
  }

  /**
   * Waits until `minCount` items received at or after `sinceMs` match, or `timeoutMs` passes.
   * `cancelled` (a client that went away) frees the waiter at once. Never rejects.
   */
  async wait(req: WaitRequest, cancelled: AbortSignal): Promise<WaitResult> {
    let finish!: (r: WaitResult) => void;
    const done = new Promise<WaitResult>((resolve) => { finish = resolve; });
    const set = req.signal === 'traces' ? this.traceWaiters : this.logWaiters;
    let timer: NodeJS.Timeout | undefined;
    const w: Waiter = {
      req, matches: new Map(), misses: new Map(), received: new Set(), receivedBeyond: 0,
      finish: (r) => {
        if (!set.delete(w)) return;
        clearTimeout(timer);
        cancelled.removeEventListener('abort', onAbort);
        finish(r);
      },
    };
    const onAbort = () => w.finish({ matched: false, count: w.matches.size, received: w.received.size + w.receivedBeyond, nearMisses: [] });
    set.add(w);
    cancelled.addEventListener('abort', onAbort);
    if (cancelled.aborted) onAbort();
    const startedMs = Date.now();
    // What arrived between `since` and now (nothing to read for the default, since = now).
    if (req.signal === 'logs') this.offerLogs(w, this.recentLogs.filter((e) => e.atMs >= req.sinceMs));
    else {
      const earlier = [...this.recentTraces].filter(([, a]) => a.atMs >= req.sinceMs).slice(-MAX_TRACES_PER_CHECK);
      if (earlier.length > 0) {
        // A store outage here leaves the waiter waiting: its timeout still answers.
        try { await this.offerTraces([w], earlier); } catch { /* see above */ }
      }
    }
    // The timer starts once what was already there is counted (timeout_ms=0 answers that at once).
    if (set.has(w)) {
      timer = setTimeout(() => void this.timeout(w), Math.max(0, req.timeoutMs - (Date.now() - startedMs)));
      timer.unref();
    }
    return done;
  }

  /** Answers a waiter whose time is up, with its nearest misses (and matches from before `since`). */
  private async timeout(w: Waiter): Promise<void> {
    const nearMisses: (NearMiss & { score: number; atMs: number })[] = [];
    const key = w.req.signal === 'traces' ? 'traceId' : 'id';
    for (const [id, m] of w.misses) nearMisses.push({ [key]: id, why: m.why, score: m.score, atMs: m.atMs });
    // Items that match now but were not enough (count below min_count) are near misses too.
    for (const id of w.matches.keys()) {
      nearMisses.push({ [key]: id, why: `matches, but only ${w.matches.size} of the ${w.req.minCount} wanted arrived`, score: 1, atMs: Date.now() });
    }
    nearMisses.sort(byNewest);
    if (nearMisses.length < MAX_NEAR_MISSES) {
      try {
        for (const m of await this.beforeSince(w, MAX_NEAR_MISSES - nearMisses.length)) nearMisses.push({ ...m, score: 0, atMs: 0 });
      } catch { /* the store is down: answer what is known */ }
    }
    w.finish({
      matched: false,
      count: w.matches.size,
      received: w.received.size + w.receivedBeyond,
      nearMisses: nearMisses.slice(0, MAX_NEAR_MISSES).map(({ score: _s, atMs: _a, ...m }) => m),
    });
  }

  /** Recent items received before `since` that match: the usual mistake is a `since` set too late. */
  private async beforeSince(w: Waiter, max: number): Promise<NearMiss[]> {
    const out: NearMiss[] = [];
    const ago = (atMs: number) => `${((w.req.sinceMs - atMs) / 1000).toFixed(1)} s`;
    if (w.req.signal === 'logs') {
      for (let i = this.recentLogs.length - 1; i >= 0 && out.length < max; i--) {
        const { atMs, log } = this.recentLogs[i];
        if (atMs >= w.req.sinceMs) continue;
        if (matchLog(log, w.req.filter).matched) out.push({ id: log.id, why: `matches, but was received ${ago(atMs)} before since` });
      }
      return out;
    }
    const earlier = [...this.recentTraces].filter(([, a]) => a.atMs < w.req.sinceMs).slice(-max).reverse();
    const read = await mapLimited(earlier, READ_CONCURRENCY, async ([traceId]) => this.store.getTrace(traceId));
    for (let i = 0; i < earlier.length; i++) {
      const spans: Span[] | undefined = read[i];
      if (!spans?.length) continue;
      const [traceId, { atMs }] = earlier[i];
      if (matchTrace(spans, summariseTrace(traceId, spans).durationMs, w.req.filter).matched) {
        out.push({ traceId, why: `matches, but was received ${ago(atMs)} before since` });
      }
    }
    return out;
  }
}
