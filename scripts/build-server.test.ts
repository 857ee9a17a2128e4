import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, ensureServerBundle, serverBundleStale } from './build-server.mjs';

// Each test builds into a folder of its own: the suite's TinyOlly processes run dist/server/.
const dirs: string[] = [];
async function scratchBundle(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tinyolly-bundle-'));
  dirs.push(dir);
  return join(dir, 'main.mjs');
}
afterEach(async () => { for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true }); });

const mainTs = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');

describe('the server bundle', () => {
  it('is stale when a source was saved while it was being built', async () => {
    const bundle = await scratchBundle();
    const before = await stat(mainTs);
    const building = buildServer(bundle);
    // A save that lands after the build started (esbuild reads the sources some ms later).
    await new Promise((r) => setTimeout(r, 20));
    const saved = new Date();
    await utimes(mainTs, before.atime, saved);
    try {
      await building;
      expect((await stat(bundle)).mtimeMs).toBeLessThan(saved.getTime());
      expect(await serverBundleStale(bundle)).toBe(true);
    } finally {
      await utimes(mainTs, before.atime, before.mtime);
    }
  });

  it('keeps the chunks the previous build\'s entry imports, and drops older ones', async () => {
    const bundle = await scratchBundle();
    const dir = dirname(bundle);
    // What an earlier build left: an entry importing chunk-PREV (which imports chunk-DEEP), and a chunk nothing imports.
    await writeFile(bundle, 'import "./chunk-PREV.mjs";\nawait import("./chunk-PREV.mjs");\n');
    await writeFile(join(dir, 'chunk-PREV.mjs'), 'export * from "./chunk-DEEP.mjs";\n');
    await writeFile(join(dir, 'chunk-DEEP.mjs'), 'export const x = 1;\n');
    await writeFile(join(dir, 'chunk-OLD.mjs'), 'export const y = 1;\n');
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const name of ['chunk-PREV.mjs', 'chunk-DEEP.mjs', 'chunk-OLD.mjs']) await utimes(join(dir, name), hourAgo, hourAgo);
    await buildServer(bundle);
    const names = await readdir(dir);
    expect(names).toContain('chunk-PREV.mjs');
    expect(names).toContain('chunk-DEEP.mjs');
    expect(names).not.toContain('chunk-OLD.mjs');
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('is served as it is, with a warning, when it is stale and cannot be rebuilt', async () => {
    const bundle = await scratchBundle();
    const warnings: string[] = [];
    const failing = async () => { throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }); };
    // No bundle at all: the failure is the answer.
    await expect(ensureServerBundle({ bundle, build: failing, warn: (m) => warnings.push(m) })).rejects.toThrow(/EACCES/);
    // A stale bundle: kept, and said so.
    await writeFile(bundle, '');
    await utimes(bundle, new Date(0), new Date(0));
    expect(await ensureServerBundle({ bundle, build: failing, warn: (m) => warnings.push(m) })).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not be rebuilt.*EACCES.*serving it as it is/);
    // A fresh one is not rebuilt.
    await buildServer(bundle);
    expect(await ensureServerBundle({ bundle, build: failing, warn: (m) => warnings.push(m) })).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(existsSync(bundle)).toBe(true);
  });
});
