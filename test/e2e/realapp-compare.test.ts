/**
 * End to end with the real instrumented app (issue 19): GET /api/compare on what two Express
 * services and PostgreSQL really sent. One N+1 request against one batched request names the
 * per-item SQL and its count; two windows of the same route, before and after a deliberate
 * slowdown (`/api/report?delay_ms=`), report `slower` at the span that holds the delay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { ITEMS, startRealApp, type RealApp } from '../realapp/realapp.js';
import { DELAY_MS, frontendTraces, PER_WINDOW, runComparePlan, type CompareWindows } from '../realapp/compare-plan.js';

describe('compare on a real instrumented app', () => {
  let tiny: TinyOllyProcess;
  let app: RealApp;
  let windows: CompareWindows;
  const rootsNamed = (root: string) => frontendTraces(tiny, app, root);

  beforeAll(async () => {
    tiny = await startTinyOlly();
    app = await startRealApp(tiny.otlpHttpUrl);
    windows = await runComparePlan(tiny, app);
  }, 240_000);

  afterAll(async () => {
    await app?.stop();
    await tiny?.stop();
  });

  it('one N+1 request against its batched twin: the n-plus-one finding names the per-item SQL and the count', async () => {
    const [n1] = await rootsNamed('GET /api/n-plus-one');
    const [batched] = await rootsNamed('GET /api/batched');
    const r = await getJson(tiny.baseUrl, `/api/compare?a=${batched.traceId}&b=${n1.traceId}`);
    expect(r.status).toBe(200);
    const found = r.body.findings.filter((f: any) => f.kind === 'n-plus-one');
    expect(found, JSON.stringify(r.body.findings, null, 1)).toHaveLength(1);
    const [f] = found;
    expect(f).toMatchObject({ side: 'b', count: ITEMS, statement: `SELECT id, name FROM ${app.table} WHERE id = $1` });
    expect(f.path[0]).toBe(`${app.frontend}:GET /api/n-plus-one`);
    expect(f.path.at(-1)).toMatch(new RegExp(`^${app.backend}:`));
    expect(f.detail).toContain(`${ITEMS} ×`);
    // The node of the per-item query holds every repeat, folded: 20 in B, none in A (another route).
    const node = r.body.nodes.find((n: any) => n.path.join('>') === f.path.join('>'));
    expect(node).toMatchObject({ countA: 0, status: 'added' });
    expect(node.countB).toBeGreaterThanOrEqual(ITEMS);
    // The batched trace alone has none.
    const self = await getJson(tiny.baseUrl, `/api/compare?a=${batched.traceId}&b=${batched.traceId}`);
    expect(self.body.findings.filter((x: any) => x.kind === 'n-plus-one')).toEqual([]);
  });

  it('two windows of GET /api/report, before and after a deliberate slowdown: slower, at the span that holds it', async () => {
    const q = new URLSearchParams({
      root: 'GET /api/report', service: app.frontend,
      a_start: String(windows.a[0] - 0.001), a_end: String(windows.a[1]), b_start: String(windows.b[0]), b_end: String(windows.b[1] + 0.001),
    });
    const r = await getJson(tiny.baseUrl, `/api/compare?${q}`);
    expect(r.status).toBe(200);
    expect(r.body.a).toMatchObject({ rootName: 'GET /api/report', traceCount: PER_WINDOW });
    expect(r.body.b).toMatchObject({ traceCount: PER_WINDOW });
    const slower = r.body.findings.filter((f: any) => f.kind === 'slower');
    expect(slower.length, JSON.stringify(r.body.findings, null, 1)).toBeGreaterThan(0);
    expect(slower[0].path.at(-1)).toBe(`${app.backend}:report.render`);
    const render = r.body.nodes.find((n: any) => n.path.at(-1) === `${app.backend}:report.render`);
    // The delay is a floor (a timer never fires early), so this holds however busy the machine is.
    expect(render.p50MsB).toBeGreaterThanOrEqual(DELAY_MS - 1);
    expect(render.status).toBe('changed');
    // Same route, same shape: the root aligns in both windows, and no N+1 or new error.
    expect(r.body.nodes[0]).toMatchObject({ path: [`${app.frontend}:GET /api/report`], countA: 1, countB: 1 });
    expect(r.body.findings.filter((f: any) => f.kind === 'n-plus-one' || f.kind === 'new-error')).toEqual([]);
  });
});
