/**
 * @module ui/views/state: the UI-wide state (live refresh, time range, service filter, theme,
 * latest stats) and its change notifications. Persists only the theme the user picked (localStorage);
 * until then the theme follows the system (prefers-color-scheme).
 */
import type { Stats } from '../api-types.js';

export type RangeKind = 'all' | '5m' | '15m' | '60m' | 'custom';

export interface UiState {
  live: boolean;
  range: RangeKind;
  /** Custom range bounds, unix seconds. */
  customStart?: number;
  customEnd?: number;
  /** Service chosen on the services page; pre-fills the other views' service filters. */
  service: string;
  theme: 'dark' | 'light';
  stats: Stats | null;
}

const THEME_KEY = 'tinyolly.theme';

function chosenTheme(): 'dark' | 'light' | undefined {
  try {
    const t = localStorage.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : undefined;
  } catch { return undefined; }
}

/** The system's preference (prefers-color-scheme), dark when it has none. */
function systemTheme(): 'dark' | 'light' {
  try { return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark'; } catch { return 'dark'; }
}

/** The user's choice once made (remembered), else the system's. */
function storedTheme(): 'dark' | 'light' {
  return chosenTheme() ?? systemTheme();
}

/** The single state object; mutate through `update` so listeners hear about it. */
export const state: UiState = { live: true, range: 'all', service: '', theme: storedTheme(), stats: null };

type Listener = (changed: (keyof UiState)[]) => void;
const listeners = new Set<Listener>();

/** Subscribes to state changes; returns the unsubscribe function. */
export function onState(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Applies a patch and notifies listeners with the keys that changed. */
export function update(patch: Partial<UiState>): void {
  const changed: (keyof UiState)[] = [];
  for (const [k, v] of Object.entries(patch) as [keyof UiState, unknown][]) {
    if (state[k] !== v) { (state as any)[k] = v; changed.push(k); }
  }
  if (patch.theme && changed.includes('theme')) {
    try { localStorage.setItem(THEME_KEY, patch.theme); } catch { /* private mode */ }
  }
  if (changed.length) for (const fn of listeners) fn(changed);
}

/** The selected time range as unix seconds (both undefined for "all"). */
export function timeBounds(nowMs: number = Date.now()): { start?: number; end?: number } {
  const now = nowMs / 1000;
  switch (state.range) {
    case '5m': return { start: now - 300 };
    case '15m': return { start: now - 900 };
    case '60m': return { start: now - 3600 };
    case 'custom': return { start: state.customStart, end: state.customEnd };
    default: return {};
  }
}

/** True when nothing at all has been received yet (drives the empty states). */
export function nothingYet(): boolean {
  const s = state.stats;
  return !!s && !s.traces && !s.spans && !s.logs && !s.metrics;
}

/**
 * A list query's identity for paging: its parameters without the moving bounds of a relative time
 * range (which change on every refresh), plus the range itself. Loaded pages are kept while it holds.
 */
export function queryKeyOf(params: object): string {
  const { start: _s, end: _e, ...rest } = params as { start?: number; end?: number };
  return JSON.stringify([rest, state.range, state.customStart, state.customEnd]);
}

/** The time range as route query parameters (`range=15m`, or start/end for a custom range; nothing for all). */
export function rangeQuery(): Record<string, string | undefined> {
  if (state.range === 'custom') {
    return { start: state.customStart === undefined ? undefined : String(state.customStart), end: state.customEnd === undefined ? undefined : String(state.customEnd) };
  }
  return { range: state.range === 'all' ? undefined : state.range };
}

/** Replaces the current hash (no new history entry, no hashchange) when it differs from `hash`. */
export function keepInUrl(hash: string): void {
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

/**
 * Follows the system's colour scheme while the user has not picked a theme (a pick is remembered
 * and wins from then on). Call once at start.
 */
export function followSystemTheme(): void {
  try {
    matchMedia('(prefers-color-scheme: light)').addEventListener('change', () => {
      if (chosenTheme() !== undefined) return;
      const theme = systemTheme();
      if (state.theme === theme) return;
      state.theme = theme;
      for (const fn of listeners) fn(['theme']);
    });
  } catch { /* no matchMedia */ }
}
