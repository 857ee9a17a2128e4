/**
 * @module cli/doctor: `tinyolly doctor [--url URL | --file FILE] [--service S] [--disable R,R]
 * [--fail-on error|warning] [--json]` (CONTRACT §9). Reads GET /api/doctor of a running TinyOlly, or
 * runs the rules over an OTLP file itself (doctor/file.ts, through the import of CONTRACT §11), prints
 * the findings readably (or the answer as JSON) and exits 1 when one at or above --fail-on exists (for
 * CI), 0 otherwise, 2 on a usage or connection error (or a file that cannot be read).
 */
import { COMMON_OPTIONS, DEFAULT_URL, UsageError, parse } from './args.js';
import { ApiError, apiClient } from './client.js';
import { traceLink } from './mcp/links.js';
import type { CliIo } from './run.js';

export const DOCTOR_HELP = `Usage: tinyolly doctor [--url URL | --file FILE] [--service S] [--disable RULE,RULE] [--fail-on error|warning|info] [--json]

Prints what the instrumentation doctor found wrong with the telemetry received (most severe first):
the rule, how often, the services, example trace/log ids and what to change.
Exits 1 when a finding at or above --fail-on exists (without --fail-on: never), 0 otherwise,
2 on a usage or connection error.

  --service NAME           only findings that involve this service
  --file FILE              check an OTLP file instead of a running TinyOlly (OTLP/JSON, JSONL as
                           \`tinyolly export\` or the Collector's file exporter writes, protobuf; gzip of any)
  --signal S               traces | logs | metrics: the signal of a protobuf --file
  --disable RULES          comma list of rule ids to leave out (e.g. http-server-without-route)
  --fail-on LEVEL          error | warning | info
  --url URL                the TinyOlly UI/API address (default ${DEFAULT_URL})
  --json                   print the answer as JSON
  TINYOLLY_UI_TOKEN        sent as a Bearer token when set
`;

const RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** The doctor's answer (GET /api/doctor's body) from the server or from --file; the base URL for links when from the server. */
async function readReport(v: { url?: string; file?: string; signal?: string; service?: string; disable?: string }, io: CliIo): Promise<{ body: any; base?: string }> {
  const disable = v.disable?.split(',').map((r) => r.trim()).filter(Boolean);
  if (v.file !== undefined) {
    if (v.url !== undefined) throw new UsageError('--file and --url exclude each other');
    if (v.signal !== undefined && !['traces', 'logs', 'metrics'].includes(v.signal)) throw new UsageError('--signal must be traces, logs or metrics');
    const { doctorFile } = await import('../doctor/file.js');
    let r: Awaited<ReturnType<typeof doctorFile>>;
    try {
      r = await doctorFile(v.file, { service: v.service, disabled: disable, signal: v.signal as 'traces' | 'logs' | 'metrics' | undefined });
    } catch (err) {
      throw new ApiError(`cannot read ${v.file}: ${(err as Error).message}`);
    }
    const i = r.imported;
    io.stderr(`doctor: read ${i.imported.spans} span(s), ${i.imported.logs} log(s), ${i.imported.points} point(s) from ${v.file}` +
      `${i.errors.length ? `; ${i.errors.length + (i.errorsOmitted ?? 0)} line(s) could not be read (first: ${i.errors[0].line === null ? 'body' : `line ${i.errors[0].line}`}: ${i.errors[0].message})` : ''}\n`);
    return { body: r.report };
  }
  if (v.signal !== undefined) throw new UsageError('--signal goes with --file');
  const client = apiClient(v.url ?? DEFAULT_URL, io.env.TINYOLLY_UI_TOKEN);
  const r = await client.get<any>('/api/doctor', { service: v.service, disable: disable?.join(',') });
  if (r.status !== 200) throw new ApiError(`GET /api/doctor answered ${r.status}: ${r.body?.error ?? 'no such route (an older TinyOlly?)'}`);
  return { body: r.body, base: client.baseUrl };
}

export async function runDoctor(argv: string[], io: CliIo): Promise<number> {
  const v = parse(argv, { ...COMMON_OPTIONS, service: { type: 'string' }, 'fail-on': { type: 'string' }, file: { type: 'string' }, signal: { type: 'string' }, disable: { type: 'string' } });
  if (v.help) { io.stdout(DOCTOR_HELP); return 0; }
  const failOn = v['fail-on'];
  if (failOn !== undefined && !(failOn in RANK)) throw new UsageError('--fail-on must be error, warning or info');
  const { body, base } = await readReport(v, io);
  const findings: any[] = body.findings ?? [];
  const failing = failOn === undefined ? [] : findings.filter((f) => (RANK[f.severity] ?? 9) <= RANK[failOn]);
  if (v.json) {
    io.stdout(JSON.stringify(body) + '\n');
  } else if (findings.length === 0) {
    io.stdout('doctor: no findings: the instrumentation looks healthy\n');
  } else {
    io.stdout(`doctor: ${findings.length} finding${findings.length === 1 ? '' : 's'}\n`);
    for (const f of findings) {
      io.stdout(`\n[${String(f.severity).toUpperCase()}] ${f.rule}: ${f.title}\n`);
      io.stdout(`  ${f.count}× · services: ${(f.services ?? []).join(', ')}\n`);
      const ex = (f.examples ?? []).map((e: any) => (e.logId ? `log ${e.logId}` : base ? traceLink(base, e.traceId, undefined, e.spanId) : `trace ${e.traceId} span ${e.spanId}`));
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
