/**
 * @module ui/views/shortcuts: the keyboard shortcuts dialog (`?`).
 */
import { h } from './dom.js';

const KEYS: [string, string][] = [
  ['/', 'Focus the search box'], ['j / k', 'Move down / up in a list or the waterfall'], ['Enter', 'Open the selected row'],
  ['Esc', 'Close details, dialogs, or go back'], ['g t / g l / g m / g s', 'Go to traces, logs, metrics, services'], ['?', 'Show this help'],
];

/** Builds (hidden) the shortcuts dialog. */
export function shortcutsDialog(): HTMLDialogElement {
  const close = h('button', { class: 'btn', type: 'button' }, 'Close');
  const dlg = h('dialog', { class: 'shortcuts', 'aria-label': 'Keyboard shortcuts', 'data-testid': 'shortcuts' },
    h('h2', null, 'Keyboard shortcuts'),
    h('table', { class: 'kv' }, h('tbody', null, ...KEYS.map(([k, d]) => h('tr', null, h('th', { scope: 'row' }, h('kbd', null, k)), h('td', null, d))))),
    h('div', { class: 'dialog-actions' }, close));
  close.addEventListener('click', () => dlg.close());
  dlg.addEventListener('click', (e) => { if (e.target === dlg) dlg.close(); });
  return dlg;
}
