/**
 * @module ui/views/pager: "Load more" for a list view (CONTRACT §7 cursors). The view refreshes its
 * first page as before; the pager keeps the rows later pages brought, and the cursor, for as long
 * as the query stays the same (a new filter starts again from the first page).
 */
import type { Page } from '../api-types.js';
import { h } from './dom.js';

export interface Pager<T> {
  /** The "Load more" button (hidden when there is no next page). */
  el: HTMLElement;
  /**
   * The rows to show: the first page (just fetched for `queryKey`) followed by the rows later pages
   * loaded for the same key, each once.
   */
  rows(queryKey: string, first: Page<T>): T[];
  /** Whether more pages were loaded beyond the first. */
  readonly extended: boolean;
  /** What the list's status line adds after its count: ` · more below`, ` (newest N)` or nothing. */
  tail(shown: number, firstPageSize: number): string;
}

/**
 * A pager whose button fetches the page after the last loaded one (`fetchPage(cursor)`), then calls
 * `onMore()` so the view renders again (without fetching its first page).
 */
export function pager<T>(opts: { key: (t: T) => string; fetchPage: (cursor: string) => Promise<Page<T>>; onMore: () => void; noun: string }): Pager<T> {
  let queryKey: string | undefined;
  let extra: T[] = [];
  let cursor: string | null = null;
  let busy = false;
  const button = h('button', { type: 'button', class: 'btn load-more', 'data-testid': 'load-more' }, `Load more ${opts.noun}`);
  const el = h('div', { class: 'load-more-bar' }, button);
  const show = (): void => { el.hidden = cursor === null; };
  button.addEventListener('click', async () => {
    if (busy || cursor === null) return;
    busy = true;
    button.disabled = true;
    button.textContent = 'Loading…';
    const forKey = queryKey;
    try {
      const page = await opts.fetchPage(cursor);
      if (forKey !== queryKey) return;
      extra = extra.concat(page.items);
      cursor = page.nextCursor;
      opts.onMore();
    } catch {
      button.title = 'Loading the next page failed; click to try again';
    } finally {
      busy = false;
      button.disabled = false;
      button.textContent = `Load more ${opts.noun}`;
      show();
    }
  });
  show();
  return {
    el,
    get extended() { return extra.length > 0; },
    tail(shown, firstPageSize) {
      if (cursor !== null) return ' · more below';
      return extra.length === 0 && shown >= firstPageSize ? ` (newest ${firstPageSize})` : '';
    },
    rows(key, first) {
      if (key !== queryKey) { queryKey = key; extra = []; cursor = null; }
      if (extra.length === 0) cursor = first.nextCursor;
      show();
      if (extra.length === 0) return first.items;
      const seen = new Set(first.items.map(opts.key));
      return first.items.concat(extra.filter((t) => !seen.has(opts.key(t))));
    },
  };
}
