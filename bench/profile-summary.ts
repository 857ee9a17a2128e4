/**
 * @module bench/profile-summary: reads a V8 `.cpuprofile` (node --cpu-prof) and says where the time
 * went: self time per function, per module (package or src/ file), and inclusive time per function.
 * Also a CLI: `tsx bench/profile-summary.ts FILE.cpuprofile [top]`.
 */
import { readFileSync } from 'node:fs';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface Share { name: string; ms: number; share: number }

export interface ProfileSummary {
  totalMs: number;
  /** Time not idle (what the process spent working). */
  busyMs: number;
  selfByFunction: Share[];
  selfByModule: Share[];
  inclusiveByFunction: Share[];
}

function shortUrl(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

/** The package (node_modules), src/ file, node internal or V8 pseudo-frame a frame belongs to. */
export function moduleOf(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  if (f.url.startsWith('node:')) return 'node:' + f.url.slice(5).split('/')[0];
  const nm = f.url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = f.url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return shortUrl(f.url);
}

function keyOf(f: CallFrame): string {
  const fn = f.functionName || '(anonymous)';
  if (!f.url) return fn;
  // tsx-compiled src/ files report line 1 for everything: their line numbers say nothing.
  const u = shortUrl(f.url);
  return u.startsWith('src/') ? `${fn} ${u}` : `${fn} ${u}:${f.lineNumber + 1}`;
}

function top(map: Map<string, number>, busyMs: number, n: number): Share[] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busyMs > 0 ? ms / busyMs : 0 }));
}

/** Summarises one profile; shares are of busy (non-idle) time. */
export function summariseProfile(profile: CpuProfile, n = 25): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const selfFn = new Map<string, number>();
  const selfMod = new Map<string, number>();
  const incl = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the gap to the next sample.
    const ms = (i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0) / 1000;
    if (ms <= 0) continue;
    totalMs += ms;
    const node = byId.get(samples[i]);
    if (!node) continue;
    const f = node.callFrame;
    if (f.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const k = keyOf(f);
    selfFn.set(k, (selfFn.get(k) ?? 0) + ms);
    const m = moduleOf(f);
    selfMod.set(m, (selfMod.get(m) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const kk = keyOf(byId.get(id)!.callFrame);
      if (kk === '(root)' || seen.has(kk)) continue;
      seen.add(kk);
      incl.set(kk, (incl.get(kk) ?? 0) + ms);
    }
  }
  const busyMs = totalMs - idleMs;
  return {
    totalMs: Math.round(totalMs),
    busyMs: Math.round(busyMs),
    selfByFunction: top(selfFn, busyMs, n),
    selfByModule: top(selfMod, busyMs, n),
    inclusiveByFunction: top(incl, busyMs, n),
  };
}

/** Reads and summarises a `.cpuprofile` file. */
export function summariseProfileFile(file: string, n = 25): ProfileSummary {
  return summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, n);
}

/** Markdown tables of a summary. */
export function profileMarkdown(s: ProfileSummary, title: string): string {
  const table = (head: string, rows: Share[]) => [
    `| ${head} | ms | share of busy |`, '|---|---:|---:|',
    ...rows.map((r) => `| \`${r.name.replace(/\|/g, '\\|')}\` | ${r.ms} | ${(r.share * 100).toFixed(1)}% |`),
  ].join('\n');
  return [
    `### ${title}`, '',
    `Profiled ${(s.totalMs / 1000).toFixed(1)} s, busy ${(s.busyMs / 1000).toFixed(1)} s.`, '',
    table('self time by module', s.selfByModule.slice(0, 15)), '',
    table('self time by function', s.selfByFunction.slice(0, 20)), '',
    table('inclusive time by function', s.inclusiveByFunction.slice(0, 25)), '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/profile-summary.ts FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  process.stdout.write(profileMarkdown(summariseProfileFile(file, Number(process.argv[3] ?? 25)), file) + '\n');
}
