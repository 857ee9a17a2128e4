/**
 * @module ui/views/kv-table: a titled key/value table for attribute maps, with an optional
 * filter. Keys and values are text nodes.
 */
import type { Attributes } from '../api-types.js';
import { h, valueText } from './dom.js';

/** A section listing `attrs` sorted by key; nothing when empty unless `showEmpty`. */
export function kvTable(title: string, attrs: Attributes | undefined | null, filter = '', showEmpty = false): HTMLElement | null {
  const entries = Object.entries(attrs ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const f = filter.toLowerCase();
  const shown = f ? entries.filter(([k, v]) => k.toLowerCase().includes(f) || valueText(v).toLowerCase().includes(f)) : entries;
  if (!shown.length && !showEmpty) return null;
  return h('div', { class: 'kv-section' },
    h('div', { class: 'kv-title' }, title, h('span', { class: 'muted' }, ` ${shown.length}${f && shown.length !== entries.length ? `/${entries.length}` : ''}`)),
    shown.length
      ? h('table', { class: 'kv' }, h('tbody', null, ...shown.map(([k, v]) =>
        h('tr', null, h('th', { scope: 'row', title: k }, k), h('td', { class: typeof v === 'string' ? '' : 'mono' }, valueText(v))))))
      : h('div', { class: 'muted small-pad' }, 'none'));
}
