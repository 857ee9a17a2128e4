/**
 * @module scripts/architecture: the import graph of src/ by stage (a folder of src/, or a file at
 * its top), drawn into ARCHITECTURE.md between its `architecture:imports` markers. Run
 * `npm run architecture` to redraw; test/architecture.test.ts fails when the drawing is stale and
 * holds the rules the arrows must keep. Imports are read with the TypeScript compiler's own
 * pre-processor (every static, dynamic and type-only import), never with a regular expression.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The file the diagram is drawn into. */
export const ARCHITECTURE_FILE = path.join(REPO_ROOT, 'ARCHITECTURE.md');
const BEGIN = '<!-- architecture:imports:begin (drawn by `npm run architecture` from the imports of src/; do not edit by hand) -->';
const END = '<!-- architecture:imports:end -->';

/** One import of a production source file of src/. */
export interface SourceImport {
  /** Importing file, relative to src/ with forward slashes (`store/redis/redis-store.ts`). */
  from: string;
  /** The imported file relative to src/ for our own modules; the package name for a package (`node:fs`, `@grpc/grpc-js`). */
  to: string;
  /** Whether `to` is one of our files (else a package or a file outside src/). */
  internal: boolean;
  /** Whether `to` lies outside src/ (e.g. `../test/…`): never allowed from production code. */
  outsideSrc: boolean;
}

/** The stage a file of src/ belongs to: its top folder, or its own name for a top-level file (`app.ts`). */
export function stageOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file : `${file.slice(0, slash)}/`;
}

/** Test code beside the sources: not part of the graph. */
function isTestFile(file: string): boolean {
  return /\.(test|contract|bench)\.ts$/.test(file);
}

/** Production .ts files under `dir`, relative to it, sorted. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !isTestFile(child)) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`, `node:fs/promises` → `node:fs`). */
function packageOf(spec: string): string {
  if (spec.startsWith('node:')) return spec.split('/')[0];
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every import of every production file under `srcDir` (default: the repository's src/). */
export function readImports(srcDir = path.join(REPO_ROOT, 'src')): SourceImport[] {
  const out: SourceImport[] = [];
  for (const from of sourceFiles(srcDir)) {
    const info = ts.preProcessFile(readFileSync(path.join(srcDir, from), 'utf8'), true, true);
    for (const { fileName: spec } of info.importedFiles) {
      if (!spec.startsWith('.')) { out.push({ from, to: packageOf(spec), internal: false, outsideSrc: false }); continue; }
      const abs = path.resolve(path.dirname(path.join(srcDir, from)), spec).replace(/\.js$/, '.ts');
      const rel = path.relative(srcDir, abs).split(path.sep).join('/');
      const outsideSrc = rel.startsWith('../');
      out.push({ from, to: outsideSrc ? path.relative(REPO_ROOT, abs).split(path.sep).join('/') : rel, internal: !outsideSrc, outsideSrc });
    }
  }
  return out;
}

/**
 * Packages imported by the production .ts/.js/.mjs files under the given folders (relative to the
 * repository root; test files left out): what a production dependency must appear in.
 */
export function importedPackages(dirs: readonly string[]): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const child = path.join(dir, entry.name);
      if (entry.isDirectory()) { if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(child); continue; }
      if (!/\.(ts|js|mjs)$/.test(entry.name) || isTestFile(entry.name)) continue;
      for (const { fileName: spec } of ts.preProcessFile(readFileSync(child, 'utf8'), true, true).importedFiles) {
        if (!spec.startsWith('.')) out.add(packageOf(spec));
      }
    }
  };
  for (const d of dirs) walk(path.join(REPO_ROOT, d));
  return out;
}

/** Stage → stage arrows, each with the files that make it (`from → to` pairs), sorted. */
export function stageEdges(imports: readonly SourceImport[]): Map<string, Map<string, string[]>> {
  const edges = new Map<string, Map<string, Set<string>>>();
  for (const i of imports) {
    if (!i.internal) continue;
    const a = stageOf(i.from);
    const b = stageOf(i.to);
    if (a === b) continue;
    let targets = edges.get(a);
    if (!targets) edges.set(a, (targets = new Map()));
    let files = targets.get(b);
    if (!files) targets.set(b, (files = new Set()));
    files.add(`${i.from} → ${i.to}`);
  }
  const sorted = new Map<string, Map<string, string[]>>();
  for (const a of [...edges.keys()].sort()) {
    const inner = new Map<string, string[]>();
    for (const b of [...edges.get(a)!.keys()].sort()) inner.set(b, [...edges.get(a)!.get(b)!].sort());
    sorted.set(a, inner);
  }
  return sorted;
}

/** Leaves nearly every stage imports: their arrows are listed in the table, not drawn, to keep the drawing legible. */
const UNDRAWN_TARGETS = new Set(['model/', 'errors.ts']);

/** A mermaid node id for a stage (`store/` → `store`, `app.ts` → `app_ts`). */
function nodeId(stage: string): string {
  return stage.replace(/\/$/, '').replace(/[^A-Za-z0-9]/g, '_');
}

/**
 * The Markdown drawn for the graph: a mermaid flowchart (one arrow per stage pair that an import
 * joins, but for arrows into model/ and errors.ts), then, per stage, the stages it imports and through which files, so that every arrow can
 * be checked by opening the files it names.
 */
export function renderDiagram(imports: readonly SourceImport[]): string {
  const edges = stageEdges(imports);
  const stages = new Set<string>(imports.map((i) => stageOf(i.from)));
  for (const targets of edges.values()) for (const b of targets.keys()) stages.add(b);
  const lines: string[] = ['```mermaid', 'flowchart LR'];
  for (const s of [...stages].sort()) lines.push(`  ${nodeId(s)}["${s}"]`);
  for (const [a, targets] of edges) for (const b of targets.keys()) if (!UNDRAWN_TARGETS.has(b)) lines.push(`  ${nodeId(a)} --> ${nodeId(b)}`);
  lines.push('```', '', `Arrows into ${[...UNDRAWN_TARGETS].map((t) => `\`${t}\``).join(' and ')} are left out of the drawing; the table has every arrow.`, '', '| stage | imports | through |', '|---|---|---|');
  for (const [a, targets] of edges) {
    for (const [b, files] of targets) {
      const shown = files.slice(0, 3).map((f) => `\`${f}\``).join('<br>');
      const more = files.length > 3 ? `<br>(+${files.length - 3} more)` : '';
      lines.push(`| \`${a}\` | \`${b}\` | ${shown}${more} |`);
    }
  }
  return lines.join('\n');
}

/** `doc` with the text between the markers replaced by `diagram`; throws when the markers are missing. */
export function withDiagram(doc: string, diagram: string): string {
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  if (b < 0 || e < b) throw new Error(`ARCHITECTURE.md lacks the markers ${BEGIN} … ${END}`);
  return `${doc.slice(0, b + BEGIN.length)}\n${diagram}\n${doc.slice(e)}`;
}

/** The diagram as drawn in `doc` (between the markers), or undefined when the markers are missing. */
export function drawnDiagram(doc: string): string | undefined {
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  if (b < 0 || e < b) return undefined;
  return doc.slice(b + BEGIN.length, e).replace(/^\n/, '').replace(/\n$/, '');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.env.CI === 'true') {
    console.error('architecture: CI=true, ARCHITECTURE.md is never rewritten in CI');
    process.exit(1);
  }
  const doc = readFileSync(ARCHITECTURE_FILE, 'utf8');
  const next = withDiagram(doc, renderDiagram(readImports()));
  if (next !== doc) writeFileSync(ARCHITECTURE_FILE, next);
  console.log(next === doc ? 'architecture: ARCHITECTURE.md already up to date' : 'architecture: ARCHITECTURE.md redrawn');
}
