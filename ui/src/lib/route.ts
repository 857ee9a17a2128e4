/**
 * @module ui/lib/route: parses and builds the hash routes (#/traces, #/traces/{id}, #/logs?trace_id=…,
 * #/metrics/{name}, #/services, #/service-map, #/compare?a=&b=). Pure.
 */

export type ViewName = 'traces' | 'trace' | 'logs' | 'metrics' | 'metric' | 'services' | 'service-map' | 'ingest' | 'doctor' | 'compare';

export interface Route {
  view: ViewName;
  /** The trace id or metric name for detail views, decoded. */
  param?: string;
  query: Record<string, string>;
}

const LISTS: Record<string, ViewName> = {
  traces: 'traces', logs: 'logs', metrics: 'metrics', services: 'services', 'service-map': 'service-map', ingest: 'ingest', doctor: 'doctor', compare: 'compare',
};

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** `#/traces/abc?x=1` → {view:'trace', param:'abc', query:{x:'1'}}; anything unknown → the traces list. */
export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const qi = h.indexOf('?');
  const path = qi >= 0 ? h.slice(0, qi) : h;
  const query: Record<string, string> = {};
  if (qi >= 0) for (const [k, v] of new URLSearchParams(h.slice(qi + 1))) query[k] = v;
  const slash = path.indexOf('/');
  const head = slash >= 0 ? path.slice(0, slash) : path;
  const rest = slash >= 0 ? safeDecode(path.slice(slash + 1)) : '';
  if (head === 'traces' && rest) return { view: 'trace', param: rest, query };
  if (head === 'metrics' && rest) return { view: 'metric', param: rest, query };
  return { view: LISTS[head] ?? 'traces', query };
}

/** Builds a hash for a route; parseRoute(buildHash(r)) gives r back. */
export function buildHash(view: ViewName, param?: string, query: Record<string, string | undefined> = {}): string {
  const base = view === 'trace' ? `traces/${encodeURIComponent(param ?? '')}`
    : view === 'metric' ? `metrics/${encodeURIComponent(param ?? '')}` : view;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, v);
  const s = qs.toString();
  return `#/${base}${s ? `?${s}` : ''}`;
}

/** Which top-level tab a view belongs to. */
export function tabOf(view: ViewName): 'traces' | 'logs' | 'metrics' | 'services' | 'service-map' | 'ingest' | 'doctor' {
  // The compare page (#/compare) belongs to the traces.
  return view === 'trace' || view === 'compare' ? 'traces' : view === 'metric' ? 'metrics' : view;
}

/**
 * The time window a deep link carries (`?start=&end=`, unix seconds, as the MCP server's links
 * write them), or undefined when the link has none. Values that are not plain decimal numbers
 * are ignored; an end before the start drops the end.
 */
export function windowOf(query: Record<string, string>): { start?: number; end?: number } | undefined {
  const num = (v: string | undefined): number | undefined =>
    v !== undefined && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
  const start = num(query.start);
  let end = num(query.end);
  if (start === undefined && end === undefined) return undefined;
  if (start !== undefined && end !== undefined && end < start) end = undefined;
  return { start, end };
}
