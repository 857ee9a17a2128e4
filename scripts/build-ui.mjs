// Builds the web UI: bundles ui/src/main.ts (and the CSS it imports) with esbuild into
// ui/dist/{app.js, app.css, index.html}, minified. Fast: it runs before every start and test.
// `--outdir DIR` writes elsewhere (the bundle-budget test builds into a temporary folder).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const flag = process.argv.indexOf('--outdir');
const out = flag > 0 && process.argv[flag + 1] ? process.argv[flag + 1] : join(root, 'ui', 'dist');
const started = Date.now();
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: join(root, 'ui', 'src', 'main.ts') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(join(root, 'ui', 'index.html'), join(out, 'index.html'));
console.log(`build-ui: ${out === join(root, 'ui', 'dist') ? 'ui/dist' : out} built in ${Date.now() - started} ms`);
