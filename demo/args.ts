/**
 * @module demo/args: command-line flags of `npm run demo` and `npm run traffic`, with env fallbacks.
 * Pure: callers pass argv and env in and decide how to print errors and exit.
 */
import { parseArgs } from 'node:util';
import { portFrom } from './service-runtime.js';

/** Options both commands understand (run.ts ignores `url`; traffic.ts ignores the ports). */
export interface DemoArgs {
  help: boolean;
  /** Number of requests, then exit; undefined = run until Ctrl-C. */
  count?: number;
  /** demo-frontend base URL (traffic.ts). */
  url: string;
  frontendPort: number;
  backendPort: number;
  /** Pause between requests of one worker; defaults to 300 ms when looping, 0 with --count. */
  intervalMs: number;
  concurrency: number;
}

/** Thrown for a flag that is unknown or has a bad value; the message says which. */
export class DemoArgsError extends Error {}

/** Usage text shared by both commands. */
export const DEMO_USAGE = `Usage:
  npm run demo    [-- --count N] [--frontend-port P] [--backend-port P] [--interval-ms MS] [--concurrency C]
  npm run traffic [-- --count N] [--url http://127.0.0.1:8080] [--interval-ms MS] [--concurrency C]

  --count N          send N requests, then stop (default: keep going until Ctrl-C)
  --url URL          demo-frontend address for npm run traffic   DEMO_FRONTEND_URL (http://127.0.0.1:8080)
  --frontend-port P  demo-frontend port (0 = any free port)      DEMO_FRONTEND_PORT (8080)
  --backend-port P   demo-backend port (0 = any free port)       DEMO_BACKEND_PORT (8081)
  --interval-ms MS   pause between requests per worker           (300, or 0 with --count)
  --concurrency C    requests in flight at once, 1..32           (1, or 4 with --count)

Telemetry goes to OTEL_EXPORTER_OTLP_ENDPOINT (http://localhost:4318) using
OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf | http/json | grpc; default http/protobuf).`;

function intFlag(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new DemoArgsError(`--${name} must be an integer from ${min} to ${max}, not '${raw}'`);
  return n;
}

/** Parses flags (after the script name) and env. Throws DemoArgsError on bad input. */
export function parseDemoArgs(argv: readonly string[], env: Record<string, string | undefined>): DemoArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        count: { type: 'string', short: 'n' },
        url: { type: 'string' },
        'frontend-port': { type: 'string' },
        'backend-port': { type: 'string' },
        'interval-ms': { type: 'string' },
        concurrency: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new DemoArgsError((err as Error).message);
  }
  const count = intFlag(values.count, 'count', 1, 1_000_000);
  const url = values.url ?? env.DEMO_FRONTEND_URL ?? 'http://127.0.0.1:8080';
  try {
    new URL(url);
  } catch {
    throw new DemoArgsError(`--url must be an http(s) URL, not '${url}'`);
  }
  let frontendPort: number;
  let backendPort: number;
  try {
    frontendPort = portFrom(values['frontend-port'] ?? env.DEMO_FRONTEND_PORT, 8080, '--frontend-port');
    backendPort = portFrom(values['backend-port'] ?? env.DEMO_BACKEND_PORT, 8081, '--backend-port');
  } catch (err) {
    throw new DemoArgsError((err as Error).message);
  }
  return {
    help: values.help ?? false,
    count,
    url,
    frontendPort,
    backendPort,
    intervalMs: intFlag(values['interval-ms'], 'interval-ms', 0, 60_000) ?? (count === undefined ? 300 : 0),
    concurrency: intFlag(values.concurrency, 'concurrency', 1, 32) ?? (count === undefined ? 1 : 4),
  };
}
