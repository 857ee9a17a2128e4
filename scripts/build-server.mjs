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
// `node scripts/build-server.mjs --if-stale` builds only when a file under src/ is newer than the
// bundle (bin/tinyolly.js before serving). Written to a temporary file and renamed, so a process
// that starts while another builds reads a whole bundle.
import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
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
export async function serverBundleStale() {
  const built = await stat(SERVER_BUNDLE).then((s) => s.mtimeMs, () => 0);
  return built === 0 || (await newestSourceMs(join(root, 'src'))) > built;
}

/** Bundles src/main.ts into SERVER_BUNDLE (with a source map beside it). */
export async function buildServer() {
  const started = Date.now();
  await mkdir(dirname(SERVER_BUNDLE), { recursive: true });
  // Loaded here, not at the top: bin/tinyolly.js checks staleness without loading esbuild.
  const { build, stop } = await import('esbuild');
  const result = await build({
    entryPoints: [join(root, 'src', 'main.ts')],
    outdir: dirname(SERVER_BUNDLE),
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
  const files = [...result.outputFiles.filter((f) => f.path !== SERVER_BUNDLE), ...result.outputFiles.filter((f) => f.path === SERVER_BUNDLE)];
  for (const file of files) await writeFile(`${file.path}.${tag}.tmp`, file.contents);
  for (const file of files) await rename(`${file.path}.${tag}.tmp`, file.path);
  // Chunks of earlier builds, once no process can still be starting from them.
  const kept = new Set(files.map((f) => f.path));
  for (const name of await readdir(dirname(SERVER_BUNDLE))) {
    const file = join(dirname(SERVER_BUNDLE), name);
    if (name.startsWith('chunk-') && !kept.has(file) && Date.now() - (await stat(file)).mtimeMs > 10 * 60_000) await unlink(file).catch(() => {});
  }
  return Date.now() - started;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale') && !(await serverBundleStale())) process.exit(0);
  const ms = await buildServer();
  console.log(`build-server: dist/server/main.mjs built in ${ms} ms`);
}
