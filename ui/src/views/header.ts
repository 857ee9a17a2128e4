/**
 * @module ui/views/header: the top bar: navigation tabs, time range, live/paused, manual
 * refresh, theme and help; and the status strip with /api/stats counts and storage mode.
 */
import type { Stats } from '../api-types.js';
import { clearData } from '../api.js';
import { formatClock, formatCount, timeZoneLabel } from '../lib/format.js';
import { h, replace } from './dom.js';
import { onState, state, update, type RangeKind } from './state.js';
import { traceIdBox } from './trace-id-box.js';

export interface Header {
  el: HTMLElement; setTab(tab: string): void; setStats(s: Stats | null, error?: string): void; markRefreshed(): void;
  /** Whether the live stream (GET /api/live) is open: live updates are pushed, not polled. */
  setStream(connected: boolean): void;
}

const TABS: [string, string][] = [['traces', 'Traces'], ['logs', 'Logs'], ['metrics', 'Metrics'], ['services', 'Services'], ['service-map', 'Service map'], ['ingest', 'Ingest'], ['doctor', 'Doctor']];

function toLocalInput(unixS: number | undefined): string {
  if (unixS === undefined) return '';
  const d = new Date(unixS * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Builds the header; `onRefresh` runs on the refresh button, `onHelp` on the help button. */
export function header(onRefresh: () => void, onHelp: () => void): Header {
  const tabs = TABS.map(([id, label]) => h('a', { class: 'tab', href: `#/${id}`, 'data-tab': id }, label));
  const range = h('select', { class: 'input', 'aria-label': 'Time range', title: 'Time range' },
    h('option', { value: 'all' }, 'All stored'), h('option', { value: '5m' }, 'Last 5 min'), h('option', { value: '15m' }, 'Last 15 min'),
    h('option', { value: '60m' }, 'Last 60 min'), h('option', { value: 'custom' }, 'Custom…'));
  range.value = state.range;
  const from = h('input', { type: 'datetime-local', class: 'input', 'aria-label': 'From' });
  const to = h('input', { type: 'datetime-local', class: 'input', 'aria-label': 'To' });
  const custom = h('span', { class: 'custom-range', hidden: state.range !== 'custom' }, from, h('span', { class: 'muted' }, '→'), to);
  const applyCustom = (): void => {
    const s = from.value ? new Date(from.value).getTime() / 1000 : undefined;
    const e = to.value ? new Date(to.value).getTime() / 1000 : undefined;
    update({ customStart: s, customEnd: e });
  };
  from.addEventListener('change', applyCustom);
  to.addEventListener('change', applyCustom);
  range.addEventListener('change', () => {
    const kind = range.value as RangeKind;
    custom.hidden = kind !== 'custom';
    if (kind === 'custom' && !from.value) {
      const now = Date.now() / 1000;
      from.value = toLocalInput(now - 3600);
      to.value = toLocalInput(now + 60);
      update({ customStart: now - 3600, customEnd: undefined, range: kind });
    } else update({ range: kind });
  });
  // The range can also change from outside (a deep link's ?start=&end=): show what the state says.
  onState((changed) => {
    if (!changed.some((k) => k === 'range' || k === 'customStart' || k === 'customEnd')) return;
    range.value = state.range;
    custom.hidden = state.range !== 'custom';
    if (state.range === 'custom') {
      from.value = state.customStart === undefined ? '' : toLocalInput(state.customStart);
      to.value = state.customEnd === undefined ? '' : toLocalInput(state.customEnd);
    }
  });
  const live = h('button', { class: 'btn live', type: 'button', 'data-testid': 'live-toggle' });
  let streaming = false;
  const paintLive = (): void => {
    live.replaceChildren(h('span', { class: 'live-dot', 'aria-hidden': 'true' }), state.live ? 'Live' : 'Paused');
    live.classList.toggle('on', state.live);
    live.setAttribute('aria-pressed', String(state.live));
    live.dataset.stream = streaming ? 'on' : 'off';
    live.title = !state.live ? 'Paused (click to resume live updates)'
      : streaming ? 'Live: updates are pushed as data arrives (click to pause)' : 'Live: refreshing every 5 s (click to pause)';
  };
  paintLive();
  live.addEventListener('click', () => { update({ live: !state.live }); paintLive(); });
  const refresh = h('button', { class: 'btn icon', type: 'button', title: 'Refresh now', 'aria-label': 'Refresh now', 'data-testid': 'refresh' }, '⟳');
  refresh.addEventListener('click', onRefresh);
  const theme = h('button', { class: 'btn icon', type: 'button', 'data-testid': 'theme-toggle' });
  const paintTheme = (): void => {
    theme.textContent = state.theme === 'dark' ? '☀' : '☾';
    theme.title = state.theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme';
    theme.setAttribute('aria-label', theme.title);
  };
  paintTheme();
  theme.addEventListener('click', () => { update({ theme: state.theme === 'dark' ? 'light' : 'dark' }); paintTheme(); });
  const help = h('button', { class: 'btn icon', type: 'button', title: 'Keyboard shortcuts (?)', 'aria-label': 'Keyboard shortcuts' }, '?');
  help.addEventListener('click', onHelp);

  const stats = h('div', { class: 'stats', 'data-testid': 'stats' });
  const filterChip = h('span', { class: 'filter-chip-host' });
  const refreshed = h('span', { class: 'muted refreshed' });
  // Every time shown is local, 24 h, with milliseconds: the zone is named once, here.
  const zone = h('span', { class: 'muted time-zone', 'data-testid': 'time-zone', title: 'Times are shown in this time zone' }, `times in ${timeZoneLabel()}`);
  const top = h('div', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/traces', 'aria-label': 'TinyOlly home' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '◉'), 'TinyOlly'),
    h('nav', { class: 'tabs', 'aria-label': 'Views' }, ...tabs),
    h('div', { class: 'spacer' }),
    h('div', { class: 'controls' }, traceIdBox(), range, custom, live, refresh, theme, help));
  const retention = h('span', { class: 'muted retention', 'data-testid': 'retention' });
  const clear = clearDataButton(onRefresh);
  const strip = h('div', { class: 'statusbar' }, stats, filterChip, h('div', { class: 'spacer' }), retention, zone, refreshed, clear);
  const el = h('header', { class: 'app-header' }, top, strip);

  const paintFilter = (): void => {
    if (!state.service) { filterChip.replaceChildren(); return; }
    const x = h('button', { class: 'chip-x', type: 'button', 'aria-label': 'Clear service filter', title: 'Clear service filter' }, '✕');
    x.addEventListener('click', () => update({ service: '' }));
    replace(filterChip, h('span', { class: 'filter-chip' }, h('span', { class: 'muted' }, 'service: '), state.service, x));
  };
  paintFilter();

  return {
    el,
    setTab(tab) { for (const t of tabs) t.classList.toggle('active', t.dataset.tab === tab); paintFilter(); },
    setStats(s, error) {
      if (error) { replace(stats, h('span', { class: 'err-text' }, error)); return; }
      if (!s) return;
      if (s.ttlSeconds) {
        retention.textContent = `data expires ${retentionText(s.ttlSeconds)} after it arrives`;
        retention.title = 'Retention (TINYOLLY_TTL_SECONDS, --ttl): older data leaves the lists by itself';
      }
      const item = (n: number, label: string, key: string): HTMLElement => h('span', { class: 'stat', 'data-stat': key }, h('strong', null, formatCount(n)), ` ${label}`);
      replace(stats,
        item(s.traces, 'traces', 'traces'), item(s.spans, 'spans', 'spans'), item(s.logs, 'logs', 'logs'), item(s.metrics, 'metrics', 'metrics'),
        h('span', { class: `badge storage storage-${s.storage}`, 'data-testid': 'storage', title: 'Storage mode' }, s.storage),
        s.droppedSeries ? h('span', { class: 'badge warn', title: 'Series refused by TINYOLLY_MAX_SERIES_PER_METRIC' }, `${s.droppedSeries} series dropped`) : null);
    },
    setStream(connected) { streaming = connected; paintLive(); },
    markRefreshed() { refreshed.textContent = `updated ${formatClock(Date.now())}`; },
  };
}

/** `10 min`, `90 s`, `2 h`, `1.5 h`. */
export function retentionText(ttlSeconds: number): string {
  if (ttlSeconds < 120) return `${ttlSeconds} s`;
  if (ttlSeconds < 7200) return `${Math.round(ttlSeconds / 60)} min`;
  if (ttlSeconds < 2 * 86400) return `${Math.round(ttlSeconds / 360) / 10} h`;
  return `${Math.round(ttlSeconds / 8640) / 10} days`;
}

/** "Clear data" with a confirmation dialog; DELETE /api/data, then `after()`. */
function clearDataButton(after: () => void): HTMLElement {
  const button = h('button', { class: 'btn small-btn', type: 'button', 'data-testid': 'clear-data', title: 'Delete everything TinyOlly stored' }, 'Clear data');
  const note = h('p', { class: 'muted' });
  const yes = h('button', { class: 'btn danger', type: 'button', 'data-testid': 'clear-data-confirm' }, 'Delete everything');
  const no = h('button', { class: 'btn', type: 'button', 'data-testid': 'clear-data-cancel' }, 'Cancel');
  const dialog = h('dialog', { class: 'confirm-dialog', 'aria-label': 'Clear data' },
    h('h3', null, 'Delete all stored data?'),
    h('p', null, 'Every trace, log and metric this TinyOlly holds is removed, for every browser looking at it. This cannot be undone.'),
    note, h('div', { class: 'dialog-actions' }, no, yes));
  button.addEventListener('click', () => { note.textContent = ''; dialog.showModal(); no.focus(); });
  no.addEventListener('click', () => dialog.close());
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      await clearData();
      dialog.close();
      after();
    } catch (err) {
      note.textContent = err instanceof Error ? err.message : 'Clearing failed';
    } finally { yes.disabled = false; }
  });
  return h('span', { class: 'clear-data' }, button, dialog);
}
