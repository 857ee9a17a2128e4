/**
 * @module ui/api: the only module that fetches. One function per query route of CONTRACT §4;
 * every call takes an AbortSignal and rejects with ApiError on a non-2xx answer.
 */
import type {
  Backlink, CompareAnswer, CompareParams, LogQueryParams, LogRecord, MetricSeriesSet, MetricSummary, OperationStats, Page, ServiceMap, ServiceStats,
  Span, Stats, TraceDoc, TraceQueryParams, TraceSummary,
} from './api-types.js';

/** A failed API call: `status` is the HTTP status (0 for a network failure). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

type Params = Record<string, string | number | boolean | undefined | null>;

function query(params: Params = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `?${s}` : '';
}

async function getJson<T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    const q = query(params);
    res = await fetch(q && path.includes('?') ? `${path}&${q.slice(1)}` : path + q, { signal, headers: { accept: 'application/json' }, credentials: 'same-origin' });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'TinyOlly is not reachable');
  }
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try { const body = await res.json(); if (body && typeof body.error === 'string') msg = body.error; } catch { /* not JSON */ }
    throw new ApiError(res.status, msg);
  }
  return (await res.json()) as T;
}

const enc = encodeURIComponent;

/** DELETE /api/data: removes everything this instance stored. */
export async function clearData(): Promise<void> {
  let res: Response;
  try { res = await fetch('/api/data', { method: 'DELETE', credentials: 'same-origin' }); } catch { throw new ApiError(0, 'TinyOlly is not reachable'); }
  if (!res.ok) throw new ApiError(res.status, `clearing failed: ${res.status}`);
}

/** GET /api/stats. */
export const getStats = (signal?: AbortSignal): Promise<Stats> => getJson('/api/stats', undefined, signal);

/** GET /api/traces (newest first unless sorted otherwise): the first page's traces. */
export async function listTraces(params: TraceQueryParams, signal?: AbortSignal): Promise<TraceSummary[]> {
  return (await listTracesPage(params, signal)).items;
}

/** GET /api/traces, one page (pass `cursor` for the next). */
export async function listTracesPage(params: TraceQueryParams, signal?: AbortSignal): Promise<Page<TraceSummary>> {
  const r = await getJson<{ traces: TraceSummary[]; nextCursor?: string | null; searchLimited?: boolean }>('/api/traces', params as Params, signal);
  return { items: r.traces ?? [], nextCursor: r.nextCursor ?? null, ...(r.searchLimited === true ? { searchLimited: true } : {}) };
}

/** GET /api/trace-ids: stored trace ids starting with an 8+ hex digit prefix (at most 20). */
export async function findTraceIds(prefix: string, signal?: AbortSignal): Promise<string[]> {
  return (await getJson<{ traceIds: string[] }>('/api/trace-ids', { prefix }, signal)).traceIds ?? [];
}

/** GET /api/traces/{id}: spans by start time; undefined for an unknown trace (404). */
export async function getTrace(traceId: string, signal?: AbortSignal): Promise<Span[] | undefined> {
  try {
    return (await getJson<{ spans: Span[] }>(`/api/traces/${enc(traceId)}`, undefined, signal)).spans ?? [];
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** GET /api/traces/{id} with its flags (`incomplete`); undefined for an unknown trace (404). */
export async function getTraceDoc(traceId: string, signal?: AbortSignal): Promise<TraceDoc | undefined> {
  try {
    const d = await getJson<TraceDoc>(`/api/traces/${enc(traceId)}`, undefined, signal);
    return { ...d, spans: d.spans ?? [] };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** GET /api/traces/{id}/backlinks. */
export async function getBacklinks(traceId: string, signal?: AbortSignal): Promise<Backlink[]> {
  return (await getJson<{ backlinks: Backlink[] }>(`/api/traces/${enc(traceId)}/backlinks`, undefined, signal)).backlinks ?? [];
}

/** GET /api/logs (newest first): the first page's records. */
export async function listLogs(params: LogQueryParams, signal?: AbortSignal): Promise<LogRecord[]> {
  return (await listLogsPage(params, signal)).items;
}

/** GET /api/attributes (CONTRACT §7): attribute keys seen, most frequent first. */
export async function listAttributeKeys(params: { signal?: string; service?: string; prefix?: string }, signal?: AbortSignal): Promise<{ key: string; count: number }[]> {
  return (await getJson<{ keys: { key: string; count: number }[] }>('/api/attributes', params, signal)).keys ?? [];
}

/** GET /api/attributes/{key}/values (CONTRACT §7): values seen for one key, most frequent first. */
export async function listAttributeValues(key: string, params: { signal?: string; service?: string; prefix?: string }, signal?: AbortSignal): Promise<{ value: string; count: number }[]> {
  return (await getJson<{ values: { value: string; count: number }[] }>(`/api/attributes/${enc(key)}/values`, params, signal)).values ?? [];
}

/** GET /api/logs, one page (pass `cursor` for the next). */
export async function listLogsPage(params: LogQueryParams, signal?: AbortSignal): Promise<Page<LogRecord>> {
  const r = await getJson<{ logs: LogRecord[]; nextCursor?: string | null; searchLimited?: boolean }>('/api/logs', params as Params, signal);
  return { items: r.logs ?? [], nextCursor: r.nextCursor ?? null, ...(r.searchLimited === true ? { searchLimited: true } : {}) };
}

/** GET /api/metrics, following nextCursor (pages of 1000 names, CONTRACT §7) up to `maxPages`. */
export async function listMetrics(signal?: AbortSignal, maxPages = 10): Promise<MetricSummary[]> {
  const out: MetricSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const r = await getJson<{ metrics: MetricSummary[]; nextCursor?: string | null }>('/api/metrics', { limit: 1000, cursor }, signal);
    out.push(...(r.metrics ?? []));
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  return out;
}

/**
 * The request path and parameters that read one metric. A browser resolves the path segments `.` and
 * `..` (even spelled `%2E`) before sending, and an empty segment names no metric, so those names go
 * as the `name` parameter of GET /api/metric; every other name is the path segment of
 * GET /api/metrics/{name}.
 */
export function metricRequest(name: string, range: { start?: number; end?: number } = {}): { path: string; params: Params } {
  if (name === '' || name === '.' || name === '..') return { path: `/api/metric?name=${enc(name)}`, params: range };
  return { path: `/api/metrics/${enc(name)}`, params: range };
}

/** GET /api/metrics/{name}; undefined for an unknown metric (404). */
export async function getMetric(name: string, range: { start?: number; end?: number }, signal?: AbortSignal): Promise<MetricSeriesSet | undefined> {
  try {
    const { path, params } = metricRequest(name, range);
    return await getJson<MetricSeriesSet>(path, params, signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** GET /api/compare (CONTRACT §12): two traces, or two windows of one root operation. */
export const getCompare = (params: CompareParams, signal?: AbortSignal): Promise<CompareAnswer> =>
  getJson('/api/compare', params as Params, signal);

/** GET /api/services. */
export async function listServices(signal?: AbortSignal): Promise<ServiceStats[]> {
  return (await getJson<{ services: ServiceStats[] }>('/api/services', undefined, signal)).services ?? [];
}

/** GET /api/services/{name}/operations (busiest first); [] for an unknown service (404). */
export async function listOperations(service: string, signal?: AbortSignal): Promise<OperationStats[]> {
  try {
    return (await getJson<{ operations: OperationStats[] }>(`/api/services/${enc(service)}/operations`, undefined, signal)).operations ?? [];
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return [];
    throw err;
  }
}

/** GET /api/service-map. */
export async function getServiceMap(signal?: AbortSignal): Promise<ServiceMap> {
  const m = await getJson<ServiceMap>('/api/service-map', undefined, signal);
  return { nodes: m.nodes ?? [], edges: m.edges ?? [] };
}

/** The URL of GET /api/export (CONTRACT §11) for a download link; the session cookie authorises it. */
export function exportUrl(params: Params): string {
  return `/api/export${query(params)}`;
}

/** GET /api/export as text (the trace's OTLP JSON for "Copy for AI"). */
export async function exportText(params: Params, signal?: AbortSignal): Promise<string> {
  const res = await fetch(exportUrl(params), { signal, credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, `export failed: ${res.status}`);
  return res.text();
}

/** The answer of POST /api/import. */
export interface ImportAnswer {
  imported?: { spans: number; logs: number; points: number };
  rejected?: { spans: number; logs: number; points: number };
  errors?: { line: number | null; message: string }[];
  errorsOmitted?: number;
  error?: string;
}

/**
 * POST /api/import of a file (XMLHttpRequest, for upload progress events). `signal` is the OTLP
 * signal of a protobuf file. Resolves with the answer and its status; rejects on a network failure.
 */
export function importFile(file: Blob, opts: { protobufSignal?: string; onProgress?: (loaded: number, total: number) => void }): Promise<{ status: number; answer: ImportAnswer }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/import');
    xhr.withCredentials = true;
    if (opts.protobufSignal) {
      xhr.setRequestHeader('content-type', 'application/x-protobuf');
      xhr.setRequestHeader('x-otlp-signal', opts.protobufSignal);
    } else xhr.setRequestHeader('content-type', 'application/x-ndjson');
    xhr.upload.addEventListener('progress', (e) => opts.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.addEventListener('load', () => {
      let answer: ImportAnswer;
      try { answer = JSON.parse(xhr.responseText) as ImportAnswer; } catch { answer = { error: `${xhr.status} ${xhr.statusText}` }; }
      resolve({ status: xhr.status, answer });
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'TinyOlly is not reachable')));
    xhr.send(file);
  });
}

/** GET /api/doctor (CONTRACT §9): the instrumentation doctor's findings, most severe first. */
export const getDoctor = (service?: string, signal?: AbortSignal, disable: readonly string[] = []): Promise<DoctorReport> =>
  getJson('/api/doctor', { service, disable: disable.join(',') }, signal);

export interface DoctorReport {
  findings: { rule: string; severity: 'error' | 'warning' | 'info'; title: string; count: number; firstSeen: number; lastSeen: number; services: string[]; examples: ({ traceId: string; spanId: string; attribute?: string } | { logId: string })[]; hint: string }[];
  rules: { rule: string; severity: string; title: string; enabled: boolean }[];
}

/** One record of GET /api/ingest/requests (CONTRACT §8). */
export interface IngestRequest {
  id: string; timestamp: number; transport: 'grpc' | 'http'; port: number; path: string; signal: string | null; encoding: string | null;
  compression: string | null; bytes: number | null; inflatedBytes: number | null; peer: string | null; userAgent: string | null;
  sdk: { name: string; language: string; version: string } | null; services: string[]; accepted: number; rejected: number;
  result: 'ok' | 'partial' | 'refused'; status: number | string; reason: string | null; hint: string | null; durationMs: number;
}

/** GET /api/ingest/summary. */
export interface IngestSummary {
  services: { name: string; signals: Partial<Record<'traces' | 'logs' | 'metrics', { lastSeen: number; requests: number; accepted: number; rejected: number }>>; sdks: string[] }[];
  dropped: { evicted: number; expired: number; rejected: number; refusedRequests: number };
}

/** GET /api/ingest/requests, newest first. */
export async function getIngestRequests(params: { limit?: number; result?: string; signal?: string; service?: string }, signal?: AbortSignal): Promise<IngestRequest[]> {
  return (await getJson<{ requests: IngestRequest[] }>('/api/ingest/requests', params, signal)).requests;
}

/** GET /api/ingest/summary. */
export const getIngestSummary = (signal?: AbortSignal): Promise<IngestSummary> => getJson('/api/ingest/summary', undefined, signal);
