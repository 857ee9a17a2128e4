/**
 * @module cli/doctor: `tinyolly doctor [--url URL] [--service S] [--fail-on error|warning] [--json]`
 * (CONTRACT §9). Reads GET /api/doctor, prints the findings readably (or the answer as JSON) and exits
 * 1 when one at or above --fail-on exists (for CI), 0 otherwise, 2 on a usage or connection error.
 */
import { COMMON_OPTIONS, DEFAULT_URL, UsageError, parse } from './args.js';
import { ApiError, apiClient } from './client.js';
import { traceLink } from './mcp/links.js';
import type { CliIo } from './run.js';

export const DOCTOR_HELP = `Usage: tinyolly doctor [--url URL] [--service S] [--fail-on error|warning|info] [--json]

Prints what the instrumentation doctor found wrong with the telemetry received (most severe first):
the rule, how often, the services, example trace/log ids and what to change.
Exits 1 when a finding at or above --fail-on exists (without --fail-on: never), 0 otherwise,
2 on a usage or connection error.

  --service NAME           only findings that involve this service
  --fail-on LEVEL          error | warning | info
  --url URL                the TinyOlly UI/API address (default ${DEFAULT_URL})
  --json                   print the answer as JSON
  TINYOLLY_UI_TOKEN        sent as a Bearer token when set
`;

const RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };

export async function runDoctor(argv: string[], io: CliIo): Promise<number> {
  const v = parse(argv, { ...COMMON_OPTIONS, service: { type: 'string' }, 'fail-on': { type: 'string' } });
  if (v.help) { io.stdout(DOCTOR_HELP); return 0; }
  const failOn = v['fail-on'];
  if (failOn !== undefined && !(failOn in RANK)) throw new UsageError('--fail-on must be error, warning or info');
  const client = apiClient(v.url ?? DEFAULT_URL, io.env.TINYOLLY_UI_TOKEN);
  const r = await client.get<any>('/api/doctor', { service: v.service });
  if (r.status !== 200) throw new ApiError(`GET /api/doctor answered ${r.status}: ${r.body?.error ?? 'no such route (an older TinyOlly?)'}`);
  const findings: any[] = r.body.findings ?? [];
  const failing = failOn === undefined ? [] : findings.filter((f) => (RANK[f.severity] ?? 9) <= RANK[failOn]);
  if (v.json) {
    io.stdout(JSON.stringify(r.body) + '\n');
  } else if (findings.length === 0) {
    io.stdout('doctor: no findings: the instrumentation looks healthy\n');
  } else {
    io.stdout(`doctor: ${findings.length} finding${findings.length === 1 ? '' : 's'}\n`);
    for (const f of findings) {
      io.stdout(`\n[${String(f.severity).toUpperCase()}] ${f.rule}: ${f.title}\n`);
      io.stdout(`  ${f.count}× · services: ${(f.services ?? []).join(', ')}\n`);
      const ex = (f.examples ?? []).map((e: any) => (e.logId ? `log ${e.logId}` : traceLink(client.baseUrl, e.traceId, undefined, e.spanId)));
      if (ex.length) io.stdout(`  e.g. ${ex.join('\n       ')}\n`);
      io.stdout(`  fix: ${f.hint}\n`);
    }
  }
  if (failing.length > 0) {
    io.stderr(`tinyolly doctor: ${failing.length} finding${failing.length === 1 ? '' : 's'} at or above ${failOn}\n`);
    return 1;
  }
  return 0;
}
