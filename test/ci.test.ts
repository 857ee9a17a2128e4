/**
 * CI cannot lie (issue 10): `npm test` type-checks before it runs vitest (vitest strips types
 * without checking them), and `.ci/run` sets CI=true itself before `npm test`, so that a missing
 * golden fails there instead of being written, and it starts the services the tests need.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../bench/server.js';

const ciRun = readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
const commands = ciRun.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('npm test', () => {
  it('runs the type check first, and stops if it fails', () => {
    expect(pkg.scripts.typecheck).toBe('tsc --noEmit');
    expect(pkg.scripts.test.split(' && ')[0]).toBe('npm run typecheck');
    expect(pkg.scripts.test).toMatch(/ && vitest run$/);
  });
});

describe('.ci/run', () => {
  it('exports CI=true before anything runs a test, and ends with npm ci then npm test', () => {
    const ci = commands.indexOf('export CI=true');
    expect(ci).toBeGreaterThan(0);
    expect(commands.slice(-2)).toEqual(['npm ci --no-audit --no-fund', 'npm test']);
    expect(commands.findIndex((l) => /\b(vitest|npm test)\b/.test(l))).toBeGreaterThan(ci);
    expect(commands).toContain('set -euo pipefail');
  });

  it('makes sure Redis and PostgreSQL answer on loopback, and Chromium is there', () => {
    expect(ciRun).toContain('redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no');
    expect(ciRun).toContain('pg_isready -q -h 127.0.0.1 -p 5432');
    expect(ciRun).toMatch(/pg_ctlcluster --skip-systemctl-redirect "\$pg_version" main start/);
    expect(ciRun).toContain('CREATE DATABASE test');
    expect(ciRun).toContain('[ -x /usr/bin/chromium ] || missing+=(chromium');
  });
});
