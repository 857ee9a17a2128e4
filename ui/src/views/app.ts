/**
 * @module ui/views/app: the shell: header, router (hash routes), the 5 s live refresh, theme and
 * keyboard shortcuts. Pages are created per route and refreshed in place.
 */
import { installImportDrop } from './import-drop.js';
import { getStats } from '../api.js';
import { parseRoute, tabOf, windowOf, type Route } from '../lib/route.js';
import { rangeOf } from '../lib/list-query.js';
import { h } from './dom.js';
import { header } from './header.js';
import { logsView } from './logs.js';
import { metricView } from './metric-view.js';
import { metricsView } from './metrics.js';
import { serviceMapView } from './service-map.js';
import { doctorView } from './doctor.js';
import { compareView } from './compare-view.js';
import { servicesView } from './services.js';
import { ingestView } from './ingest.js';
import { shortcutsDialog } from './shortcuts.js';
import { followSystemTheme, onState, state, update } from './state.js';
import { traceView } from './trace-view.js';
import { tracesView } from './traces.js';
import { liveStream } from './live-stream.js';
import type { View } from './view.js';

const LIVE_MS = 5000;
const TITLES: Record<Route['view'], string> = {
  traces: 'Traces', trace: 'Trace', logs: 'Logs', metrics: 'Metrics', metric: 'Metric', services: 'Services', 'service-map': 'Service map', ingest: 'Ingest', doctor: 'Doctor', compare: 'Compare',
};

function createView(route: Route): View {
  switch (route.view) {
    case 'trace': return traceView(route);
    case 'logs': return logsView(route);
    case 'metrics': return metricsView();
    case 'metric': return metricView(route);
    case 'services': return servicesView();
    case 'service-map': return serviceMapView();
    case 'ingest': return ingestView();
    case 'doctor': return doctorView(route);
    case 'compare': return compareView(route);
    default: return tracesView(route);
  }
}

/** Starts the UI inside `root`. */
export function startApp(root: HTMLElement): void {
  document.documentElement.dataset.theme = state.theme;
  followSystemTheme();
  const dialog = shortcutsDialog();
  const hdr = header(() => void refreshAll('manual'), () => dialog.showModal());
  const main = h('main', { class: 'app-main', id: 'main' });
  root.replaceChildren(hdr.el, main, dialog);
  let current: View | null = null;
  let currentRoute: Route | null = null;
  let busy = false;

  const refreshStats = async (): Promise<void> => {
    try {
      const s = await getStats();
      update({ stats: s });
      hdr.setStats(s);
    } catch (err) {
      hdr.setStats(null, err instanceof Error ? `TinyOlly not reachable: ${err.message}` : 'TinyOlly not reachable');
    }
  };
  let again = false;
  const refreshAll = async (reason: 'live' | 'manual'): Promise<void> => {
    if (busy) { if (reason === 'live') again = true; return; }
    busy = true;
    try {
      await refreshStats();
      await current?.refresh(reason);
      hdr.markRefreshed();
    } finally { busy = false; }
    // A push that came in while refreshing is not lost: one more refresh follows.
    if (again) { again = false; pushed(); }
  };
  // Live push (GET /api/live): an event re-queries what is on screen, a few times a second at most;
  // the 5 s poll runs only while the stream is down.
  let pushTimer: ReturnType<typeof setTimeout> | undefined;
  const pushed = (): void => {
    if (!state.live || document.visibilityState === 'hidden' || pushTimer) return;
    pushTimer = setTimeout(() => { pushTimer = undefined; void refreshAll('live'); }, 150);
  };
  const stream = liveStream(pushed, (connected) => hdr.setStream(connected));

  const route = (): void => {
    const r = parseRoute(location.hash);
    // A deep link's time window (e.g. from the MCP server) becomes the custom range.
    const w = windowOf(r.query);
    if (w) update({ range: 'custom', customStart: w.start, customEnd: w.end });
    const relative = rangeOf(r.query);
    if (relative) update({ range: relative });
    hdr.setTab(tabOf(r.view));
    document.title = `${TITLES[r.view]}${r.param ? ` ${r.param.slice(0, 60)}` : ''} · TinyOlly`;
    if (current && currentRoute && currentRoute.view === r.view && current.update?.(r)) { currentRoute = r; return; }
    current?.destroy?.();
    current = createView(r);
    currentRoute = r;
    main.replaceChildren(current.el);
    main.scrollTop = 0;
    const v = current;
    // Stats first so empty states know whether anything arrived; the page then loads.
    void (state.stats ? v.refresh() : refreshStats().then(() => v.refresh())).then(() => hdr.markRefreshed());
  };
  window.addEventListener('hashchange', route);
  onState((changed) => {
    if (changed.includes('theme')) document.documentElement.dataset.theme = state.theme;
    if (changed.includes('theme') && currentRoute?.view === 'metric') { current?.destroy?.(); current = null; route(); }
    if (changed.some((k) => k === 'range' || k === 'customStart' || k === 'customEnd')) void current?.refresh();
    if (changed.includes('service')) { hdr.setTab(tabOf(currentRoute?.view ?? 'traces')); current?.destroy?.(); current = null; route(); }
  });
  setInterval(() => { if (state.live && document.visibilityState !== 'hidden' && !stream.connected()) void refreshAll('live'); }, LIVE_MS);
  installKeys(() => current, dialog);
  installImportDrop(root, () => void refreshAll('manual'));
  route();
}

function installKeys(getView: () => View | null, dialog: HTMLDialogElement): void {
  let pendingG = 0;
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement;
    const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || t.isContentEditable;
    if (e.key === 'Escape') {
      if (dialog.open) { dialog.close(); return; }
      if (typing) { t.blur(); return; }
      const v = getView();
      if (v?.escape?.()) return;
      const r = parseRoute(location.hash);
      if (r.view === 'trace') location.hash = '#/traces';
      else if (r.view === 'metric') location.hash = '#/metrics';
      return;
    }
    if (typing) return;
    if (pendingG && Date.now() - pendingG < 1000) {
      pendingG = 0;
      const dest: Record<string, string> = { t: '#/traces', l: '#/logs', m: '#/metrics', s: '#/services', p: '#/service-map' };
      if (dest[e.key]) { location.hash = dest[e.key]; e.preventDefault(); return; }
    }
    switch (e.key) {
      case '/': {
        const input = document.querySelector<HTMLInputElement>('main [data-search]');
        if (input) { e.preventDefault(); input.focus(); input.select(); }
        return;
      }
      case '?': e.preventDefault(); if (dialog.open) dialog.close(); else dialog.showModal(); return;
      case 'g': pendingG = Date.now(); return;
      case 'j': case 'k': {
        e.preventDefault();
        const delta = e.key === 'j' ? 1 : -1;
        if (getView()?.move?.(delta)) return;
        moveSelection(delta);
        return;
      }
      case 'Enter': {
        const sel = document.querySelector<HTMLElement>('main .kb-selected');
        if (sel && (t === document.body || t === sel)) { e.preventDefault(); sel.click(); }
        return;
      }
    }
  });
}

function moveSelection(delta: number): void {
  const rows = Array.from(document.querySelectorAll<HTMLElement>('main [data-kb-row]'));
  if (!rows.length) return;
  const cur = rows.findIndex((r) => r.classList.contains('kb-selected'));
  const next = cur < 0 ? (delta > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, cur + delta));
  rows[cur]?.classList.remove('kb-selected');
  rows[next].classList.add('kb-selected');
  rows[next].focus({ preventScroll: true });
  rows[next].scrollIntoView({ block: 'nearest' });
}
