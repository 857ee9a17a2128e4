/**
 * @module cli/mcp/tools: what each MCP tool answers, as text for an agent's context: summary first,
 * counts, what was left out and how to get more ("N more, call again with offset=…"), and deep links
 * into the UI. Each reads a running TinyOlly through its public API (cli/client.ts); the 16 KB bound
 * is applied centrally (cli/mcp/bound.ts) by the server that registers these (cli/mcp/server.ts).
 */
import type { LogRecord, MetricSeriesSet, MetricSummary, Span, TraceSummary } from '../../model/model.js';
import type { ApiClient } from '../client.js';
import { cut, isoFromNanos, logLine, ms, traceLine } from '../format.js';
import { listLink, metricLink, traceLink, traceWindow } from './links.js';
import { digestTrace, spanLine, spanPage } from './trace-digest.js';

/** A tool's answer before bounding: its text and how to get what a cut would leave out. */
export interface ToolText {
  text: string;
  more?: string;
  isError?: boolean;
}

export const SPAN_PAGE = 80;
const MAX_LIST = 50;

const sinceStart = (sinceSeconds: number | undefined) => (sinceSeconds === undefined ? undefined : Math.round((Date.now() / 1000 - sinceSeconds) * 1000) / 1000);

/** "no such route yet" for a route of a later CONTRACT section, told apart from a plain 404. */
function missingRoute(body: unknown): boolean {
  const e = (body as { error?: unknown })?.error;
  return typeof e === 'string' && e.startsWith('no route');
}

function noRoute(route: string, section: string): ToolText {
  return { text: `This TinyOlly has no ${route} route yet (CONTRACT ${section}); it is older than that feature. Nothing to report.`, isError: true };
}

export async function listServices(api: ApiClient): Promise<ToolText> {
  const { services } = (await api.get<{ services: any[] }>('/api/services')).body;
  if (services.length === 0) return { text: `No services yet: nothing has been received. UI: ${listLink(api.baseUrl, 'services')}` };
  const rows = services.slice().sort((a, b) => (b.requestCount ?? b.spanCount) - (a.requestCount ?? a.spanCount));
  const lines = [`${services.length} service${services.length === 1 ? '' : 's'} (busiest first). UI: ${listLink(api.baseUrl, 'services')}`];
  for (const s of rows.slice(0, 100)) {
    const req = s.requestCount !== undefined ? `${s.requestCount} requests (${s.requestErrorCount ?? 0} errors)` : `${s.spanCount} spans (${s.errorCount} errors)`;
    const pct = s.p50Ms !== null && s.p50Ms !== undefined ? `, p50 ${ms(s.p50Ms)} p95 ${ms(s.p95Ms ?? 0)}` : '';
    lines.push(`- ${s.name}: ${req}${pct}, ${s.spanCount} spans, ${s.logCount} logs, ${s.metricCount} metrics  ${listLink(api.baseUrl, 'traces', { service: s.name })}`);
  }
  if (rows.length > 100) lines.push(`… ${rows.length - 100} more services left out.`);
  return { text: lines.join('\n') };
}

export interface SearchTracesArgs {
  service?: string; name?: string; status?: string; attr?: string;
  min_duration_ms?: number; max_duration_ms?: number; since_seconds?: number;
  sort?: 'start' | 'duration'; limit?: number; offset?: number;
}

export async function searchTraces(api: ApiClient, a: SearchTracesArgs): Promise<ToolText> {
  const limit = Math.min(a.limit ?? 20, MAX_LIST);
  const offset = a.offset ?? 0;
  const start = sinceStart(a.since_seconds);
  const want = Math.min(1000, offset + limit + 1);
  const { traces } = (await api.get<{ traces: TraceSummary[] }>('/api/traces', {
    service: a.service, name: a.name, status: a.status, attr: a.attr, min_duration_ms: a.min_duration_ms, max_duration_ms: a.max_duration_ms,
    start, sort: a.sort, limit: want,
  })).body;
  const page = traces.slice(offset, offset + limit);
  const more = traces.length > offset + limit;
  const order = a.sort === 'duration' ? 'slowest first' : 'newest first';
  const link = listLink(api.baseUrl, 'traces', { service: a.service, name: a.name, status: a.status, start });
  if (page.length === 0) {
    return { text: `No traces match${offset ? ` past offset ${offset}` : ''}. Try wider filters, or wait_for if the code under test has just run. UI: ${link}` };
  }
  const lines = [`${page.length} trace${page.length === 1 ? '' : 's'} (${order}; ${offset + 1}–${offset + page.length}${more ? ', more exist' : ''}). UI: ${link}`,
    'traceId  rootService: rootName  duration  spans  errors  start  link'];
  for (const t of page) lines.push(`- ${traceLine(t)}  ${traceLink(api.baseUrl, t.traceId, traceWindow(t.startTimeUnixNano, t.durationMs))}`);
  if (more) lines.push(`More traces: call again with offset=${offset + limit}.`);
  lines.push('Next: get_trace with a traceId for its summary, errors, slowest spans and critical path.');
  return { text: lines.join('\n'), more: `call again with offset=${offset + page.length} or a smaller limit` };
}

export interface GetTraceArgs { trace_id: string; offset?: number; span_id?: string }

export async function getTrace(api: ApiClient, a: GetTraceArgs): Promise<ToolText> {
  const traceId = a.trace_id.trim().toLowerCase();
  const res = await api.get<{ spans: Span[] }>(`/api/traces/${encodeURIComponent(traceId)}`);
  if (res.status === 404) return { text: `Trace ${traceId} not found (unknown, or expired past the TTL). search_traces lists the stored ones.`, isError: true };
  const spans = res.body.spans;
  if (spans.length === 0) return { text: `Trace ${traceId} has no spans.`, isError: true };
  let startNanos = spans[0].startTimeUnixNano;
  for (const s of spans) if (s.startTimeUnixNano.length < startNanos.length || (s.startTimeUnixNano.length === startNanos.length && s.startTimeUnixNano < startNanos)) startNanos = s.startTimeUnixNano;
  const digest = digestTrace(traceId, spans);
  const window = traceWindow(startNanos, Math.max(...spans.map((s) => s.durationMs)));

  if (a.span_id !== undefined) {
    const s = spans.find((x) => x.spanId === a.span_id!.trim().toLowerCase());
    if (!s) return { text: `Span ${a.span_id} is not in trace ${traceId} (${spans.length} spans). get_trace with offset lists them.`, isError: true };
    const lines = [`span ${s.spanId} of trace ${traceId}: ${spanLine(s)}`,
      `kind ${s.kind}, status ${s.status.code}${s.status.message ? ` (${s.status.message})` : ''}, parent ${s.parentSpanId ?? 'none'}, started ${isoFromNanos(s.startTimeUnixNano)}`,
      `UI: ${traceLink(api.baseUrl, traceId, window, s.spanId)}`,
      `attributes: ${JSON.stringify(s.attributes)}`,
      `resource: ${JSON.stringify(s.resource)}`,
      `scope: ${s.scope.name}${s.scope.version ? ` ${s.scope.version}` : ''}`,
      `events (${s.events.length}):`, ...s.events.slice(0, 20).map((e) => `  ${isoFromNanos(e.timeUnixNano)} ${e.name} ${JSON.stringify(e.attributes)}`),
      ...(s.events.length > 20 ? [`  … ${s.events.length - 20} more events left out`] : []),
      `links (${s.links.length}): ${s.links.slice(0, 10).map((l) => `${l.traceId}/${l.spanId}`).join(', ')}${s.links.length > 10 ? ', …' : ''}`];
    return { text: lines.join('\n'), more: 'the rest of this span is in the UI link above' };
  }

  if (a.offset !== undefined) {
    const rows = spanPage(spans, a.offset, SPAN_PAGE);
    const next = a.offset + rows.length;
    const lines = [`trace ${traceId}: ${digest.headline}`,
      `spans ${a.offset}–${next - 1} of ${spans.length} (order of start; +offset from the trace start). UI: ${traceLink(api.baseUrl, traceId, window)}`,
      ...rows];
    if (rows.length === 0) lines.push(`(offset ${a.offset} is past the last span)`);
    if (next < spans.length) lines.push(`${spans.length - next} more spans: call again with offset=${next}. One span's attributes and events: span_id=….`);
    return { text: lines.join('\n'), more: `call again with offset=${a.offset + Math.floor(SPAN_PAGE / 2)}` };
  }

  const lines = [`trace ${traceId}: ${digest.headline}`, `UI: ${traceLink(api.baseUrl, traceId, window)}`, ...digest.sections,
    `Spans are not listed here: get_trace with offset=0 pages through them (${SPAN_PAGE} a page); span_id=… gives one span's attributes and events.`];
  return { text: lines.join('\n\n'), more: 'get_trace with offset=0 pages through the spans' };
}

export interface SearchLogsArgs {
  service?: string; severity?: string; q?: string; trace_id?: string; span_id?: string;
  since_seconds?: number; limit?: number; offset?: number;
}

export async function searchLogs(api: ApiClient, a: SearchLogsArgs): Promise<ToolText> {
  const limit = Math.min(a.limit ?? 30, MAX_LIST);
  const offset = a.offset ?? 0;
  const start = sinceStart(a.since_seconds);
  const { logs } = (await api.get<{ logs: LogRecord[] }>('/api/logs', {
    service: a.service, severity: a.severity, q: a.q, trace_id: a.trace_id, span_id: a.span_id, start, limit: Math.min(1000, offset + limit + 1),
  })).body;
  const page = logs.slice(offset, offset + limit);
  const more = logs.length > offset + limit;
  const link = listLink(api.baseUrl, 'logs', { service: a.service, severity: a.severity, q: a.q, trace_id: a.trace_id, start });
  if (page.length === 0) return { text: `No logs match${offset ? ` past offset ${offset}` : ''}. UI: ${link}` };
  const lines = [`${page.length} log${page.length === 1 ? '' : 's'} (newest first; ${offset + 1}–${offset + page.length}${more ? ', more exist' : ''}; bodies cut at 300 characters). UI: ${link}`,
    ...page.map((l) => `- ${logLine(l, 300)}`)];
  if (more) lines.push(`More logs: call again with offset=${offset + limit}.`);
  return { text: lines.join('\n'), more: `call again with offset=${offset + page.length} or a smaller limit` };
}

export interface GetMetricArgs { name?: string; since_seconds?: number }

function pointValue(p: Record<string, unknown>): string {
  if (p.value !== undefined) return String(p.value);
  if (p.count !== undefined) return `count ${p.count}${p.sum !== undefined ? ` sum ${p.sum}` : ''}`;
  return '?';
}

export async function getMetric(api: ApiClient, a: GetMetricArgs): Promise<ToolText> {
  if (a.name === undefined || a.name === '') {
    const { metrics } = (await api.get<{ metrics: MetricSummary[] }>('/api/metrics')).body;
    const lines = [`${metrics.length} metric${metrics.length === 1 ? '' : 's'} (by name). UI: ${listLink(api.baseUrl, 'metrics')}`,
      ...metrics.slice(0, 150).map((m) => `- ${m.name} (${m.type}${m.unit ? `, ${m.unit}` : ''}): ${m.seriesCount} series, services ${m.services.slice(0, 5).join(', ')}${m.services.length > 5 ? ', …' : ''}; last ${m.lastValue ?? '-'}`)];
    if (metrics.length > 150) lines.push(`… ${metrics.length - 150} more metrics left out.`);
    lines.push('Next: get_metric with name=… for its series and recent points.');
    return { text: lines.join('\n') };
  }
  const start = sinceStart(a.since_seconds);
  const res = await api.get<MetricSeriesSet>(`/api/metrics/${encodeURIComponent(a.name)}`, { start });
  if (res.status === 404) return { text: `Metric ${a.name} not found. get_metric without a name lists the metrics.`, isError: true };
  const m = res.body;
  const lines = [`metric ${m.name}: ${m.type}${m.unit ? `, unit ${m.unit}` : ''}${m.temporality ? `, ${m.temporality}` : ''}; ${m.series.length} series${start ? ` with points in the last ${a.since_seconds} s` : ''}. ${m.description ? cut(m.description, 200) : ''}`,
    `UI: ${metricLink(api.baseUrl, m.name, { start })}`];
  for (const s of m.series.slice(0, 30)) {
    const nums = s.points.map((p) => (typeof p.value === 'number' ? p.value : typeof p.count === 'number' ? p.count : NaN)).filter(Number.isFinite);
    const last = s.points[s.points.length - 1];
    const stats = nums.length ? `min ${Math.min(...nums)} max ${Math.max(...nums)}` : '';
    const recent = s.points.slice(-5).map((p) => `${new Date(p.timestamp * 1000).toISOString().slice(11, 19)}=${pointValue(p as never)}`).join(' ');
    lines.push(`- ${s.service} ${JSON.stringify(s.labels)}: ${s.points.length} points, last ${last ? pointValue(last as never) : '-'} ${stats}; recent ${recent}`);
  }
  if (m.series.length > 30) lines.push(`… ${m.series.length - 30} more series left out (the UI shows them all).`);
  return { text: lines.join('\n') };
}

export interface WaitForArgs {
  signal?: 'traces' | 'logs'; service?: string; name?: string; status?: string; attr?: string[]; q?: string; severity?: string;
  trace_id?: string; min_duration_ms?: number; min_count?: number; timeout_ms?: number; since?: number;
}

export async function waitFor(api: ApiClient, a: WaitForArgs): Promise<ToolText> {
  const signal = a.signal ?? 'traces';
  const timeout = Math.min(a.timeout_ms ?? 10_000, 60_000);
  const r = await api.get<any>('/api/wait', {
    signal, service: a.service, name: a.name, status: a.status, attr: a.attr, q: a.q, severity: a.severity, trace_id: a.trace_id,
    min_duration_ms: a.min_duration_ms, min_count: a.min_count, since: a.since, timeout_ms: timeout,
  });
  const b = r.body;
  const window = { start: a.since ?? Math.round(Date.now() / 1000 - timeout / 1000 - 1) };
  const link = signal === 'traces'
    ? listLink(api.baseUrl, 'traces', { service: a.service, name: a.name, status: a.status, start: window.start })
    : listLink(api.baseUrl, 'logs', { service: a.service, severity: a.severity, q: a.q, trace_id: a.trace_id, start: window.start });
  if (b.matched) {
    const items: any[] = b[signal];
    const lines = [`matched: ${b.count} ${signal} (newest first). UI: ${link}`,
      ...items.slice(0, 20).map((x) => signal === 'traces'
        ? `- ${traceLine(x)}  ${traceLink(api.baseUrl, x.traceId, traceWindow(x.startTimeUnixNano, x.durationMs))}` : `- ${logLine(x, 200)}`)];
    if (items.length > 20) lines.push(`… ${items.length - 20} more left out; search_${signal} lists them.`);
    if (signal === 'traces') lines.push('Next: get_trace with a traceId.');
    return { text: lines.join('\n') };
  }
  const lines = [`no match within ${timeout} ms: ${b.count} of ${a.min_count ?? 1} wanted; ${b.received ?? '?'} ${signal} arrived in the window. UI: ${link}`,
    b.nearMisses.length ? 'near misses (closest first):' : 'near misses: none (nothing close arrived; is the code under test exporting to this TinyOlly?)',
    ...b.nearMisses.map((m: any) => `- ${m.traceId ?? m.id}: ${m.why}`)];
  return { text: lines.join('\n') };
}

export async function doctor(api: ApiClient, a: { service?: string }): Promise<ToolText> {
  const r = await api.get<any>('/api/doctor', { service: a.service });
  if (r.status === 404 && missingRoute(r.body)) return noRoute('/api/doctor', '§9');
  const findings: any[] = r.body.findings ?? [];
  if (findings.length === 0) return { text: `doctor: no findings: the instrumentation looks healthy. UI: ${listLink(api.baseUrl, 'services')}` };
  const lines = [`doctor: ${findings.length} finding${findings.length === 1 ? '' : 's'} (most severe first).`];
  for (const f of findings.slice(0, 30)) {
    lines.push(`- [${f.severity}] ${f.rule}: ${f.title} (${f.count}×; ${(f.services ?? []).slice(0, 5).join(', ')})${f.hint ? `\n    hint: ${cut(String(f.hint), 300)}` : ''}` +
      ((f.examples ?? []).length ? `\n    e.g. ${(f.examples as any[]).slice(0, 2).map((e) => e.traceId ? traceLink(api.baseUrl, e.traceId, undefined, e.spanId) : `log ${e.logId}`).join(' ')}` : ''));
  }
  if (findings.length > 30) lines.push(`… ${findings.length - 30} more findings left out; pass service=… to narrow.`);
  return { text: lines.join('\n') };
}

export async function ingestStatus(api: ApiClient): Promise<ToolText> {
  const r = await api.get<any>('/api/ingest/summary');
  if (r.status === 404 && missingRoute(r.body)) return noRoute('/api/ingest/summary', '§8');
  const services: any[] = r.body.services ?? [];
  const d = r.body.dropped ?? {};
  const lines = [`UI: ${listLink(api.baseUrl, 'services')}`, `ingest: ${services.length} sender service${services.length === 1 ? '' : 's'}; dropped: evicted ${d.evicted ?? 0}, expired ${d.expired ?? 0}, rejected ${d.rejected ?? 0}, refused requests ${d.refusedRequests ?? 0}.`];
  for (const s of services.slice(0, 40)) {
    const sig = Object.entries(s.signals ?? {}).map(([k, v]: [string, any]) => `${k} ${v.accepted} accepted${v.rejected ? `/${v.rejected} rejected` : ''} in ${v.requests} requests`).join('; ');
    lines.push(`- ${s.name}: ${sig}${(s.sdks ?? []).length ? `; sdk ${JSON.stringify(s.sdks).slice(0, 120)}` : ''}`);
  }
  const refused = await api.get<any>('/api/ingest/requests', { result: 'refused', limit: 10 });
  if (refused.status === 200 && (refused.body.requests ?? []).length) {
    lines.push('recent refused requests:');
    for (const q of refused.body.requests) lines.push(`- ${q.transport} ${q.path ?? ''} ${q.status}: ${cut(String(q.reason ?? ''), 150)}${q.hint ? ` (hint: ${cut(String(q.hint), 150)})` : ''}`);
  }
  return { text: lines.join('\n') };
}

export async function compareTraces(api: ApiClient, a: { a?: string; b?: string; root?: string; service?: string }): Promise<ToolText> {
  const r = await api.get<any>('/api/compare', { a: a.a, b: a.b, root: a.root, service: a.service });
  if (r.status === 404 && missingRoute(r.body)) return noRoute('/api/compare', '§12');
  if (r.status >= 400) return { text: `compare: ${r.body.error ?? `HTTP ${r.status}`}`, isError: true };
  const nodes: any[] = r.body.nodes ?? [];
  const findings: any[] = r.body.findings ?? [];
  const changed = nodes.filter((n) => n.status !== 'same').sort((x, y) => Math.abs(y.deltaMs ?? 0) - Math.abs(x.deltaMs ?? 0));
  const lines = [`compare: ${nodes.length} aligned nodes, ${changed.length} differ; ${findings.length} finding${findings.length === 1 ? '' : 's'}.`,
    ...findings.slice(0, 20).map((f) => `- ${f.kind}: ${(f.path ?? []).join(' › ')}: ${cut(String(f.detail ?? ''), 200)}`),
    changed.length ? 'largest differences:' : '',
    ...changed.slice(0, 30).map((n) => `- ${n.status} ${(n.path ?? []).join(' › ')}: count ${n.countA}→${n.countB}, ${n.durationMsA ?? '-'}→${n.durationMsB ?? '-'} ms${n.errorB && !n.errorA ? ', new error' : ''}`)];
  if (a.a && a.b) lines.push(`UI: ${traceLink(api.baseUrl, a.a)} vs ${traceLink(api.baseUrl, a.b)}`);
  return { text: lines.filter(Boolean).join('\n') };
}
