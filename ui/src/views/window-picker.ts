/**
 * @module ui/views/window-picker: picks windows A and B of one root operation for the compare page:
 * presets ("last 15 min vs the 15 min before") or a drag on a per-minute chart of the operation's
 * requests (bars: traces whose root span has that exact name, from GET /api/traces). Times are unix
 * seconds; the chart snaps a drag to whole minutes. SVG built with DOM calls, text nodes only.
 */
import { listTraces } from '../api.js';
import type { TraceSummary } from '../api-types.js';
import { formatClock, formatDuration, nanosToMs } from '../lib/format.js';
import { h, replace, s as svgEl } from './dom.js';

export interface TimeWindow { start: number; end: number }
export interface WindowPair { a: TimeWindow; b: TimeWindow }

const MINUTE = 60;
/** The chart covers at most this many minutes back from now. */
const MAX_MINUTES = 360;
const MIN_MINUTES = 30;
const BAR_W = 8;
const CHART_H = 70;
const PRESETS = [5, 15, 60] as const;

/** "Last n minutes vs the n before", ending at `nowS`. */
export function presetPair(minutes: number, nowS: number): WindowPair {
  const len = minutes * MINUTE;
  return { a: { start: nowS - 2 * len, end: nowS - len }, b: { start: nowS - len, end: nowS } };
}

interface Bucket { start: number; count: number; durations: number[] }

/** Per-minute buckets of `traces` from `fromS` to `toS` (both whole minutes). */
function bucketsOf(traces: readonly TraceSummary[], fromS: number, toS: number): Bucket[] {
  const out: Bucket[] = [];
  for (let t = fromS; t < toS; t += MINUTE) out.push({ start: t, count: 0, durations: [] });
  for (const t of traces) {
    const i = Math.floor((nanosToMs(t.startTimeUnixNano) / 1000 - fromS) / MINUTE);
    if (i < 0 || i >= out.length) continue;
    out[i].count++;
    out[i].durations.push(t.durationMs);
  }
  return out;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** Local HH:MM of unix seconds (the picker works in whole minutes). */
const clock = (s: number): string => formatClock(s * 1000).slice(0, 5);

/**
 * The picker for `root` (of `service` when given). `onPick` runs with both windows whenever the
 * user picks (a preset, or a drag that completes a pair); `initial` (from the URL) is drawn at once.
 */
export function windowPicker(opts: { root: string; service?: string; initial?: WindowPair }, onPick: (pair: WindowPair) => void): { el: HTMLElement; refresh(): Promise<void>; destroy(): void } {
  let pair: WindowPair | undefined = opts.initial;
  let mode: 'a' | 'b' = 'a';
  let from = 0;
  let to = 0;
  let traces: TraceSummary[] = [];
  let ctrl: AbortController | null = null;

  const label = h('div', { class: 'wp-label', 'data-testid': 'window-label' });
  const chartHost = h('div', { class: 'wp-chart-host' });
  const modeBtns = (['a', 'b'] as const).map((m) => {
    const b = h('button', { type: 'button', class: 'seg', 'data-testid': `window-mode-${m}` }, `Drag sets ${m.toUpperCase()}`);
    b.addEventListener('click', () => { mode = m; drawMode(); });
    return b;
  });
  const drawMode = (): void => modeBtns.forEach((b, i) => { const on = (i === 0 ? 'a' : 'b') === mode; b.classList.toggle('on', on); b.setAttribute('aria-pressed', String(on)); });
  const presets = PRESETS.map((m) => {
    const b = h('button', { type: 'button', class: 'btn small-btn', 'data-testid': `window-preset-${m}` }, `Last ${m} min vs the ${m} before`);
    b.addEventListener('click', () => pick(presetPair(m, Math.floor(Date.now() / 1000))));
    return b;
  });
  const el = h('div', { class: 'window-picker', 'data-testid': 'window-picker' },
    h('div', { class: 'wp-bar' }, ...presets, h('span', { class: 'segmented' }, ...modeBtns)), chartHost, label);

  const pick = (next: WindowPair): void => {
    pair = next;
    draw();
    onPick(next);
  };

  const drawLabel = (): void => {
    if (!pair) { replace(label, h('span', { class: 'muted' }, 'No windows yet.')); return; }
    const count = (w: TimeWindow) => traces.filter((t) => { const s = nanosToMs(t.startTimeUnixNano) / 1000; return s >= w.start && s <= w.end; }).length;
    const one = (k: 'a' | 'b', w: TimeWindow) => h('span', { class: `wp-window wp-${k}` }, h('strong', null, k.toUpperCase()), ` ${clock(w.start)}–${clock(w.end)} (${count(w)} in the chart)`);
    replace(label, one('a', pair.a), ' vs ', one('b', pair.b));
  };

  const x = (t: number, width: number): number => ((t - from) / (to - from)) * width;

  const draw = (): void => {
    const buckets = bucketsOf(traces, from, to);
    const width = Math.max(1, buckets.length) * BAR_W;
    const max = Math.max(1, ...buckets.map((b) => b.count));
    const svg = svgEl('svg', { class: 'wp-chart', 'data-testid': 'window-chart', viewBox: `0 0 ${width} ${CHART_H}`, preserveAspectRatio: 'none', width: '100%', height: String(CHART_H), 'data-from': String(from), 'data-to': String(to), role: 'img', 'aria-label': 'Requests per minute: drag to pick a window' });
    const band = (k: 'a' | 'b', w: TimeWindow | undefined): SVGRectElement => {
      const x0 = w ? Math.max(0, x(w.start, width)) : 0;
      const x1 = w ? Math.min(width, x(w.end, width)) : 0;
      return svgEl('rect', { class: `wp-band wp-${k}`, 'data-testid': `window-band-${k}`, x: String(x0), y: '0', width: String(Math.max(0, x1 - x0)), height: String(CHART_H) });
    };
    const bands = { a: band('a', pair?.a), b: band('b', pair?.b) };
    svg.append(bands.a, bands.b);
    buckets.forEach((b, i) => {
      const hgt = (b.count / max) * (CHART_H - 4);
      const p50 = median(b.durations);
      svg.appendChild(svgEl('rect', { class: 'wp-bar-rect', x: String(i * BAR_W + 1), y: String(CHART_H - hgt), width: String(BAR_W - 2), height: String(hgt) },
        svgEl('title', null, `${clock(b.start)} · ${b.count} request${b.count === 1 ? '' : 's'}${p50 === null ? '' : ` · p50 ${formatDuration(p50)}`}`)));
    });
    // Drag: the band of the current mode follows the pointer; whole minutes on release.
    const timeAt = (clientX: number): number => {
      const r = svg.getBoundingClientRect();
      return from + Math.min(1, Math.max(0, (clientX - r.left) / Math.max(1, r.width))) * (to - from);
    };
    svg.addEventListener('pointerdown', (e: PointerEvent) => {
      e.preventDefault();
      svg.setPointerCapture(e.pointerId);
      const t0 = timeAt(e.clientX);
      const which = mode;
      const span = (t1: number): TimeWindow => {
        const lo = Math.floor(Math.min(t0, t1) / MINUTE) * MINUTE;
        const hi = Math.max(lo + MINUTE, Math.ceil(Math.max(t0, t1) / MINUTE) * MINUTE);
        return { start: lo, end: hi };
      };
      const show = (w: TimeWindow): void => {
        const x0 = x(w.start, width);
        bands[which].setAttribute('x', String(x0));
        bands[which].setAttribute('width', String(Math.max(0, x(w.end, width) - x0)));
      };
      const move = (ev: PointerEvent): void => show(span(timeAt(ev.clientX)));
      const up = (ev: PointerEvent): void => {
        svg.removeEventListener('pointermove', move);
        svg.removeEventListener('pointerup', up);
        svg.removeEventListener('pointercancel', up);
        const w = span(timeAt(ev.clientX));
        const next: WindowPair = { a: which === 'a' ? w : pair?.a ?? w, b: which === 'b' ? w : pair?.b ?? w };
        const complete = which === 'b' || pair !== undefined;
        mode = which === 'a' ? 'b' : 'a';
        drawMode();
        if (complete) pick(next);
        else { pair = next; draw(); }
      };
      svg.addEventListener('pointermove', move);
      svg.addEventListener('pointerup', up);
      svg.addEventListener('pointercancel', up);
    });
    replace(chartHost, svg, h('div', { class: 'wp-axis muted' }, h('span', null, clock(from)), h('span', null, clock(to))));
    drawLabel();
  };

  drawMode();
  return {
    el,
    async refresh() {
      ctrl?.abort();
      const c = (ctrl = new AbortController());
      const nowS = Math.floor(Date.now() / 1000);
      to = Math.ceil((nowS + 1) / MINUTE) * MINUTE;
      try {
        const got = await listTraces({ service: opts.service, name: opts.root, limit: 1000, start: to - MAX_MINUTES * MINUTE, end: to }, c.signal);
        if (c.signal.aborted) return;
        traces = got.filter((t) => !t.incomplete && t.rootName === opts.root && (opts.service === undefined || t.rootService === opts.service));
      } catch (err) {
        if ((err as Error).name === 'AbortError') return;
        traces = [];
      }
      // From the oldest request (or the picked windows) to now, at least MIN_MINUTES, at most MAX_MINUTES.
      const oldest = Math.min(to - MIN_MINUTES * MINUTE, ...traces.map((t) => nanosToMs(t.startTimeUnixNano) / 1000), pair ? Math.min(pair.a.start, pair.b.start) : Infinity);
      from = Math.max(to - MAX_MINUTES * MINUTE, Math.floor(oldest / MINUTE) * MINUTE);
      draw();
    },
    destroy() { ctrl?.abort(); },
  };
}
