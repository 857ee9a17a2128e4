/**
 * @module store/memory/trace-index: the memory store's span indexes: traceId → spans (with
 * incrementally kept trace bounds and counts), service → traces, link target → linking spans.
 * Expiry and the byte cap are the store's business: it calls add/remove.
 */
import type { Backlink, Span, TraceSummary } from '../../model/model.js';
import type { TraceQuery } from '../store.js';
import { compareNanos, nanosToMs, sortSpans, spanHasAttribute, summariseTrace } from '../../query/traces.js';
import { durationBetweenMs } from '../../model/value-rules.js';
import { TopK } from '../../query/top-k.js';
import { ServiceRollup, type TraceShare } from './service-rollup.js';

/**
 * What one trace costs on the heap besides its spans: its entry, its spans and services maps, its
 * slots in the trace map, the creation-order list and the service index, and its rollup share.
 * Measured with bench/in-process/store-heap.ts (40,000 one-span traces against 40,000 spans in 4 traces).
 */
const TRACE_OVERHEAD = 896;
/** What one link target costs besides the links into it: its map slot and its set of linking spans. */
const LINK_TARGET_OVERHEAD = 224;

/** One stored trace and what the trace list needs without visiting its spans. */
export interface TraceEntry {
  readonly traceId: string;
  readonly spans: Map<string, Span>;
  /** Service → number of this trace's spans with it. */
  readonly services: Map<string, number>;
  errorCount: number;
  okCount: number;
  startNs: string;
  endNs: string;
  durationMs: number;
  /** Trace start in ms: a fast first key for ordering (never contradicts startNs). */
  startMs: number;
  /** Trace start, unix seconds (for start/end filters). */
  startSeconds: number;
  /** Set when a removal may have moved the bounds; refresh() recomputes them. */
  boundsDirty: boolean;
  /** Cached summary; dropped on every change. */
  summary: TraceSummary | undefined;
  /** Cached lower-cased span names joined by NUL, for the name filter; dropped on every change. */
  namesLower: string | undefined;
  /** False once the trace is gone (it may linger in the creation-order list until compaction). */
  alive: boolean;
  /** This trace's share of the service rollup (owned by ServiceRollup). */
  share: TraceShare | undefined;
  /** Spans refused by the per-trace cap since the trace was created. */
  dropped: number;
}

/** Per-service span and error counts. */
export interface ServiceSpanCounts {
  spans: number;
  errors: number;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function setBounds(e: TraceEntry, startNs: string, endNs: string): void {
  e.startNs = startNs;
  e.endNs = endNs;
  const startMs = nanosToMs(startNs);
  e.startMs = startMs;
  e.startSeconds = startMs / 1000;
  // Same formula as summariseTrace, so filters and the summary agree.
  e.durationMs = durationBetweenMs(startNs, endNs);
}

function refresh(e: TraceEntry): void {
  if (!e.boundsDirty) return;
  e.boundsDirty = false;
  let start: string | undefined;
  let end: string | undefined;
  for (const s of e.spans.values()) {
    if (start === undefined || compareNanos(s.startTimeUnixNano, start) < 0) start = s.startTimeUnixNano;
    if (end === undefined || compareNanos(s.endTimeUnixNano, end) > 0) end = s.endTimeUnixNano;
  }
  if (start !== undefined && end !== undefined) setBounds(e, start, end);
}

function entryComparator(q: Pick<TraceQuery, 'sort' | 'order'>): (a: TraceEntry, b: TraceEntry) => number {
  const dir = q.order === 'asc' ? 1 : -1;
  if (q.sort === 'duration') {
    return (a, b) => dir * (a.durationMs - b.durationMs || a.startMs - b.startMs || compareNanos(a.startNs, b.startNs) || cmpStr(a.traceId, b.traceId));
  }
  // nanosToMs is monotonic, so comparing the ms first never contradicts the exact comparison.
  return (a, b) => dir * (a.startMs - b.startMs || compareNanos(a.startNs, b.startNs) || cmpStr(a.traceId, b.traceId));
}

function hasName(e: TraceEntry, needle: string): boolean {
  if (needle.includes('\u0000')) {
    for (const s of e.spans.values()) if (s.name.toLowerCase().includes(needle)) return true;
    return false;
  }
  if (e.namesLower === undefined) {
    let text = '';
    for (const s of e.spans.values()) text += s.name.toLowerCase() + '\u0000';
    e.namesLower = text;
  }
  return e.namesLower.includes(needle);
}

function matchesSpanFilters(e: TraceEntry, q: TraceQuery, needle: string | undefined): boolean {
  if (q.status !== undefined) {
    if (q.status === 'error' && e.errorCount === 0) return false;
    if (q.status === 'ok' && (e.errorCount > 0 || e.okCount === 0)) return false;
    if (q.status === 'unset' && (e.errorCount > 0 || e.okCount > 0)) return false;
  }
  if (needle !== undefined && !hasName(e, needle)) return false;
  if (q.attr !== undefined) {
    const { key, value } = q.attr;
    let hit = false;
    for (const s of e.spans.values()) {
      if (spanHasAttribute(s, key, value)) { hit = true; break; }
    }
    if (!hit) return false;
  }
  return true;
}

/** The span side of the memory store. Not thread-safe, not async: every call is O(its input). */
export class TraceIndex {
  readonly traces = new Map<string, TraceEntry>();
  readonly serviceCounts = new Map<string, ServiceSpanCounts>();
  private readonly byService = new Map<string, Set<TraceEntry>>();
  /** Every trace in creation order (roughly start order), dead entries removed lazily. */
  private order: TraceEntry[] = [];
  private deadInOrder = 0;
  /** Link target traceId → spans of other traces linking into it. */
  private readonly linksTo = new Map<string, Set<Span>>();
  /** Entry-span latencies and service-map edges, kept per changed trace. */
  readonly rollup = new ServiceRollup();
  spanCount = 0;
  /** What the trace entries and link targets cost besides their spans (charged to the store's cap). */
  entryBytes = 0;

  /**
   * Whether a span may be added under a cap of `max` spans per trace: a replacement always may, a new
   * span only while its trace holds fewer; a refusal is counted on the trace.
   */
  admits(span: Span, max: number): boolean {
    const e = this.traces.get(span.traceId);
    if (!e || e.spans.size < max || e.spans.has(span.spanId)) return true;
    e.dropped++;
    return false;
  }

  /** Spans of a trace refused by the cap (0 for an unknown trace). */
  dropped(traceId: string): number {
    return this.traces.get(traceId)?.dropped ?? 0;
  }

  /** Stores a span; a span with the same traceId+spanId is replaced and returned. */
  add(span: Span): Span | undefined {
    let e = this.traces.get(span.traceId);
    if (!e) {
      e = {
        traceId: span.traceId, spans: new Map(), services: new Map(), errorCount: 0, okCount: 0,
        startNs: '0', endNs: '0', durationMs: 0, startMs: 0, startSeconds: 0, boundsDirty: false, summary: undefined,
        namesLower: undefined, alive: true, share: undefined, dropped: 0,
      };
      this.traces.set(span.traceId, e);
      this.order.push(e);
      this.entryBytes += TRACE_OVERHEAD;
    }
    const old = e.spans.get(span.spanId);
    if (old) this.detach(e, old);
    e.spans.set(span.spanId, span);
    this.attach(e, span);
    return old;
  }

  /** Removes a span if it is still the stored one (not replaced since); returns whether it was. */
  remove(span: Span): boolean {
    const e = this.traces.get(span.traceId);
    if (!e || e.spans.get(span.spanId) !== span) return false;
    e.spans.delete(span.spanId);
    this.detach(e, span);
    if (e.spans.size === 0) {
      this.traces.delete(span.traceId);
      this.entryBytes -= TRACE_OVERHEAD;
      e.alive = false;
      // A dead entry in the list still holds its maps, uncounted: compact once a quarter is dead
      // (amortised O(1), and what is kept stays within 4/3 of what is counted).
      if (++this.deadInOrder > 64 && this.deadInOrder * 4 > this.order.length) {
        this.order = this.order.filter((x) => x.alive);
        this.deadInOrder = 0;
      }
    }
    return true;
  }

  private attach(e: TraceEntry, s: Span): void {
    this.rollup.markChanged(e);
    this.spanCount++;
    e.summary = undefined;
    e.namesLower = undefined;
    if (e.spans.size === 1) {
      e.boundsDirty = false;
      setBounds(e, s.startTimeUnixNano, s.endTimeUnixNano);
    } else if (!e.boundsDirty) {
      const earlier = compareNanos(s.startTimeUnixNano, e.startNs) < 0;
      const later = compareNanos(s.endTimeUnixNano, e.endNs) > 0;
      if (earlier || later) setBounds(e, earlier ? s.startTimeUnixNano : e.startNs, later ? s.endTimeUnixNano : e.endNs);
    }
    const isError = s.status.code === 'ERROR';
    if (isError) e.errorCount++;
    else if (s.status.code === 'OK') e.okCount++;
    const n = e.services.get(s.service) ?? 0;
    e.services.set(s.service, n + 1);
    if (n === 0) {
      let set = this.byService.get(s.service);
      if (!set) this.byService.set(s.service, (set = new Set()));
      set.add(e);
    }
    let counts = this.serviceCounts.get(s.service);
    if (!counts) this.serviceCounts.set(s.service, (counts = { spans: 0, errors: 0 }));
    counts.spans++;
    if (isError) counts.errors++;
    for (const l of s.links) {
      if (l.traceId === s.traceId) continue;
      let set = this.linksTo.get(l.traceId);
      if (!set) {
        this.linksTo.set(l.traceId, (set = new Set()));
        this.entryBytes += LINK_TARGET_OVERHEAD;
      }
      set.add(s);
    }
  }

  private detach(e: TraceEntry, s: Span): void {
    this.rollup.markChanged(e);
    this.spanCount--;
    e.summary = undefined;
    e.namesLower = undefined;
    if (s.startTimeUnixNano === e.startNs || s.endTimeUnixNano === e.endNs) e.boundsDirty = true;
    const isError = s.status.code === 'ERROR';
    if (isError) e.errorCount--;
    else if (s.status.code === 'OK') e.okCount--;
    const n = (e.services.get(s.service) ?? 1) - 1;
    if (n > 0) e.services.set(s.service, n);
    else {
      e.services.delete(s.service);
      const set = this.byService.get(s.service);
      set?.delete(e);
      if (set?.size === 0) this.byService.delete(s.service);
    }
    const counts = this.serviceCounts.get(s.service);
    if (counts) {
      counts.spans--;
      if (isError) counts.errors--;
      if (counts.spans <= 0) this.serviceCounts.delete(s.service);
    }
    for (const l of s.links) {
      const set = this.linksTo.get(l.traceId);
      if (!set) continue;
      set.delete(s);
      if (set.size === 0) {
        this.linksTo.delete(l.traceId);
        this.entryBytes -= LINK_TARGET_OVERHEAD;
      }
    }
  }

  /** The spans of one trace ordered by start time, or undefined. */
  get(traceId: string): Span[] | undefined {
    const e = this.traces.get(traceId);
    return e ? sortSpans([...e.spans.values()]) : undefined;
  }

  /** Trace summaries matching the query, best `limit` by sort/order; visits only candidate traces. */
  find(q: TraceQuery): TraceSummary[] {
    const needle = q.name?.toLowerCase();
    const cmp = entryComparator(q);
    const top = new TopK<TraceEntry>(q.limit, cmp);
    const service = q.service;
    const after = q.after === undefined ? undefined
      : { durationMs: q.after.durationMs, startMs: nanosToMs(q.after.startTimeUnixNano), startNs: q.after.startTimeUnixNano, traceId: q.after.traceId } as TraceEntry;
    const visit = (e: TraceEntry, checkService: boolean): void => {
      refresh(e);
      if (q.minDurationMs !== undefined && e.durationMs < q.minDurationMs) return;
      if (q.maxDurationMs !== undefined && e.durationMs > q.maxDurationMs) return;
      if (q.start !== undefined && e.startSeconds < q.start) return;
      if (q.end !== undefined && e.startSeconds > q.end) return;
      // The next page: only traces after the cursor (the same total order as query/paging).
      if (after !== undefined && cmp(after, e) >= 0) return;
      // Rank before the costlier span-level filters: most traces fall outside the top anyway.
      if (!top.wouldAccept(e)) return;
      if (checkService && !e.services.has(service!)) return;
      if (!matchesSpanFilters(e, q, needle)) return;
      top.offer(e);
    };
    const withService = service === undefined ? undefined : this.byService.get(service);
    if (service !== undefined && !withService) return [];
    if (withService && withService.size * 4 < this.traces.size) {
      for (const e of withService) visit(e, false);
    } else {
      // Creation order is close to start order: walking it from the end the query favours lets
      // the first `limit` traces fill the top, and most later ones are refused by one comparison.
      const order = this.order;
      const forward = q.sort === 'start' && q.order === 'asc';
      for (let n = 0; n < order.length; n++) {
        const e = order[forward ? n : order.length - 1 - n];
        if (e.alive) visit(e, service !== undefined);
      }
    }
    return top.result().map((e) => (e.summary ??= summariseTrace(e.traceId, [...e.spans.values()])));
  }

  /** Stored trace ids starting with `prefix`, sorted, at most `limit` (a scan of the ids: O(traces)). */
  idsWithPrefix(prefix: string, limit: number): string[] {
    const out: string[] = [];
    for (const id of this.traces.keys()) if (id.startsWith(prefix)) out.push(id);
    return out.sort().slice(0, limit);
  }

  /** Spans of other traces whose links point into `traceId`, one row per link, by linking span start. */
  backlinks(traceId: string): Backlink[] {
    const spans = this.linksTo.get(traceId);
    if (!spans) return [];
    const rows: { start: string; row: Backlink }[] = [];
    for (const s of spans) {
      for (const l of s.links) {
        if (l.traceId !== traceId) continue;
        rows.push({
          start: s.startTimeUnixNano,
          row: { traceId: s.traceId, spanId: s.spanId, name: s.name, service: s.service, linkedSpanId: l.spanId, attributes: l.attributes },
        });
      }
    }
    rows.sort((a, b) => compareNanos(a.start, b.start) || cmpStr(a.row.traceId, b.row.traceId)
      || cmpStr(a.row.spanId, b.row.spanId) || cmpStr(a.row.linkedSpanId, b.row.linkedSpanId));
    return rows.map((r) => r.row);
  }

  /** Removes everything. */
  clear(): void {
    this.traces.clear();
    this.serviceCounts.clear();
    this.byService.clear();
    this.linksTo.clear();
    this.order = [];
    this.deadInOrder = 0;
    this.spanCount = 0;
    this.entryBytes = 0;
    this.rollup.clear();
  }
}
