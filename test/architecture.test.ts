/**
 * The architecture as the imports draw it (issue 12): ARCHITECTURE.md's import diagram must be the
 * one scripts/architecture.ts draws from src/ today (this test never rewrites it: run
 * `npm run architecture`), and the imports keep the seams STYLE.md names. An import that breaks a
 * seam today is allow-listed below by its exact `from → to` pair with the reason, so a new one fails.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  ARCHITECTURE_FILE, REPO_ROOT, drawnDiagram, importedPackages, readImports, renderDiagram, sourceFiles, stageEdges, stageOf,
  type SourceImport,
} from '../scripts/architecture.js';

const imports = readImports();
const internal = imports.filter((i) => i.internal);
const pair = (i: SourceImport): string => `${i.from} → ${i.to}`;
const inStage = (file: string, ...stages: string[]): boolean => stages.includes(stageOf(file));

/** Transport packages: only the edges (receivers/, api/, app.ts, inspect/) may know them. */
const TRANSPORTS = ['fastify', '@fastify/cookie', '@grpc/grpc-js', '@grpc/proto-loader', '@grpc/reflection', 'grpc-health-check', 'node:http', 'node:http2', 'node:net'];

interface Seam {
  rule: string;
  /** True when the import breaks the rule. */
  breaks: (i: SourceImport) => boolean;
  /** Imports that break it today, each with why it is left (issue 12 moves them). */
  allowed: Record<string, string>;
}

const SEAMS: Seam[] = [
  {
    rule: 'model/ imports nothing of ours',
    breaks: (i) => inStage(i.from, 'model/') && ((i.internal && !inStage(i.to, 'model/')) || i.outsideSrc),
    allowed: {},
  },
  {
    rule: 'store/ never imports otlp/ or normalise/',
    breaks: (i) => inStage(i.from, 'store/') && i.internal && inStage(i.to, 'otlp/', 'normalise/'),
    allowed: {},
  },
  {
    rule: 'the normalisers are reached only through the codec table (otlp/codecs.ts): nothing else branches on encoding',
    breaks: (i) => i.internal && /^normalise\/(traces|logs|metrics)(-protobuf)?\.ts$/.test(i.to)
      && i.from !== 'otlp/codecs.ts' && !inStage(i.from, 'normalise/'),
    allowed: {},
  },
  {
    rule: 'receivers never touch the store',
    breaks: (i) => inStage(i.from, 'receivers/') && i.internal && inStage(i.to, 'store/'),
    allowed: {},
  },
  {
    rule: 'normalise/ (the OTLP rules) imports only model/ and wire/ (pure: no package, no store, no transport)',
    breaks: (i) => inStage(i.from, 'normalise/') && (!i.internal || !inStage(i.to, 'model/', 'normalise/', 'wire/')),
    allowed: {},
  },
  {
    // The reader throws the error kind `invalid` of errors.ts, a leaf (it imports only grpc-js's status
    // numbers) that every stage throws through: a malformed request is a 400 however deep it is read.
    rule: 'wire/ (byte-backed items, beneath normalise/ and store/) imports only model/ and errors.ts',
    breaks: (i) => inStage(i.from, 'wire/') && (!i.internal || !inStage(i.to, 'model/', 'wire/', 'errors.ts')),
    allowed: {},
  },
  {
    // Filters read one attribute through wire/'s typed look-up (attributeOf), cheap on a byte-backed span.
    rule: 'query/ (derivations shared by both stores) imports only model/ and wire/\'s look-ups',
    breaks: (i) => inStage(i.from, 'query/') && (i.outsideSrc || (i.internal && !inStage(i.to, 'model/', 'query/') && i.to !== 'wire/wire-backed.ts')),
    allowed: {
      // store → query is the intended direction; this type import closes a cycle.
      'query/traces.ts → store/store.ts': 'query/traces.ts takes the TraceQuery type of store/store.ts',
      'query/paging.ts → store/store.ts': 'query/paging.ts takes the TraceQuery/LogQuery types of store/store.ts (the cursor keys)',
      'query/trace-pages.ts → store/store.ts': 'query/trace-pages.ts reads pages through the Store interface (compare windows and export)',
    },
  },
  {
    rule: 'otlp/, normalise/, store/ and query/ know nothing of HTTP or gRPC',
    breaks: (i) => inStage(i.from, 'otlp/', 'normalise/', 'store/', 'query/')
      && (TRANSPORTS.includes(i.to) || (i.internal && inStage(i.to, 'receivers/', 'api/'))),
    allowed: {},
  },
  {
    rule: 'cli/ reaches TinyOlly through its HTTP API only (pure model/ and query/ helpers at most)',
    breaks: (i) => inStage(i.from, 'cli/') && (i.outsideSrc || (i.internal && !inStage(i.to, 'cli/', 'model/', 'query/'))),
    allowed: {
      // `tinyolly doctor --file` runs the rules over an OTLP file with no server, by design (CONTRACT §9 addition).
      'cli/doctor.ts → doctor/file.ts': 'doctor --file checks a file locally, without a running TinyOlly',
    },
  },
  {
    rule: 'production code imports nothing outside src/',
    breaks: (i) => i.outsideSrc,
    allowed: {
      // The compare view and the UI must lay a trace out the same way; one pure module serves both.
      'compare/compare.ts → ui/src/lib/critical-path.ts': 'the critical path is computed by the UI\'s pure lib, shared on purpose',
      'compare/compare.ts → ui/src/lib/waterfall.ts': 'the waterfall layout is the UI\'s pure lib, shared on purpose',
    },
  },
];

describe('ARCHITECTURE.md', () => {
  it('draws the import graph of src/ as it is (run `npm run architecture` to redraw; never rewritten here)', () => {
    const drawn = drawnDiagram(readFileSync(ARCHITECTURE_FILE, 'utf8'));
    expect(drawn, 'ARCHITECTURE.md lacks the architecture:imports markers').toBeDefined();
    expect(drawn, 'ARCHITECTURE.md is out of date with the imports of src/: run `npm run architecture`').toBe(renderDiagram(imports));
  });

  it('names only files that exist, and every arrow is an import that exists', () => {
    const files = new Set(sourceFiles(path.join(REPO_ROOT, 'src')));
    const drawn = drawnDiagram(readFileSync(ARCHITECTURE_FILE, 'utf8')) ?? '';
    const edges = stageEdges(imports);
    for (const [, a, b] of drawn.matchAll(/^\| `([^`]+)` \| `([^`]+)` \|/gm)) {
      expect(edges.get(a)?.has(b), `${a} → ${b}`).toBe(true);
    }
    for (const [, from, to] of drawn.matchAll(/`([^`\s]+\.ts) → ([^`\s]+\.ts)`/g)) {
      expect(files.has(from), from).toBe(true);
      expect(internal.some((i) => i.from === from && i.to === to), `${from} → ${to}`).toBe(true);
    }
  });
});

describe('the seams between stages', () => {
  it.each(SEAMS)('$rule', ({ breaks, allowed }) => {
    const broken = [...new Set(imports.filter(breaks).map(pair))].sort();
    expect(broken.filter((p) => !(p in allowed)), 'imports that break the seam').toEqual([]);
    // An allow-listed import that is gone must leave the list, so the list only ever shrinks.
    expect(Object.keys(allowed).filter((p) => !broken.includes(p)), 'allow-listed imports that no longer exist').toEqual([]);
  });

  it('has no cycle between stages besides the allow-listed arrows', () => {
    const allowedPairs = new Set(SEAMS.flatMap((s) => Object.keys(s.allowed)));
    const graph = new Map<string, Set<string>>();
    for (const i of internal) {
      const [a, b] = [stageOf(i.from), stageOf(i.to)];
      if (a === b || allowedPairs.has(pair(i))) continue;
      (graph.get(a) ?? graph.set(a, new Set()).get(a)!).add(b);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (n: string, trail: string[]): void => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'open') { cycles.push([...trail.slice(trail.indexOf(n)), n].join(' → ')); return; }
      state.set(n, 'open');
      for (const m of graph.get(n) ?? []) visit(m, [...trail, n]);
      state.set(n, 'done');
    };
    for (const n of [...graph.keys()].sort()) visit(n, []);
    expect(cycles).toEqual([]);
  });

  it('reads process.env and process.argv, and exits, only in src/main.ts', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(path.join(REPO_ROOT, 'src'))) {
      if (file === 'main.ts') continue;
      const src = ts.createSourceFile(file, readFileSync(path.join(REPO_ROOT, 'src', file), 'utf8'), ts.ScriptTarget.ES2022, true);
      const walk = (node: ts.Node): void => {
        if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process'
          && ['env', 'argv', 'exit'].includes(node.name.text)) {
          offenders.push(`${file}:${src.getLineAndCharacterOfPosition(node.getStart()).line + 1} process.${node.name.text}`);
        }
        ts.forEachChild(node, walk);
      };
      walk(src);
    }
    expect(offenders).toEqual([]);
  });

  it('opens every production file of src/ with a @module comment', () => {
    const missing = sourceFiles(path.join(REPO_ROOT, 'src'))
      .filter((f) => !/^\/\*\*[^]*?@module\b[^]*?\*\//.test(readFileSync(path.join(REPO_ROOT, 'src', f), 'utf8').slice(0, 2000)));
    expect(missing).toEqual([]);
  });
});

describe('bench/', () => {
  it('is a black-box client: imports nothing of src/ (the official encoder builds its requests)', () => {
    const dir = path.join(REPO_ROOT, 'bench');
    // bench/in-process/ holds micro-benchmarks of one stage (decode, a store write, an observer) run
    // inside one process on purpose; the load benchmark (npm run bench) stays a black-box client. It may
    // build the server bundle it runs, as npm start does (scripts/build-server.mjs).
    const allowed = (target: string) => target.startsWith(dir + path.sep) || target === path.join(REPO_ROOT, 'scripts', 'build-server.mjs');
    const reaching = sourceFiles(dir).filter((f) => !f.startsWith('in-process/')).flatMap((file) => ts.preProcessFile(readFileSync(path.join(dir, file), 'utf8'), true, true).importedFiles
      .map((i) => i.fileName).filter((spec) => spec.startsWith('.') && !allowed(path.resolve(dir, path.dirname(file), spec)))
      .map((spec) => `${file} → ${spec}`));
    expect(reaching).toEqual([]);
  });
});

describe('package.json dependencies', () => {
  it('installs in production only what production code imports (src/, ui/src/, bin/, scripts/; tests excluded)', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const used = importedPackages(['src', 'ui/src', 'bin', 'scripts']);
    // A package that only tests or tools import belongs in devDependencies (yaml, issue 12).
    expect(Object.keys(pkg.dependencies).filter((d) => !used.has(d))).toEqual([]);
  });
});
