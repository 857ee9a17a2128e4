/**
 * @module ui/lib/list-query: a list page's filters ↔ its hash route query, so a reload, a bookmark
 * or a shared link restores the same view (issue 14). Defaults are left out of the URL. Pure.
 */

/** The trace list's filters (as the filter bar holds them: text). */
export interface TraceFilters {
  service: string; name: string; minMs: string; maxMs: string; errorsOnly: boolean; attr: string;
  sort: 'start' | 'duration'; order: 'asc' | 'desc';
}

export const DEFAULT_TRACE_FILTERS: Readonly<TraceFilters> = Object.freeze({
  service: '', name: '', minMs: '', maxMs: '', errorsOnly: false, attr: '', sort: 'start', order: 'desc',
});

const TRACE_KEYS = ['service', 'name', 'min_ms', 'max_ms', 'status', 'attr', 'sort', 'order'] as const;

/** Whether a route query names any trace-list filter (then it replaces the remembered filters). */
export function hasTraceFilters(q: Record<string, string>): boolean {
  return TRACE_KEYS.some((k) => q[k] !== undefined);
}

/** Trace filters from a route query; what it leaves out is the default. Unknown values fall back too. */
export function traceFiltersOf(q: Record<string, string>): TraceFilters {
  const num = (v: string | undefined): string => (v !== undefined && /^\d+(\.\d+)?$/.test(v) ? v : '');
  return {
    service: q.service ?? '', name: q.name ?? '', minMs: num(q.min_ms), maxMs: num(q.max_ms),
    errorsOnly: q.status === 'error', attr: q.attr ?? '',
    sort: q.sort === 'duration' ? 'duration' : 'start', order: q.order === 'asc' ? 'asc' : 'desc',
  };
}

/** The route query of trace filters (defaults left out). */
export function traceQueryOf(f: TraceFilters): Record<string, string | undefined> {
  return {
    service: f.service || undefined, name: f.name || undefined, min_ms: f.minMs || undefined, max_ms: f.maxMs || undefined,
    status: f.errorsOnly ? 'error' : undefined, attr: f.attr || undefined,
    sort: f.sort !== 'start' ? f.sort : undefined, order: f.order !== 'desc' ? f.order : undefined,
  };
}

/** The log list's filters. */
export interface LogFilters { severity: string; service: string; q: string; traceId: string }

const SEVERITIES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** Whether a route query names any log-list filter. */
export function hasLogFilters(q: Record<string, string>): boolean {
  return ['severity', 'service', 'q', 'trace_id'].some((k) => q[k] !== undefined);
}

/** Log filters from a route query. */
export function logFiltersOf(q: Record<string, string>): LogFilters {
  const sev = (q.severity ?? '').toUpperCase();
  return { severity: SEVERITIES.includes(sev) ? sev : '', service: q.service ?? '', q: q.q ?? '', traceId: q.trace_id ?? '' };
}

/** The route query of log filters. */
export function logQueryOf(f: LogFilters): Record<string, string | undefined> {
  return { severity: f.severity || undefined, service: f.service || undefined, q: f.q || undefined, trace_id: f.traceId || undefined };
}

/** A relative time range a link may name (`?range=15m`); custom ranges travel as start/end. */
export function rangeOf(q: Record<string, string>): '5m' | '15m' | '60m' | 'all' | undefined {
  const r = q.range;
  return r === '5m' || r === '15m' || r === '60m' || r === 'all' ? r : undefined;
}
