/**
 * @module cli/mcp/links: deep links into the TinyOlly UI (its hash routes, ui/src/lib/route.ts) that
 * keep the time window: `start`/`end` (unix seconds) ride along in the hash query. The UI token is
 * never put in a link.
 */

function hash(base: string, path: string, query: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `${base}/#/${path}${s ? `?${s}` : ''}`;
}

const round = (s: number) => Math.round(s * 1000) / 1000;

/** A window around a trace: from a second before its start to a second after its end. */
export function traceWindow(startNanos: string, durationMs: number): { start: number; end: number } {
  const startS = Number(startNanos.length > 6 ? startNanos.slice(0, -6) : '0') / 1000;
  return { start: round(startS - 1), end: round(startS + durationMs / 1000 + 1) };
}

export function traceLink(base: string, traceId: string, window?: { start?: number; end?: number }, spanId?: string): string {
  return hash(base, `traces/${encodeURIComponent(traceId)}`, { span: spanId, start: window?.start, end: window?.end });
}

export function listLink(base: string, view: 'traces' | 'logs' | 'metrics' | 'services' | 'service-map', query: Record<string, string | number | undefined> = {}): string {
  return hash(base, view, query);
}

export function metricLink(base: string, name: string, window?: { start?: number; end?: number }): string {
  return hash(base, `metrics/${encodeURIComponent(name)}`, { start: window?.start, end: window?.end });
}
