#!/usr/bin/env node
// The `tinyolly` command: runs TypeScript through tsx's loader (no separate compile step).
// `tinyolly wait|assert|mcp …` are clients of a running TinyOlly (src/cli/); anything else serves (src/main.ts).
import { register } from 'tsx/esm/api';
register();
const sub = process.argv[2];
if (sub === 'wait' || sub === 'assert' || sub === 'mcp' || sub === 'doctor') {
  const { runSubcommand } = await import('../src/cli/run.ts');
  const io = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
  };
  try {
    process.exitCode = await runSubcommand(sub, process.argv.slice(3), io);
  } catch (err) {
    process.stderr.write(`tinyolly ${sub}: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
} else if (sub === 'export' || sub === 'import') {
  const { run } = await import(`../src/cli/${sub}.ts`);
  process.exitCode = await run(process.argv.slice(3), process.env, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
} else {
  await import('../src/main.ts');
}
