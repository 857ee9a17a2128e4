/**
 * @module ui/views/filters: small shared form controls for the filter bars (debounced text
 * inputs, service selects fed by /api/services).
 */
import { listServices } from '../api.js';
import type { ServiceStats } from '../api-types.js';
import { append, h } from './dom.js';

/** A text input that calls `onChange` 250 ms after typing stops (and at once on Enter). */
export function textFilter(opts: { placeholder: string; value: string; label: string; search?: boolean; width?: string; onChange: (v: string) => void }): HTMLInputElement {
  const input = h('input', {
    type: 'search', class: 'input', placeholder: opts.placeholder, 'aria-label': opts.label, value: opts.value,
    'data-search': opts.search ? '' : null, spellcheck: 'false', autocomplete: 'off',
  });
  if (opts.width) input.style.width = opts.width;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = opts.value;
  const fire = (): void => { if (input.value !== last) { last = input.value; opts.onChange(input.value.trim()); } };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(fire, 250); });
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { clearTimeout(timer); fire(); } });
  return input;
}

/**
 * A select of the known services (refreshed on each call to `reload`), with an "All services" entry;
 * with `countOf`, each entry shows that count (e.g. the service's spans).
 */
export function serviceSelect(value: string, onChange: (v: string) => void, countOf?: (s: ServiceStats) => number, noun = ''): { el: HTMLSelectElement; reload(signal?: AbortSignal): Promise<void> } {
  const el = h('select', { class: 'input', 'aria-label': 'Service' }, h('option', { value: '' }, 'All services'));
  let current = value;
  if (value) el.appendChild(h('option', { value }, value));
  el.value = value;
  el.addEventListener('change', () => { current = el.value; onChange(el.value); });
  return {
    el,
    async reload(signal) {
      try {
        const services = await listServices(signal);
        const names = services.map((s) => s.name).sort();
        const label = new Map(services.map((s) => [s.name, countOf ? `${s.name} (${countOf(s)}${noun})` : s.name]));
        if (current && !names.includes(current)) names.unshift(current);
        const existing = Array.from(el.options).slice(1).map((o) => o.value);
        if (existing.join('\u0000') === names.join('\u0000')) {
          // Same services: only the counts change, in place (an open dropdown stays open).
          for (const o of Array.from(el.options).slice(1)) { const l = label.get(o.value) ?? o.value; if (o.textContent !== l) o.textContent = l; }
          return;
        }
        el.replaceChildren(h('option', { value: '' }, 'All services'));
        append(el, names.map((n) => h('option', { value: n }, label.get(n) ?? n)));
        el.value = current;
      } catch { /* keep the old list */ }
    },
  };
}

/** A labelled checkbox. */
export function checkbox(label: string, checked: boolean, onChange: (v: boolean) => void): HTMLLabelElement {
  const input = h('input', { type: 'checkbox', checked });
  input.addEventListener('change', () => onChange(input.checked));
  return h('label', { class: 'check' }, input, label);
}

let listSeq = 0;

/**
 * Suggestions for a text input (a <datalist>, options as text): `fetch(text)` is asked 150 ms after
 * typing stops and on focus; its answer replaces the options. Returns the datalist to place beside the input.
 */
export function suggestions(input: HTMLInputElement, fetch: (text: string) => Promise<string[]>): HTMLDataListElement {
  const id = `suggest-${++listSeq}`;
  const list = h('datalist', { id, 'data-testid': 'suggestions' });
  input.setAttribute('list', id);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  const load = async (): Promise<void> => {
    const mine = ++seq;
    try {
      const items = await fetch(input.value);
      if (mine !== seq) return;
      const have = Array.from(list.options).map((o) => o.value);
      if (have.join('\u0000') === items.join('\u0000')) return;
      list.replaceChildren(...items.slice(0, 50).map((v) => h('option', { value: v })));
    } catch { /* no suggestions */ }
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => void load(), 150); });
  input.addEventListener('focus', () => void load());
  return list;
}
