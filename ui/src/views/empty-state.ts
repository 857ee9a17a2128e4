/**
 * @module ui/views/empty-state: what a view shows when nothing has arrived yet (how to send
 * telemetry here, with this instance's real ports: the first-run checklist) or when filters match nothing.
 */
import { state } from './state.js';
import { h } from './dom.js';
import { firstRunChecklist } from './first-run.js';

/** The "nothing has arrived yet" panel, naming this instance's OTLP/HTTP port (4318 if unknown). */
export function emptyState(what: string): HTMLElement {
  const httpPort = state.stats?.otlpHttpPort ?? 4318;
  return h('div', { class: 'empty-state', 'data-testid': 'empty-state' },
    h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, '◌'),
    h('h2', null, `No ${what} yet`),
    h('p', null, 'Point an OpenTelemetry SDK at ', h('code', null, `http://localhost:${httpPort}`), ' and this page fills in by itself. Traces, logs and metrics all go to the same endpoint.'),
    firstRunChecklist(),
  );
}

/** The panel for "there is data, but these filters match none of it". */
export function noMatch(what: string, hint = 'Widen the time range or clear a filter.'): HTMLElement {
  return h('div', { class: 'empty-state small' }, h('h2', null, `No ${what} match`), h('p', { class: 'muted' }, hint));
}

/** An error banner for a failed load. */
export function errorBanner(err: unknown): HTMLElement {
  const msg = err instanceof Error ? err.message : String(err);
  return h('div', { class: 'error-banner', role: 'alert' }, `Could not load: ${msg}`);
}

/** Said under a list whose search the server stopped early (Redis scans a bounded number of entries). */
export const SEARCH_LIMITED_NOTE = 'search stopped early: older matches may be missing (narrow the time range)';
