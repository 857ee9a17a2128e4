/**
 * @module cli/assert: `tinyolly assert [filters…] [--count N] [--max-duration-ms N] [--no-errors]
 * [--no-error-logs]` (CONTRACT §10). Reads what is stored now (GET /api/traces or /api/logs, `--since`
 * as the start bound) and checks it; exits 0 when every check holds, 1 with what failed, readably.
 */
import type { LogRecord, Span, TraceSummary } from '../model/model.js';
import { COMMON_OPTIONS, DEFAULT_URL, FILTER_OPTIONS, FILTERS_HELP, UsageError, describeFilters, filterParams, parse, parseCount, parseNumber } from './args.js';
import { apiClient, type ApiClient } from './client.js';
import { cut, logLine, ms, traceLine } from './format.js';
import type { CliIo } from './run.js';

export const ASSERT_HELP = `Usage: tinyolly assert [filters…] [--count N] [--max-duration-ms N] [--no-errors] [--no-error-logs]

Checks the traces (or logs) stored now that match the filters; exits 0 when every check holds,
1 listing what failed, 2 on a usage or connection error. Run it after \`tinyolly wait\`.

  --count N                at least N must match (default 1)
  --max-duration-ms N      every matching trace took at most N ms
  --no-errors              no matching trace has a span with status ERROR
  --no-error-logs          no log at ERROR or above from the matching traces (and, with --service,
                           from that service) since --since
  (--since bounds the traces' start / the logs' timestamp here)
${FILTERS_HELP}
`;

interface Check {
  check: string;
  ok: boolean;
  message: string;
}

const SHOWN = 5;

async function errorSpans(client: ApiClient, traceId: string): Promise<string> {
  const res = await client.get<{ spans: Span[] }>(`/api/traces/${encodeURIComponent(traceId)}`);
  if (res.status !== 200) return '';
  const errs = res.body.spans.filter((s) => s.status.code === 'ERROR');
  return errs.slice(0, 3).map((s) => `${s.service}: ${cut(s.name, 60)}${s.status.message ? ` (${cut(s.status.message, 80)})` : ''}`).join('; ')
    + (errs.length > 3 ? `; +${errs.length - 3} more` : '');
}

export async function runAssert(argv: string[], io: CliIo): Promise<number> {
  const v = parse(argv, {
    ...COMMON_OPTIONS, ...FILTER_OPTIONS,
    count: { type: 'string' }, 'max-duration-ms': { type: 'string' }, 'no-errors': { type: 'boolean' }, 'no-error-logs': { type: 'boolean' },
  });
  if (v.help) { io.stdout(ASSERT_HELP); return 0; }
  const params = filterParams(v, Date.now());
  const minCount = parseCount(v.count, '--count', 1);
  const maxDurationMs = parseNumber(v['max-duration-ms'], '--max-duration-ms');
  const client = apiClient(v.url ?? DEFAULT_URL, io.env.TINYOLLY_UI_TOKEN);
  const { signal, since, ...filters } = params;
  const what = describeFilters(params);
  const checks: Check[] = [];
  let traces: TraceSummary[] = [];
  let logs: LogRecord[] = [];

  if (signal === 'logs') {
    if (maxDurationMs !== undefined || v['no-errors']) throw new UsageError('--max-duration-ms and --no-errors apply to traces');
    logs = (await client.get<{ logs: LogRecord[] }>('/api/logs', { ...filters, start: since as string | undefined, limit: 1000 })).body.logs;
    checks.push({ check: 'count', ok: logs.length >= minCount, message: `${logs.length} log${logs.length === 1 ? '' : 's'} matching ${what} (wanted at least ${minCount})` });
  } else {
    if (Array.isArray(filters.attr) && filters.attr.length > 1) throw new UsageError('assert takes one --attr (GET /api/traces filters by one attribute)');
    const attr = Array.isArray(filters.attr) ? filters.attr[0] : filters.attr;
    traces = (await client.get<{ traces: TraceSummary[] }>('/api/traces', { ...filters, attr, start: since as string | undefined, limit: 1000 })).body.traces;
    checks.push({ check: 'count', ok: traces.length >= minCount, message: `${traces.length} trace${traces.length === 1 ? '' : 's'} matching ${what} (wanted at least ${minCount})` });
    if (maxDurationMs !== undefined) {
      const slow = traces.filter((t) => t.durationMs > maxDurationMs);
      checks.push({
        check: 'max-duration-ms', ok: slow.length === 0,
        message: slow.length === 0 ? `all took at most ${maxDurationMs} ms (slowest ${ms(Math.max(0, ...traces.map((t) => t.durationMs)))})`
          : `${slow.length} of ${traces.length} took longer than ${maxDurationMs} ms:\n${slow.slice(0, SHOWN).map((t) => `      ${traceLine(t)}`).join('\n')}${slow.length > SHOWN ? `\n      … and ${slow.length - SHOWN} more` : ''}`,
      });
    }
    if (v['no-errors']) {
      const bad = traces.filter((t) => t.errorCount > 0);
      const lines: string[] = [];
      for (const t of bad.slice(0, SHOWN)) lines.push(`      ${traceLine(t)}\n        error spans: ${await errorSpans(client, t.traceId)}`);
      checks.push({
        check: 'no-errors', ok: bad.length === 0,
        message: bad.length === 0 ? 'no error spans' : `${bad.length} of ${traces.length} have error spans:\n${lines.join('\n')}${bad.length > SHOWN ? `\n      … and ${bad.length - SHOWN} more` : ''}`,
      });
    }
  }
  if (v['no-error-logs']) {
    const ids = new Set(traces.map((t) => t.traceId));
    const errorLogs = (await client.get<{ logs: LogRecord[] }>('/api/logs', { severity: 'ERROR', service: filters.service as string | undefined, start: since as string | undefined, limit: 1000 })).body.logs
      .filter((l) => signal === 'logs' || filters.service !== undefined || (l.traceId !== null && ids.has(l.traceId)));
    checks.push({
      check: 'no-error-logs', ok: errorLogs.length === 0,
      message: errorLogs.length === 0 ? 'no error logs' : `${errorLogs.length} error log${errorLogs.length === 1 ? '' : 's'}:\n${errorLogs.slice(0, SHOWN).map((l) => `      ${logLine(l, 120)}`).join('\n')}${errorLogs.length > SHOWN ? `\n      … and ${errorLogs.length - SHOWN} more` : ''}`,
    });
  }

  const ok = checks.every((c) => c.ok);
  if (v.json) {
    io.stdout(JSON.stringify({ ok, count: signal === 'logs' ? logs.length : traces.length, checks, [String(signal)]: (signal === "logs" ? logs : traces).slice(0, 20) }) + '\n');
    return ok ? 0 : 1;
  }
  const failed = checks.filter((c) => !c.ok);
  if (ok) io.stdout(`ok: ${checks.map((c) => c.message.split('\n')[0]).join('; ')}\n`);
  else {
    io.stdout(`FAILED: ${failed.length} of ${checks.length} check${checks.length === 1 ? '' : 's'} (${what})\n`);
    for (const c of checks) io.stdout(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.message}\n`);
  }
  return ok ? 0 : 1;
}
