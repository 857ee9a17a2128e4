/**
 * @module cli/args: what the client subcommands (wait, assert, mcp) share: their node:util parseArgs
 * options (the filters of CONTRACT §4/§10, --url, --json), durations ("10s", "500ms", "2m"), `--since`
 * (unix seconds or a duration ago) and the query string built from the filters.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const DEFAULT_URL = 'http://127.0.0.1:5002';

/** A usage error: the subcommand prints it and exits 2. */
export class UsageError extends Error {}

/** Options every client subcommand takes. */
export const COMMON_OPTIONS = {
  url: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** The filters of the list routes and /api/wait. */
export const FILTER_OPTIONS = {
  signal: { type: 'string' },
  service: { type: 'string' },
  name: { type: 'string' },
  status: { type: 'string' },
  attr: { type: 'string', multiple: true },
  q: { type: 'string' },
  severity: { type: 'string' },
  'trace-id': { type: 'string' },
  'min-duration-ms': { type: 'string' },
  since: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const FILTERS_HELP = `Filters:
  --signal traces|logs     what to look for (default traces)
  --service NAME           traces: any span of this service; logs: the record's service
  --name TEXT              traces: a span name contains TEXT (case-insensitive)
  --status error|ok|unset  traces: the trace's status
  --attr KEY=VALUE         a span/resource (or log) attribute; repeat for several
  --min-duration-ms N      traces: at least this long
  --q TEXT                 logs: the body contains TEXT
  --severity LEVEL         logs: at least TRACE|DEBUG|INFO|WARN|ERROR|FATAL
  --trace-id ID            logs: of this trace
  --since WHEN             only what was received after WHEN: unix seconds, or a duration ago (30s, 5m)
Common:
  --url URL                the TinyOlly UI/API address (default ${DEFAULT_URL})
  --json                   print the answer as JSON
  TINYOLLY_UI_TOKEN        sent as a Bearer token when set`;

/** Parses argv with the given options; unknown flags and stray arguments are usage errors. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** "10s", "500ms", "2m", "1.5" (seconds) → milliseconds. */
export function parseDurationMs(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) throw new UsageError(`${flag} must be a duration such as 10s, 500ms or 2m`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

/** `--since`: unix seconds (any number ≥ 10^8), or a duration ago; undefined when not given. */
export function parseSince(s: string | undefined, nowMs: number): number | undefined {
  if (s === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(s) && Number(s) >= 1e8) return Number(s);
  if (s === '0') return 0;
  return (nowMs - parseDurationMs(s, '--since')) / 1000;
}

export function parseCount(s: string | undefined, flag: string, fallback: number): number {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`${flag} must be an integer in 1..1000`);
  return n;
}

export function parseNumber(s: string | undefined, flag: string): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a non-negative number`);
  return n;
}

export type Filters = Partial<Record<keyof typeof FILTER_OPTIONS, string | string[] | undefined>>;

/** The filters as API query parameters (CONTRACT spelling); `since` is resolved to unix seconds. */
export function filterParams(v: Filters, nowMs: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const put = (k: string, x: string | string[] | undefined) => { if (x !== undefined && x !== '') out[k] = x; };
  const signal = (v.signal as string | undefined) ?? 'traces';
  if (signal !== 'traces' && signal !== 'logs') throw new UsageError('--signal must be traces or logs');
  put('signal', signal);
  put('service', v.service);
  put('name', v.name);
  put('status', v.status);
  put('attr', v.attr);
  put('q', v.q);
  put('severity', v.severity);
  put('trace_id', v['trace-id']);
  const minDuration = parseNumber(v['min-duration-ms'] as string | undefined, '--min-duration-ms');
  if (minDuration !== undefined) out.min_duration_ms = String(minDuration);
  const since = parseSince(v.since as string | undefined, nowMs);
  if (since !== undefined) out.since = String(since);
  return out;
}

/** "service=checkout name=pay" (for messages); "(no filter)" when empty. */
export function describeFilters(p: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (k === 'signal' || k === 'since') continue;
    for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k}=${x}`);
  }
  return parts.length ? parts.join(' ') : '(no filter)';
}
