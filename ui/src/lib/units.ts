/**
 * @module ui/lib/units: metric values with their UCUM unit for humans (`By` → KiB/MiB, `s` → ms
 * when smaller, `{request}` → "request"), compact axis labels that never need a wide axis (1.2M),
 * series labels from the attributes that vary between series, and distinct series colours. Pure.
 */
import { SERVICE_PALETTE } from './colors.js';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const TIME_SCALE: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600, d: 86400 };

function trimNum(n: number, sig = 3): string {
  if (n === 0) return '0';
  const a = Math.abs(n);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return String(Number(n.toFixed(Math.min(digits, sig))));
}

/** A plain number in compact notation: 950, 1.2k, 3.4M, 5.6G, 7.8T; small ones with 3 significant digits. */
export function compactNumber(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '∞' : v < 0 ? '-∞' : '—';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1e-3) return v.toExponential(1);
  if (a < 1000) return trimNum(v);
  const steps: [number, string][] = [[1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [f, sfx] of steps) if (a >= f) return `${trimNum(v / f)}${sfx}`;
  return trimNum(v);
}

/** Bytes with binary prefixes: 512 B, 1.5 KiB, 3.2 MiB, 1 GiB. */
export function formatBytes(v: number): string {
  if (!Number.isFinite(v)) return compactNumber(v);
  let x = Math.abs(v);
  let i = 0;
  while (x >= 1024 && i < BYTE_UNITS.length - 1) { x /= 1024; i++; }
  return `${v < 0 ? '-' : ''}${trimNum(x)} ${BYTE_UNITS[i]}`;
}

/** A duration given in seconds, in the largest unit that keeps it ≥ 1: 250 µs, 1.5 ms, 2.3 s, 4.1 min. */
export function formatSeconds(sec: number): string {
  if (!Number.isFinite(sec)) return compactNumber(sec);
  const a = Math.abs(sec);
  if (a === 0) return '0 s';
  if (a < 1e-6) return `${trimNum(sec * 1e9)} ns`;
  if (a < 1e-3) return `${trimNum(sec * 1e6)} µs`;
  if (a < 1) return `${trimNum(sec * 1e3)} ms`;
  if (a < 60) return `${trimNum(sec)} s`;
  if (a < 3600) return `${trimNum(sec / 60)} min`;
  if (a < 86400) return `${trimNum(sec / 3600)} h`;
  return `${compactNumber(sec / 86400)} d`;
}

/** The unit as a reader says it: `{request}` → `request`, `1` → '', `%` kept, `By` → `B`. */
export function unitLabel(unit: string | undefined | null): string {
  const u = (unit ?? '').trim();
  if (u === '' || u === '1') return '';
  if (u === 'By') return 'B';
  const ann = /^\{([^}]*)\}$/.exec(u);
  if (ann) return ann[1];
  // Annotations inside a compound unit: `{request}/s` → `request/s`.
  return u.replace(/\{([^}]*)\}/g, '$1').replace(/\bBy\b/g, 'B');
}

/**
 * `v` in `unit` for humans. `By` (and `By/s`) use binary prefixes, time units (`s`, `ms`, `us`, `ns`,
 * `min`, `h`) are rescaled to the best fitting one, `1` and `{x}` are counts (compact, with the
 * annotation as the noun: `5 requests`), `%` stays a percent; anything else is the compact number and the unit.
 */
export function formatUnitValue(v: number | null | undefined, unit: string | undefined | null): string {
  if (v === null || v === undefined || typeof v !== 'number') return '—';
  const u = (unit ?? '').trim();
  const slash = u.lastIndexOf('/');
  // A rate: the numerator formatted as its unit, "/s" after it.
  if (slash > 0 && slash < u.length - 1) {
    const num = u.slice(0, slash);
    const per = u.slice(slash + 1);
    if (num === 'By' || TIME_SCALE[num] !== undefined || /^\{[^}]*\}$/.test(num) || num === '1') {
      return `${formatUnitValue(v, num)}/${unitLabel(per)}`;
    }
  }
  if (u === 'By') return formatBytes(v);
  if (u === 'KiBy') return formatBytes(v * 1024);
  if (u === 'MiBy') return formatBytes(v * 1024 * 1024);
  if (TIME_SCALE[u] !== undefined) return formatSeconds(v * TIME_SCALE[u]);
  if (u === '%') return `${compactNumber(v)}%`;
  const label = unitLabel(u);
  // A count's annotation is a noun: 1 request, 5 requests.
  const word = /^\{[a-z]+\}$/.test(u) && !label.endsWith('s') && v !== 1 ? `${label}s` : label;
  return word ? `${compactNumber(v)} ${word}` : compactNumber(v);
}

/** Axis tick labels: like formatUnitValue, so a tick reads "1.5 MiB", "250 ms" or "1.2M", never "1,200,000". */
export function axisLabels(values: readonly number[], unit: string | undefined | null): string[] {
  return values.map((v) => (v === null || v === undefined ? '' : formatUnitValue(v, unit)));
}

/** Pixels an axis needs for `labels` at `charPx` per character (plus tick and padding). */
export function axisSize(labels: readonly string[], charPx = 7, min = 40, max = 140): number {
  const longest = labels.reduce((m, l) => Math.max(m, l.length), 0);
  return Math.max(min, Math.min(max, Math.ceil(longest * charPx + 18)));
}

export interface LabelledSeries { service: string; labels: Record<string, unknown> }

function valText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

/**
 * Labels for several series of one metric: the attributes whose values differ between the series
 * come first (`k=v, k=v`), then the ones they share after " · ". The service is treated like an
 * attribute (first when it varies). A single series keeps its full label.
 */
export function varyingLabels(series: readonly LabelledSeries[]): string[] {
  const keys = new Set<string>();
  for (const s of series) for (const k of Object.keys(s.labels ?? {})) keys.add(k);
  const all = [...keys].sort();
  const valueOf = (s: LabelledSeries, k: string): string | undefined => (k in (s.labels ?? {}) ? valText(s.labels[k]) : undefined);
  const varies = (get: (s: LabelledSeries) => string | undefined): boolean => new Set(series.map(get)).size > 1;
  const serviceVaries = series.length > 1 && varies((s) => s.service);
  const varying = series.length > 1 ? all.filter((k) => varies((s) => valueOf(s, k))) : [];
  const shared = all.filter((k) => !varying.includes(k));
  return series.map((s) => {
    const first = [
      ...(serviceVaries ? [s.service] : []),
      ...varying.map((k) => { const v = valueOf(s, k); return v === undefined ? `${k}=∅` : `${k}=${v}`; }),
    ];
    const rest = [
      ...(serviceVaries ? [] : [s.service]),
      ...shared.filter((k) => valueOf(s, k) !== undefined).map((k) => `${k}=${valueOf(s, k)}`),
    ];
    if (!first.length) return rest.length > 1 ? `${rest[0]} · ${rest.slice(1).join(', ')}` : rest.join('');
    return rest.length ? `${first.join(', ')} · ${rest.join(', ')}` : first.join(', ');
  });
}

/**
 * `n` distinct colours: the 12-colour palette first; past it, hues spread by the golden angle
 * with alternating lightness so neighbours stay apart.
 */
export function seriesColors(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i < SERVICE_PALETTE.length) { out.push(SERVICE_PALETTE[i]); continue; }
    const hue = Math.round((i * 137.508) % 360);
    const light = i % 2 ? 62 : 48;
    out.push(`hsl(${hue} 70% ${light}%)`);
  }
  return out;
}
