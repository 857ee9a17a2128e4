/**
 * @module cli/import: `tinyolly import FILE|-`: streams an OTLP file (OTLP/JSON, JSONL, protobuf, any
 * of them gzip) to POST /api/import of a running TinyOlly, with a progress line on stderr, and prints
 * the answer. Honours TINYOLLY_UI_TOKEN. Returns the exit code; never exits itself.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { authHeaders, mib, progressLine, type CliIo } from './export.js';

export const IMPORT_HELP = `Usage: tinyolly import FILE|- [options]

Loads an OTLP file into a running TinyOlly (CONTRACT §11): OTLP/JSON, JSONL (one export request a
line, any mix of signals, as the Collector's file exporter writes), or OTLP protobuf; gzip of any.

  --signal S   traces | logs | metrics: the signal of a protobuf file (.pb, .binpb)
  --url URL    the TinyOlly UI/API address   (http://127.0.0.1:5002)
Honours TINYOLLY_UI_TOKEN. Exit 0 when everything imported, 1 when something failed.
`;

interface ImportAnswer {
  imported?: { spans: number; logs: number; points: number };
  rejected?: { spans: number; logs: number; points: number };
  errors?: { line: number | null; message: string }[];
  errorsOmitted?: number;
  error?: string;
}

/** Runs `tinyolly import`; resolves with the exit code (0 ok, 1 failed, 2 usage). */
export async function run(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { signal: { type: 'string' }, url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${IMPORT_HELP}`);
    return 2;
  }
  if (values.help) { io.stdout.write(IMPORT_HELP); return 0; }
  if (positionals.length !== 1) { io.stderr.write(`tinyolly import: give one FILE, or - for stdin\n\n${IMPORT_HELP}`); return 2; }
  const file = positionals[0];
  const base = String(values.url ?? 'http://127.0.0.1:5002').replace(/\/+$/, '');
  let total: number | undefined;
  let input: NodeJS.ReadableStream;
  if (file === '-') input = io.stdin;
  else {
    try {
      total = statSync(file).size;
    } catch (err) {
      io.stderr.write(`tinyolly import: ${(err as Error).message}\n`);
      return 1;
    }
    input = createReadStream(file);
  }
  const protobuf = /\.(pb|binpb)(\.gz)?$/i.test(file) || typeof values.signal === 'string';
  const headers: Record<string, string> = { ...authHeaders(env), 'content-type': protobuf ? 'application/x-protobuf' : 'application/x-ndjson' };
  if (protobuf) {
    if (typeof values.signal !== 'string') { io.stderr.write('tinyolly import: a protobuf file needs --signal traces|logs|metrics\n'); return 2; }
    headers['x-otlp-signal'] = values.signal;
  }
  if (total !== undefined) headers['content-length'] = String(total);
  const progress = progressLine(io.stderr);
  let sent = 0;
  const counted = async function* () {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      sent += chunk.length;
      progress.update(total ? `importing: ${mib(sent)} of ${mib(total)} (${Math.floor((100 * sent) / total)} %)` : `importing: ${mib(sent)}`);
      yield chunk;
    }
  };
  let res: Response;
  try {
    res = await fetch(`${base}/api/import`, {
      method: 'POST', headers, body: Readable.toWeb(Readable.from(counted())) as ReadableStream, duplex: 'half',
    } as RequestInit);
  } catch (err) {
    io.stderr.write(`\ntinyolly import: cannot reach ${base}: ${(err as Error).message}\n`);
    return 1;
  }
  const text = await res.text();
  let answer: ImportAnswer;
  try { answer = JSON.parse(text) as ImportAnswer; } catch { answer = { error: text }; }
  const i = answer.imported;
  const r = answer.rejected;
  progress.done(i
    ? `imported ${i.spans} span(s), ${i.logs} log(s), ${i.points} point(s) from ${mib(sent)}; rejected ${r?.spans ?? 0}/${r?.logs ?? 0}/${r?.points ?? 0}; ${(answer.errors?.length ?? 0) + (answer.errorsOmitted ?? 0)} error(s)`
    : `tinyolly import: ${res.status} ${answer.error ?? text}`);
  for (const e of (answer.errors ?? []).slice(0, 20)) io.stderr.write(`  ${e.line === null ? 'body' : `line ${e.line}`}: ${e.message}\n`);
  if ((answer.errors?.length ?? 0) > 20) io.stderr.write(`  … and ${(answer.errors?.length ?? 0) - 20 + (answer.errorsOmitted ?? 0)} more\n`);
  io.stdout.write(JSON.stringify(answer) + '\n');
  return res.status === 200 && (answer.errors?.length ?? 0) === 0 ? 0 : 1;
}
