/**
 * @module ui/views/dom: tiny DOM builders. Strings always become text nodes (never HTML), so
 * telemetry can be passed as children safely, and invisible or bidi-control characters in them are
 * shown as `<U+XXXX>` (lib/visible-text.ts). Attribute values are set with setAttribute.
 */
import { visibleText } from '../lib/visible-text.js';

export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (ev: any) => void;
export type Props = Record<string, string | number | boolean | Handler | null | undefined>;

const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden']);
/** Attributes the user reads (tooltips, screen readers): shown like text. Values, ids and data-* stay exact. */
const READ_ATTRS = new Set(['title', 'aria-label']);

function apply(el: Element, props: Props | null | undefined): void {
  if (!props) return;
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false && !PROPS.has(k)) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
    else if (PROPS.has(k)) (el as any)[k] = v;
    else if (k === 'class') el.setAttribute('class', String(v));
    else el.setAttribute(k, v === true ? '' : READ_ATTRS.has(k) ? visibleText(String(v)) : String(v));
  }
}

/** Appends children: strings (hidden characters made visible) and numbers as text nodes, arrays flattened, falsy skipped. */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) for (const x of c) append(parent, x); // never spread: an array may be telemetry-sized
    else if (typeof c === 'string') parent.appendChild(document.createTextNode(visibleText(c)));
    else if (typeof c === 'number') parent.appendChild(document.createTextNode(String(c)));
    else parent.appendChild(c);
  }
}

/** Creates an HTML element: `h('td', {class: 'x', onClick: fn}, 'text', child)`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, ...children);
  return el;
}

/** Creates an SVG element. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  apply(el, props);
  append(el, ...children);
  return el;
}

/** Replaces all children of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** Shows an attribute value as text: strings as they are, everything else as JSON. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
}

/** Copies text to the clipboard and flashes the button; falls back to a hidden textarea. */
export async function copyText(text: string, button?: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const ta = h('textarea', { class: 'offscreen' });
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand('copy'); } catch { /* nothing more to try */ }
    ta.remove();
  }
  if (button) {
    button.classList.add('copied');
    setTimeout(() => button.classList.remove('copied'), 900);
  }
}

/** A small "copy" button for an id. */
export function copyButton(text: string, label = 'Copy'): HTMLButtonElement {
  const b = h('button', { class: 'btn-copy', type: 'button', title: `${label} to clipboard`, 'aria-label': label },
    s('svg', { viewBox: '0 0 16 16', width: '13', height: '13', 'aria-hidden': 'true' },
      s('rect', { x: '5', y: '5', width: '9', height: '9', rx: '1.5', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.5' }),
      s('path', { d: 'M11 3.5V3a1 1 0 0 0-1-1H3a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h.5', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.5' })));
  b.addEventListener('click', (ev) => { ev.stopPropagation(); void copyText(text, b); });
  return b;
}

/**
 * Updates `container`'s children to one element per item, reusing the element of an item whose
 * key and signature are unchanged (so selection, focus and expansion survive a refresh).
 */
export function reconcile<T>(
  container: Element, items: readonly T[], key: (t: T) => string, sig: (t: T) => string, render: (t: T) => HTMLElement,
): void {
  const old = new Map<string, HTMLElement>();
  for (const c of Array.from(container.children) as HTMLElement[]) if (c.dataset.key) old.set(c.dataset.key, c);
  const next: HTMLElement[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    const sg = sig(item);
    let el = old.get(k);
    if (!el || el.dataset.sig !== sg) {
      const fresh = render(item);
      if (el) for (const cls of ['kb-selected', 'expanded']) if (el.classList.contains(cls)) fresh.classList.add(cls);
      el = fresh;
      el.dataset.key = k;
      el.dataset.sig = sg;
    }
    next.push(el);
  }
  // Only touch the DOM where the order changed.
  let cur = container.firstElementChild;
  for (const el of next) {
    if (cur === el) { cur = cur.nextElementSibling; continue; }
    container.insertBefore(el, cur);
  }
  while (cur) { const n = cur.nextElementSibling; cur.remove(); cur = n; }
}

/**
 * Keeps only the latest of a view's refreshes: each run aborts the one before it. Errors of an
 * aborted run are dropped; others go to `onError` (a view shows them as a banner).
 */
export function latestOnly(onError: (err: unknown) => void): { run(fn: (signal: AbortSignal) => Promise<void>): Promise<void>; abort(): void } {
  let ctrl: AbortController | undefined;
  return {
    async run(fn) {
      ctrl?.abort();
      const c = (ctrl = new AbortController());
      try {
        await fn(c.signal);
      } catch (err) {
        if (!c.signal.aborted && (err as Error).name !== 'AbortError') onError(err);
      }
    },
    abort() { ctrl?.abort(); },
  };
}
