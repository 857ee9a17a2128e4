/**
 * @module export/export-query: what GET /api/export streams. Reads the Store page by page (never all
 * at once) and yields OTLP/JSON text: `jsonl`, one export request per line (the Collector file
 * exporter's format), or `json`, one export request of one signal. Encoding is export/encode.ts.
 */
import type { LogRecord, Span } from '../model/model.js';
import type { NormaliseOptions } from '../normalise/options.js';
import type { LogQuery, Store, TraceQuery } from '../store/store.js';
import { traceSummaryPages } from '../query/trace-pages.js';
import { resourceLogsOf, resourceMetricsOf, resourceSpansOf } from './encode.js';

export type ExportSignal = 'traces' | 'logs' | 'metrics';

export interface ExportRequest {
  signals: ExportSignal[];
  format: 'json' | 'jsonl';
  traceId?: string;
  /** Trace filters (the traces list's); limit is ignored. */
  traces: Omit<TraceQuery, 'limit'>;
  /** Log filters (the logs list's); limit is ignored. */
  logs: Omit<LogQuery, 'limit'>;
  /** Metric series of this service only. */
  service?: string;
  start?: number;
  end?: number;
}

const PAGE = 1000;
/** Traces read (getTrace) at once and written per line. */
const TRACES_PER_LINE = 50;

const TOP_KEY: Record<ExportSignal, string> = { traces: 'resourceSpans', logs: 'resourceLogs', metrics: 'resourceMetrics' };

/** Trace ids matching the query, newest first (query/trace-pages.ts). */
async function* traceIds(store: Store, q: Omit<TraceQuery, 'limit'>): AsyncGenerator<string> {
  for await (const t of traceSummaryPages(store, q)) yield t.traceId;
}

/** Groups of spans, TRACES_PER_LINE traces each. */
async function* spanPages(store: Store, req: ExportRequest): AsyncGenerator<Span[]> {
  if (req.traceId !== undefined) {
    const spans = await store.getTrace(req.traceId);
    if (spans) yield spans;
    return;
  }
  let ids: string[] = [];
  const flush = async () => {
    const traces = await Promise.all(ids.map((id) => store.getTrace(id)));
    ids = [];
    return traces.flatMap((t) => t ?? []);
  };
  for await (const id of traceIds(store, req.traces)) {
    ids.push(id);
    if (ids.length >= TRACES_PER_LINE) yield await flush();
  }
  if (ids.length) yield await flush();
}

/** Log records matching the query, a page at a time, newest first (keyset pages: ties are never cut). */
async function* logPages(store: Store, req: ExportRequest): AsyncGenerator<LogRecord[]> {
  const q = { ...req.logs, traceId: req.traceId ?? req.logs.traceId };
  let after: LogQuery['after'];
  for (;;) {
    const page = await store.findLogs({ ...q, after, limit: PAGE });
    if (page.length) yield page;
    if (page.length < PAGE) return;
    const last = page[page.length - 1];
    after = { timestamp: last.timestamp, timeUnixNano: last.timeUnixNano, id: last.id };
  }
}

/** One `resourceX` array per step: a group of traces, a page of logs, or one metric. */
async function* resourcePages(store: Store, req: ExportRequest, signal: ExportSignal, o: NormaliseOptions): AsyncGenerator<unknown[]> {
  if (signal === 'traces') {
    for await (const spans of spanPages(store, req)) if (spans.length) yield resourceSpansOf(spans, o);
  } else if (signal === 'logs') {
    for await (const logs of logPages(store, req)) yield resourceLogsOf(logs, o);
  } else {
    if (req.traceId !== undefined) return;
    for (const m of await store.listMetrics()) {
      if (req.service !== undefined && !m.services.includes(req.service)) continue;
      const set = await store.getMetric(m.name, { start: req.start, end: req.end }, { origins: true });
      if (!set) continue;
      const series = req.service === undefined ? set.series : set.series.filter((s) => s.service === req.service);
      if (series.length) yield resourceMetricsOf({ ...set, series });
    }
  }
}

/**
 * The export as text chunks. `jsonl`: one export request per line, every signal asked for;
 * `json`: one export request (the first signal only) on one line. Never throws for an empty store.
 */
export async function* exportText(store: Store, req: ExportRequest, o: NormaliseOptions): AsyncGenerator<string> {
  if (req.format === 'jsonl') {
    for (const signal of req.signals) {
      for await (const page of resourcePages(store, req, signal, o)) yield JSON.stringify({ [TOP_KEY[signal]]: page }) + '\n';
    }
    return;
  }
  const signal = req.signals[0];
  yield `{"${TOP_KEY[signal]}":[`;
  let first = true;
  for await (const page of resourcePages(store, req, signal, o)) {
    for (const r of page) {
      yield (first ? '' : ',') + JSON.stringify(r);
      first = false;
    }
  }
  yield ']}\n';
}
