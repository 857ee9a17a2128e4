/**
 * @module test/realapp/compare-plan: what the compare tests (issue 19) drive on the real app, and
 * the wait until it has all arrived: one N+1 request, one batched request, then `/api/report`
 * PER_WINDOW times before and PER_WINDOW times after a deliberate slowdown (`?delay_ms=`).
 * Stops the app (both SDKs flushed) whatever happened.
 */
import { getJson, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import type { TraceSummary } from '../../src/model/model.js';
import { ITEMS, type RealApp } from './realapp.js';

/** Requests per window; the slowdown is far above the handler's own time. */
export const PER_WINDOW = 5;
export const DELAY_MS = 400;

/** The unix-second bounds of the requests before (a) and after (b) the slowdown. */
export interface CompareWindows { a: [number, number]; b: [number, number] }

/** The frontend's complete traces (root span received), newest first. */
export async function frontendTraces(tiny: TinyOllyProcess, app: RealApp, root?: string): Promise<TraceSummary[]> {
  const all = (await getJson<{ traces: TraceSummary[] }>(tiny.baseUrl, `/api/traces?limit=1000&service=${encodeURIComponent(app.frontend)}`)).body.traces;
  return all.filter((t) => !t.incomplete && (root === undefined || t.rootName === root));
}

/** Drives the plan, stops the app, and waits until every request's trace is whole in TinyOlly. */
export async function runComparePlan(tiny: TinyOllyProcess, app: RealApp): Promise<CompareWindows> {
  const ok = (got: number[]) => { if (got.some((s) => s !== 200)) throw new Error(`the real app answered ${got.join(',')}`); };
  const w: CompareWindows = { a: [0, 0], b: [0, 0] };
  try {
    ok(await app.drive('/api/n-plus-one', 1));
    ok(await app.drive('/api/batched', 1));
    w.a[0] = Date.now() / 1000;
    ok(await app.drive('/api/report', PER_WINDOW));
    w.a[1] = Date.now() / 1000;
    // "The change": the same route, now slower.
    w.b[0] = Date.now() / 1000;
    ok(await app.drive(`/api/report?delay_ms=${DELAY_MS}`, PER_WINDOW));
    w.b[1] = Date.now() / 1000;
  } finally {
    await app.stop();
  }
  // Whole: each root with at least its spans (the N+1 one with every per-item query).
  await waitFor(async () => {
    const ts = await frontendTraces(tiny, app);
    const whole = (root: string, n: number, spans: number) => ts.filter((t) => t.rootName === root && t.spanCount >= spans).length === n;
    return whole('GET /api/n-plus-one', 1, ITEMS + 1) && whole('GET /api/batched', 1, 2) && whole('GET /api/report', 2 * PER_WINDOW, 3);
  }, 90_000, 250);
  return w;
}
