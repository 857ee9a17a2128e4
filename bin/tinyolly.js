#!/usr/bin/env node
// The `tinyolly` command. `tinyolly wait|assert|mcp|doctor|export|import …` are clients of a running
// TinyOlly (src/cli/), run through tsx's loader; anything else serves: the server bundle
// (dist/server/main.mjs, built from src/main.ts by scripts/build-server.mjs when missing or older
// than src/, served as it is when it cannot be rebuilt), as plain JavaScript with no loader in the
// serving process (issue 11: its RSS).
import { pathToFileURL } from 'node:url';
const sub = process.argv[2];
const client = ['wait', 'assert', 'mcp', 'doctor', 'export', 'import'].includes(sub);
if (client) (await import('tsx/esm/api')).register();
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
  const { ensureServerBundle, SERVER_BUNDLE } = await import('../scripts/build-server.mjs');
  await ensureServerBundle();
  await import(pathToFileURL(SERVER_BUNDLE).href);
}
