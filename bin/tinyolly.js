#!/usr/bin/env node
// The `tinyolly` command: runs src/main.ts through tsx's loader (no separate compile step).
import { register } from 'tsx/esm/api';
register();
await import('../src/main.ts');
