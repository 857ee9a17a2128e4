/**
 * @module ui/views/view: the contract between the shell (app.ts) and each page.
 */
import type { Route } from '../lib/route.js';

/** A mounted page. The shell calls `refresh` on live ticks and manual refreshes. */
export interface View {
  el: HTMLElement;
  /** Reloads data (`live` for the 5 s timer); must keep scroll position, selection and expanded rows. */
  refresh(reason?: 'live' | 'manual'): Promise<void>;
  /** Called when the route changes but stays on this page (e.g. a new query); return false to remount. */
  update?(route: Route): boolean;
  /** Esc: close the innermost thing; return true if something was closed. */
  escape?(): boolean;
  /** j/k: move a selection of the page's own (instead of the generic list rows); true if handled. */
  move?(delta: number): boolean;
  destroy?(): void;
}
