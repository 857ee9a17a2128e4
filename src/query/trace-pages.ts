/**
 * @module query/trace-pages: reads every trace summary a query matches, newest first, a page at a
 * time (never all at once), for the readers that need more than one `findTraces` limit: the export
 * stream and the windows form of compare. Works over any Store.
 */
import type { TraceSummary } from '../model/model.js';
import type { Store, TraceQuery } from '../store/store.js';

const PAGE = 1000;

/**
 * Trace summaries matching `q`, newest first by start time, paged by keyset (the previous page's
 * last row as `after`, CONTRACT §7), so traces sharing a start time are neither skipped nor repeated
 * however many there are. Stops at a short page.
 */
export async function* traceSummaryPages(store: Store, q: Omit<TraceQuery, 'limit' | 'sort' | 'order'>): AsyncGenerator<TraceSummary> {
  let after: TraceQuery['after'];
  for (;;) {
    const page = await store.findTraces({ ...q, after, limit: PAGE, sort: 'start', order: 'desc' });
    for (const t of page) yield t;
    if (page.length < PAGE) return;
    const last = page[page.length - 1];
    after = { durationMs: last.durationMs, startTimeUnixNano: last.startTimeUnixNano, traceId: last.traceId };
  }
}
