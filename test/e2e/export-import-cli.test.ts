/**
 * The CLI end to end (CONTRACT §11): `tinyolly export` and `tinyolly import FILE|-` against running
 * instances, through bin/tinyolly.js, with TINYOLLY_UI_TOKEN, the progress line and the exit codes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { listFixtures } from '../fixtures/otlp/fixtures.js';
import { sendFixtures, snapshotApi } from './export-import-helpers.js';

function cli(args: string[], env: Record<string, string>, stdin?: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin/tinyolly.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(stdin ?? undefined);
  });
}

describe('tinyolly export / import', () => {
  const TOKEN = 'cli-token';
  let a: TinyOllyProcess;
  let b: TinyOllyProcess;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tinyolly-cli-'));
    a = await startTinyOlly({ TINYOLLY_UI_TOKEN: TOKEN });
    b = await startTinyOlly({ TINYOLLY_UI_TOKEN: TOKEN });
    await sendFixtures(a.otlpHttpUrl);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports everything to a file and imports it into a fresh instance, which then answers the same', async () => {
    const file = path.join(dir, 'all.jsonl');
    const env = { TINYOLLY_UI_TOKEN: TOKEN };
    const ex = await cli(['export', '--out', file, '--url', a.baseUrl], env);
    expect(ex.stderr).toMatch(/exported .* \(\d+ request\(s\)\) to /);
    expect(ex.code).toBe(0);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(3);
    const im = await cli(['import', file, '--url', b.baseUrl], env);
    expect(im.stderr).toMatch(/imported \d+ span\(s\), \d+ log\(s\), \d+ point\(s\)/);
    expect(im.code).toBe(0);
    expect(JSON.parse(im.stdout).errors).toEqual([]);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((input: string, init?: RequestInit) => realFetch(input, { ...init, headers: { ...auth, ...(init?.headers ?? {}) } })) as typeof fetch;
    try {
      expect(await snapshotApi(b.baseUrl)).toEqual(await snapshotApi(a.baseUrl));
    } finally {
      globalThis.fetch = realFetch;
    }
  }, 120_000);

  it('exports one trace to stdout, and imports from stdin and a protobuf file', async () => {
    const env = { TINYOLLY_UI_TOKEN: TOKEN };
    const ex = await cli(['export', '--signal', 'traces', '--trace-id', '000102030405060708090A0B0C0D0E0F', '--url', a.baseUrl], env);
    expect(ex.code).toBe(0);
    const doc = JSON.parse(ex.stdout);
    expect(doc.resourceSpans[0].scopeSpans[0].spans[0].traceId).toBe('000102030405060708090a0b0c0d0e0f');
    const im = await cli(['import', '-', '--url', b.baseUrl], env, Buffer.from(ex.stdout));
    expect(im.code).toBe(0);
    const pb = listFixtures().find((f) => f.signal === 'logs')!;
    const pbFile = path.join(dir, 'logs.pb');
    writeFileSync(pbFile, readFileSync(pb.pbPath));
    expect((await cli(['import', pbFile, '--url', b.baseUrl], env)).code).toBe(2);
    const ok = await cli(['import', pbFile, '--signal', 'logs', '--url', b.baseUrl], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).imported.logs).toBeGreaterThan(0);
  }, 60_000);

  it('fails with exit 1 without the token, and on bad lines', async () => {
    expect((await cli(['export', '--url', a.baseUrl], {})).code).toBe(1);
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, 'nope\n');
    const im = await cli(['import', bad, '--url', b.baseUrl], { TINYOLLY_UI_TOKEN: TOKEN });
    expect(im.code).toBe(1);
    expect(im.stderr).toMatch(/line 1: /);
  }, 60_000);
});
