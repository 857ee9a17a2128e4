/**
 * @module query/trace-pages: reads every trace summary a query matches, newest first, a page at a
 * time (never all at once), for the readers that need more than one `findTraces` limit: the export
 * stream and the windows form of compare. Works over any Store.
 */
import type { TraceSummary } from '../model/model.js';
import type { Store, TraceQuery } from '../store/store.js';
import { nanosToMs } from './traces.js';

const PAGE = 1000;
/** Slack added to a page's oldest time so that items at exactly that time are never skipped. */
const OVERLAP_SECONDS = 1e-6;

/**
 * Trace summaries matching `q`, newest first by start time, paged with `end` moving back (ids
 * already seen on the previous pages are skipped). Stops when a page is short or brings nothing new.
 */
export async function* traceSummaryPages(store: Store, q: Omit<TraceQuery, 'limit' | 'sort' | 'order'>): AsyncGenerator<TraceSummary> {
  let end = q.end;
  let previous = new Set<string>();
  for (;;) {
    const page = await store.findTraces({ ...q, end, limit: PAGE, sort: 'start', order: 'desc' });
    const seen = new Set<string>();
    let fresh = 0;
    for (const t of page) {
      seen.add(t.traceId);
      if (previous.has(t.traceId)) continue;
      fresh++;
      yield t;
    }
    if (page.length < PAGE || fresh === 0) return;
    for (const id of previous) if (seen.size < 4 * PAGE) seen.add(id);
    previous = seen;
    end = nanosToMs(page[page.length - 1].startTimeUnixNano) / 1000 + OVERLAP_SECONDS;
  }
}
