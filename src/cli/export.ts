/**
 * @module cli/export: `tinyolly export`: downloads GET /api/export of a running TinyOlly (the public
 * API only, like any client) to a file or stdout, with a progress line on stderr. Honours
 * TINYOLLY_UI_TOKEN. Returns the exit code; never exits itself.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: Writable;
  stderr: Writable;
}

export const EXPORT_HELP = `Usage: tinyolly export [options]

Saves telemetry of a running TinyOlly as OTLP/JSON (CONTRACT §11).

  --signal S      traces | logs | metrics | all              (all)
  --trace-id ID   one trace (and its logs)
  --service NAME  one service
  --start T       unix seconds; --end T likewise
  --format F      json (one request, one signal) | jsonl     (jsonl for all, else json)
  --out FILE      write here instead of stdout
  --url URL       the TinyOlly UI/API address                (http://127.0.0.1:5002)
Honours TINYOLLY_UI_TOKEN.
`;

/** Human size. */
export function mib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Authorization header from TINYOLLY_UI_TOKEN. */
export function authHeaders(env: Record<string, string | undefined>): Record<string, string> {
  return env.TINYOLLY_UI_TOKEN ? { authorization: `Bearer ${env.TINYOLLY_UI_TOKEN}` } : {};
}

/** A throttled progress line on stderr (rewritten in place on a terminal). */
export function progressLine(stderr: Writable): { update(text: string): void; done(text: string): void } {
  const tty = (stderr as { isTTY?: boolean }).isTTY === true;
  let last = 0;
  return {
    update(text) {
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      stderr.write(tty ? `\r${text}\u001b[K` : `${text}\n`);
    },
    done(text) {
      stderr.write(tty ? `\r${text}\u001b[K\n` : `${text}\n`);
    },
  };
}

/** Runs `tinyolly export`; resolves with the exit code (0 ok, 1 failed, 2 usage). */
export async function run(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        signal: { type: 'string' }, 'trace-id': { type: 'string' }, service: { type: 'string' },
        start: { type: 'string' }, end: { type: 'string' }, format: { type: 'string' },
        out: { type: 'string' }, url: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${EXPORT_HELP}`);
    return 2;
  }
  if (values.help) { io.stdout.write(EXPORT_HELP); return 0; }
  const base = String(values.url ?? 'http://127.0.0.1:5002').replace(/\/+$/, '');
  const q = new URLSearchParams();
  const put = (k: string, v: unknown) => { if (typeof v === 'string' && v !== '') q.set(k, v); };
  put('signal', values.signal ?? 'all');
  put('trace_id', values['trace-id']);
  put('service', values.service);
  put('start', values.start);
  put('end', values.end);
  put('format', values.format);
  let res: Response;
  try {
    res = await fetch(`${base}/api/export?${q}`, { headers: authHeaders(env) });
  } catch (err) {
    io.stderr.write(`tinyolly export: cannot reach ${base}: ${(err as Error).message}\n`);
    return 1;
  }
  if (res.status !== 200 || !res.body) {
    io.stderr.write(`tinyolly export: ${res.status} ${await res.text()}\n`);
    return 1;
  }
  const out = typeof values.out === 'string' ? createWriteStream(values.out) : io.stdout;
  const progress = progressLine(io.stderr);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const b of chunk) if (b === 10) lines++;
    if (!out.write(chunk)) await once(out, 'drain');
    progress.update(`exporting: ${mib(bytes)}, ${lines} request(s)`);
  }
  if (out !== io.stdout) {
    out.end();
    await once(out, 'finish');
  }
  progress.done(`exported ${mib(bytes)} (${lines} request(s))${typeof values.out === 'string' ? ` to ${values.out}` : ''}`);
  return 0;
}
