/**
 * @module ui/views/live-hold: "N new" for a list that live updates would move while it is read.
 * While the user reads (the page is scrolled, a row is expanded or selected), a live refresh does
 * not re-render the list: it counts the rows that would be added and shows a chip; the chip (or
 * any refresh that is not live while reading) shows them.
 */
import { h } from './dom.js';

export interface LiveHold {
  /** The chip ("N new"), hidden while nothing is held. */
  el: HTMLElement;
  /**
   * Whether this refresh should only be counted: a live one while the user reads `list` (whose rows
   * carry `data-key`, as dom.reconcile sets it). When so, the `items` not shown yet are announced;
   * otherwise the chip is cleared.
   */
  holds<T>(reason: string | undefined, list: HTMLElement, items: readonly T[], key: (t: T) => string): boolean;
}

/** Whether the user is reading `list`: the page scrolled, or a row of it expanded or keyboard-selected. */
export function isReading(list: HTMLElement): boolean {
  const scroller = list.closest('.app-main');
  if (scroller && scroller.scrollTop > 0) return true;
  return list.querySelector('.expanded, .kb-selected') !== null;
}

/** A hold whose chip calls `apply()` (render what was held) and scrolls the list's page to the top. */
export function liveHold(noun: string, apply: () => void): LiveHold {
  const el = h('button', { type: 'button', class: 'btn new-chip', 'data-testid': 'new-items', hidden: true });
  let scroller: Element | null = null;
  el.addEventListener('click', () => {
    el.hidden = true;
    apply();
    scroller?.scrollTo({ top: 0 });
  });
  return {
    el,
    holds(reason, list, items, key) {
      if (reason !== 'live' || !isReading(list)) { el.hidden = true; return false; }
      scroller = list.closest('.app-main');
      const shown = new Set(Array.from(list.children, (c) => (c as HTMLElement).dataset.key));
      const n = items.filter((t) => !shown.has(key(t))).length;
      if (n > 0) {
        el.textContent = `↑ ${n} new ${noun}`;
        el.title = `Show the ${n} new ${noun} (updates pause while you scroll or have a row open)`;
        el.hidden = false;
      }
      return true;
    },
  };
}
