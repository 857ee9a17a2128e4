/**
 * @module cli/wait: `tinyolly wait [filters…] [--count N] [--timeout 10s]` (CONTRACT §10). Long-polls
 * GET /api/wait (in ≤ 60 s calls, so --timeout may be longer) and exits 0 when matched, 1 on timeout
 * printing the near misses.
 */
import { COMMON_OPTIONS, DEFAULT_URL, FILTER_OPTIONS, FILTERS_HELP, describeFilters, filterParams, parse, parseCount, parseDurationMs } from './args.js';
import { apiClient } from './client.js';
import { logLine, traceLine } from './format.js';
import type { CliIo } from './run.js';

export const WAIT_HELP = `Usage: tinyolly wait [filters…] [--count N] [--timeout 10s]

Waits until at least N traces (or logs) matching the filters are received, then exits 0;
exits 1 at the timeout, printing the near misses and why each missed; 2 on a usage or connection error.
By default only what arrives after the command starts counts: pass --since to look further back.

  --count N                how many must match (default 1)
  --timeout DURATION       how long to wait (default 10s)
${FILTERS_HELP}
`;

const MAX_CALL_MS = 60_000;

export async function runWait(argv: string[], io: CliIo): Promise<number> {
  const v = parse(argv, { ...COMMON_OPTIONS, ...FILTER_OPTIONS, count: { type: 'string' }, timeout: { type: 'string' } });
  if (v.help) { io.stdout(WAIT_HELP); return 0; }
  const startedMs = Date.now();
  const params = filterParams(v, startedMs);
  const minCount = parseCount(v.count, '--count', 1);
  const timeoutMs = parseDurationMs(v.timeout ?? '10s', '--timeout');
  // The server's default since is each call's arrival; a wait split into several calls keeps the first.
  params.since ??= String(startedMs / 1000);
  const client = apiClient(v.url ?? DEFAULT_URL, io.env.TINYOLLY_UI_TOKEN);
  const signal = params.signal as 'traces' | 'logs';
  let answer: any;
  for (;;) {
    const left = Math.max(0, timeoutMs - (Date.now() - startedMs));
    const call = Math.min(left, MAX_CALL_MS);
    answer = (await client.get('/api/wait', { ...params, min_count: minCount, timeout_ms: call })).body;
    if (answer.matched || Date.now() - startedMs >= timeoutMs - 50) break;
  }
  if (v.json) {
    io.stdout(JSON.stringify(answer) + '\n');
    return answer.matched ? 0 : 1;
  }
  const what = describeFilters(params);
  if (answer.matched) {
    const items: any[] = answer[signal];
    io.stdout(`matched ${answer.count} ${signal === 'traces' ? 'trace' : 'log'}${answer.count === 1 ? '' : 's'} (${what})\n`);
    for (const it of items.slice(0, 20)) io.stdout(`  ${signal === 'traces' ? traceLine(it) : logLine(it)}\n`);
    if (items.length > 20) io.stdout(`  … and ${items.length - 20} more\n`);
    return 0;
  }
  const secs = `${Math.round(timeoutMs / 100) / 10} s`;
  io.stdout(`timed out after ${secs}: ${answer.count} of ${minCount} wanted ${signal} matched (${what}); ` +
    `${answer.received ?? '?'} ${signal} received in the window\n`);
  if (answer.nearMisses.length === 0) io.stdout('near misses: none (nothing close arrived)\n');
  else {
    io.stdout('near misses:\n');
    for (const m of answer.nearMisses) io.stdout(`  ${m.traceId ?? m.id}  ${m.why}\n`);
  }
  return 1;
}
