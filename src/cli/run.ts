/**
 * @module cli/run: the client subcommands of the `tinyolly` command (wait, assert, mcp), dispatched
 * by bin/tinyolly.js, which serves (the server bundle) only for other subcommands. Each talks to a running TinyOlly
 * through its public API and returns an exit code: 0 ok, 1 a failed wait/assert, 2 a usage or connection error.
 */
import { UsageError } from './args.js';
import { ApiError } from './client.js';

export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Record<string, string | undefined>;
}

export const SUBCOMMANDS = ['wait', 'assert', 'mcp', 'doctor'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export function isSubcommand(s: string | undefined): s is Subcommand {
  return (SUBCOMMANDS as readonly string[]).includes(s ?? '');
}

/** Runs one subcommand; resolves with its exit code (mcp: once its stdio transport closes). */
export async function runSubcommand(name: Subcommand, argv: string[], io: CliIo): Promise<number> {
  try {
    if (name === 'wait') return await (await import('./wait.js')).runWait(argv, io);
    if (name === 'doctor') return await (await import('./doctor.js')).runDoctor(argv, io);
    if (name === 'assert') return await (await import('./assert.js')).runAssert(argv, io);
    return await (await import('./mcp/server.js')).runMcp(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`tinyolly ${name}: ${err.message} (see tinyolly ${name} --help)\n`);
      return 2;
    }
    if (err instanceof ApiError) {
      io.stderr(`tinyolly ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
