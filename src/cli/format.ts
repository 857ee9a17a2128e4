/**
 * @module cli/format: one-line text forms of API answers for people and agents (a trace summary, a
 * log record), shared by the CLI subcommands and the MCP tools. Pure.
 */
import type { LogRecord, TraceSummary } from '../model/model.js';

/** Milliseconds as people read them: 0.42 ms, 12.3 ms, 1.25 s. */
export function ms(n: number): string {
  if (n >= 1000) return `${(n / 1000).toFixed(n >= 10_000 ? 1 : 2)} s`;
  if (n >= 10) return `${Math.round(n * 10) / 10} ms`;
  return `${Math.round(n * 100) / 100} ms`;
}

/** Nanosecond decimal string → ISO time (millisecond precision). */
export function isoFromNanos(nanos: string): string {
  const msSinceEpoch = nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
  const d = new Date(msSinceEpoch);
  return Number.isNaN(d.getTime()) ? nanos : d.toISOString();
}

export function cut(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

/** "0af7…319c  checkout: POST /checkout  123 ms  5 spans  1 error  2026-…Z" */
export function traceLine(t: TraceSummary): string {
  const errors = t.errorCount ? `  ${t.errorCount} error${t.errorCount === 1 ? '' : 's'}` : '';
  return `${t.traceId}  ${t.rootService}: ${cut(t.rootName, 80)}  ${ms(t.durationMs)}  ${t.spanCount} span${t.spanCount === 1 ? '' : 's'}${errors}  ${isoFromNanos(t.startTimeUnixNano)}`;
}

/** "2026-…Z ERROR checkout: payment failed  trace 0af7…" */
export function logLine(l: LogRecord, bodyMax = 200): string {
  const body = typeof l.body === 'string' ? l.body : JSON.stringify(l.body);
  const when = new Date(l.timestamp * 1000);
  const at = Number.isNaN(when.getTime()) ? String(l.timestamp) : when.toISOString();
  return `${at} ${l.severityText || '-'} ${l.service}: ${cut(body ?? '', bodyMax)}${l.traceId ? `  trace ${l.traceId}` : ''}  id ${l.id}`;
}
