// Builds the server: bundles src/main.ts and everything it imports from src/ into ES modules,
// dist/server/main.mjs and the chunks it imports (packages stay imports of node_modules), so TinyOlly
// runs as plain JavaScript: no TypeScript loader in the serving process. main.ts imports app.ts
// dynamically, so that chunk and the packages it needs load only after main.ts has set V8's flags
// (src/heap.ts: the young generation stays small only if bounded before they load). tsx's loader runs in a thread of its own with its
// own V8 heap and keeps the compiled sources: about 20 MiB of RSS at idle and some 25-30 MiB at
// peak, measured on issue 11's shapes (ARCHITECTURE.md "Running").
//
// The bundle sits two folders below the root, as every src/<stage>/ module does, so the paths they
// resolve from import.meta.url (../../proto, ../../ui/dist) are the same bundled or not.
//
// `node scripts/build-server.mjs` builds it (npm start and npm test do, vitest's global setup does);
// bin/tinyolly.js calls ensureServerBundle before serving: a build when a file under src/ is newer
// than the bundle, the bundle as it is when it cannot build (a read-only install, no esbuild).
// `--if-stale` does that check on the command line. Each file is written to a temporary file and
// renamed, so a process that starts while another builds reads a whole bundle.
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_BUNDLE = join(root, 'dist', 'server', 'main.mjs');

async function newestSourceMs(dir) {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSourceMs(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, (await stat(file)).mtimeMs);
  }
  return newest;
}

/** True when the bundle is missing or older than a source file. */
export async function serverBundleStale(bundle = SERVER_BUNDLE) {
  const built = await stat(bundle).then((s) => s.mtimeMs, () => 0);
  return built === 0 || (await newestSourceMs(join(root, 'src'))) > built;
}

/** The chunks a build's entry needs, followed through the chunks' own imports (names only). */
async function chunksOf(file, seen = new Set()) {
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const [name] of text.matchAll(/chunk-[A-Za-z0-9_-]+\.mjs/g)) {
    if (seen.has(name)) continue;
    seen.add(name);
    await chunksOf(join(dirname(file), name), seen);
  }
  return seen;
}

/**
 * Builds when the bundle is stale; when that fails and a bundle exists (the install is read-only, or
 * has no esbuild), warns and keeps it. Returns whether it built.
 */
export async function ensureServerBundle({ bundle = SERVER_BUNDLE, build = () => buildServer(bundle), warn = (m) => process.stderr.write(m + '\n') } = {}) {
  if (!(await serverBundleStale(bundle))) return false;
  try {
    await build();
    return true;
  } catch (err) {
    if (!(await stat(bundle).then(() => true, () => false))) throw err;
    warn(`tinyolly: src/ is newer than ${bundle}, which could not be rebuilt (${err instanceof Error ? err.message : String(err)}); serving it as it is`);
    return false;
  }
}

/**
 * Bundles src/main.ts into `bundle` (SERVER_BUNDLE unless told; a source map beside it). The bundle's
 * mtime is the build's start, so a source saved while esbuild ran leaves it stale.
 */
export async function buildServer(bundle = SERVER_BUNDLE) {
  const started = Date.now();
  await mkdir(dirname(bundle), { recursive: true });
  // Loaded here, not at the top: bin/tinyolly.js checks staleness without loading esbuild.
  const { build, stop } = await import('esbuild');
  const result = await build({
    entryPoints: [join(root, 'src', 'main.ts')],
    outdir: dirname(bundle),
    outExtension: { '.js': '.mjs' },
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  // esbuild's service process is not needed once built (bin/tinyolly.js goes on to serve).
  await stop();
  const tag = `${process.pid}.${Date.now()}`;
  // The entry last: a process that sees the new main.mjs finds its chunks and maps. Chunks are named
  // by their content, so a process still loading the previous build finds its own.
  const files = [...result.outputFiles.filter((f) => f.path !== bundle), ...result.outputFiles.filter((f) => f.path === bundle)];
  // The previous build's chunks stay: a process may have read its main.mjs and not yet its chunks.
  const previous = await chunksOf(bundle);
  for (const file of files) await writeFile(`${file.path}.${tag}.tmp`, file.contents);
  for (const file of files) await rename(`${file.path}.${tag}.tmp`, file.path);
  await utimes(bundle, started / 1000, started / 1000);
  // Chunks of builds before that, once no process can still be starting from them.
  const kept = new Set([...files.map((f) => f.path), ...[...previous].map((name) => join(dirname(bundle), name))]);
  for (const name of await readdir(dirname(bundle))) {
    const file = join(dirname(bundle), name);
    if (name.startsWith('chunk-') && !kept.has(file) && Date.now() - (await stat(file).then((s) => s.mtimeMs, () => Date.now())) > 10 * 60_000) await unlink(file).catch(() => {});
  }
  return Date.now() - started;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale')) {
    if (await ensureServerBundle()) console.log('build-server: dist/server/main.mjs rebuilt (src/ was newer)');
  } else {
    const ms = await buildServer();
    console.log(`build-server: dist/server/main.mjs built in ${ms} ms`);
  }
}
