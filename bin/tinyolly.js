#!/usr/bin/env node
// The `tinyolly` command: runs src/main.ts through tsx's loader (no separate compile step).
import { register } from 'tsx/esm/api';
register();
const sub = process.argv[2];
if (sub === 'export' || sub === 'import') {
  const { run } = await import(`../src/cli/${sub}.ts`);
  process.exitCode = await run(process.argv.slice(3), process.env, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
} else await import('../src/main.ts');
