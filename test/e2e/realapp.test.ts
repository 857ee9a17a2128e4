/**
 * End to end with a real app (issue 13): two Express services (frontend → backend → PostgreSQL),
 * auto-instrumented with the official Node SDK, export to TinyOlly over OTLP http/protobuf. The
 * assertions are against what the app really sent: the requests the driver made and their
 * statuses. Runs against both stores. PostgreSQL not answering fails with a clear message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { deletePrefixKeys, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis-prefix.js';
import { ITEMS, runPlan, startRealApp, type RealApp } from '../realapp/realapp.js';
import { criticalPath } from '../../ui/src/lib/critical-path.js';
import { layoutWaterfall } from '../../ui/src/lib/waterfall.js';
import type { OperationStats, ServiceMap, ServiceStats, Span, TraceSummary } from '../../src/model/model.js';

/** Requests driven per frontend route; every 5th flaky request fails (the backend counts them). */
const PLAN = [['/api/normal', 5], ['/api/flaky', 10], ['/api/n-plus-one', 2], ['/api/batched', 3]] as const;
/** pg.query spans per request of each route (the pool checkouts carry no statement). */
const DB_NODE = 'postgresql test';

describe.each(['memory', 'redis'] as const)('a real instrumented app on the %s store', (storage) => {
  const prefix = uniquePrefix('realapp');
  let tiny: TinyOllyProcess;
  let app: RealApp;
  let statuses = new Map<string, number[]>();
  let total = 0;
  let failed = 0;
  let queries = 0;

  const services = async (): Promise<ServiceStats[]> => (await getJson<{ services: ServiceStats[] }>(tiny.baseUrl, '/api/services')).body.services;
  const operations = async (svc: string): Promise<OperationStats[]> =>
    (await getJson<{ operations: OperationStats[] }>(tiny.baseUrl, `/api/services/${encodeURIComponent(svc)}/operations`)).body.operations;
  const serverOps = (ops: OperationStats[]): OperationStats[] => ops.filter((o) => o.kind === 'SERVER');
  const traceOf = async (id: string): Promise<{ incomplete: boolean; spans: Span[] }> => (await getJson(tiny.baseUrl, `/api/traces/${id}`)).body;
  const tracesNamed = async (root: string): Promise<TraceSummary[]> =>
    (await getJson<{ traces: TraceSummary[] }>(tiny.baseUrl, `/api/traces?limit=1000&service=${encodeURIComponent(app.frontend)}`)).body.traces
      .filter((t) => t.rootName === root);

  beforeAll(async () => {
    tiny = await startTinyOlly(storage === 'redis' ? { REDIS_URL: SHARED_REDIS_URL, TINYOLLY_KEY_PREFIX: prefix } : {});
    app = await startRealApp(tiny.otlpHttpUrl);
    ({ statuses, total, failed, queries } = await runPlan(app, PLAN));
    // Everything the app sent has arrived once the frontend shows every request and the backend every query.
    await waitFor(async () => {
      const front = serverOps(await operations(app.frontend).catch(() => []));
      const map = (await getJson<ServiceMap>(tiny.baseUrl, '/api/service-map')).body;
      const db = map.edges.find((e) => e.source === app.backend && e.target === DB_NODE);
      const backOps = serverOps(await operations(app.backend).catch(() => []));
      return front.reduce((n, o) => n + o.requestCount, 0) === total && backOps.reduce((n, o) => n + o.requestCount, 0) === total
        && db?.callCount === queries;
    }, 90_000, 250).catch(async (e) => {
      throw new Error(`the app's spans did not all arrive: ${String(e)}\nservices: ${JSON.stringify(await services())}`);
    });
  }, 240_000);

  afterAll(async () => {
    await app?.stop();
    await tiny?.stop();
    if (storage === 'redis') await deletePrefixKeys(prefix);
  });

  it('drove what it meant to: every 5th flaky request failed, nothing else did', () => {
    expect(statuses.get('/api/flaky')).toEqual([200, 200, 200, 200, 500, 200, 200, 200, 200, 500]);
    expect(failed).toBe(2);
    for (const r of ['/api/normal', '/api/n-plus-one', '/api/batched']) expect(statuses.get(r)!.every((s) => s === 200)).toBe(true);
  });

  it('shows the share of failed requests as the services error rate, not error spans over all spans', async () => {
    const front = (await services()).find((s) => s.name === app.frontend)!;
    // Stray root spans outside any request (a dns.lookup at start-up) are entry spans too: count them as the API does.
    const strays = (await operations(app.frontend)).filter((o) => o.kind !== 'SERVER').reduce((n, o) => n + o.requestCount, 0);
    expect(front.requestCount).toBe(total + strays);
    expect(front.requestErrorCount).toBe(failed);
    if (strays === 0) expect(front.requestErrorCount / front.requestCount).toBe(failed / total);
    // What the old rate did: errors over every span (middleware, handlers, client calls) — far lower.
    expect(front.errorCount / front.spanCount).toBeLessThan((failed / total) / 2);
    expect(front.p50Ms).toBeGreaterThan(0);
    expect(front.p99Ms).toBeGreaterThanOrEqual(front.p95Ms!);
    expect(front.ratePerMinute).toBeGreaterThan(0);
  });

  it('lists the routes as operations with the right counts, errors and sparklines', async () => {
    const front = serverOps(await operations(app.frontend));
    expect(front.map((o) => [o.name, o.requestCount, o.requestErrorCount]).sort()).toEqual([
      ['GET /api/batched', 3, 0], ['GET /api/flaky', 10, 2], ['GET /api/n-plus-one', 2, 0], ['GET /api/normal', 5, 0],
    ]);
    expect(front[0].name).toBe('GET /api/flaky');
    const flaky = front.find((o) => o.name === 'GET /api/flaky')!;
    expect(flaky.requestErrorCount / flaky.requestCount).toBe(0.2);
    for (const o of front) {
      expect(o.sparkline).toHaveLength(30);
      expect(o.sparkline.reduce((a, b) => a + b, 0)).toBe(o.requestCount);
    }
    const back = serverOps(await operations(app.backend));
    expect(back.map((o) => [o.name, o.requestCount, o.requestErrorCount]).sort()).toEqual([
      ['GET /flaky', 10, 2], ['GET /item/:id', 5, 0], ['GET /items/batched', 3, 0], ['GET /items/n-plus-one', 2, 0],
    ]);
    expect((await getJson(tiny.baseUrl, '/api/services/no-such-service/operations')).status).toBe(404);
  });

  it('draws the postgresql database node with one call per query', async () => {
    const map = (await getJson<ServiceMap>(tiny.baseUrl, '/api/service-map')).body;
    expect(map.nodes).toContainEqual({ name: DB_NODE, type: 'database' });
    expect(map.nodes).toContainEqual({ name: app.frontend, type: 'service' });
    expect(map.nodes).toContainEqual({ name: app.backend, type: 'service' });
    const db = map.edges.find((e) => e.source === app.backend && e.target === DB_NODE)!;
    expect(db).toMatchObject({ callCount: queries, errorCount: 0 });
    expect(db.p50Ms).toBeGreaterThan(0);
    // The HTTP call is answered by the instrumented backend: an edge between services, no external node.
    expect(map.edges.find((e) => e.source === app.frontend && e.target === app.backend)).toMatchObject({ callCount: total, errorCount: failed });
    expect(map.nodes.filter((n) => n.type === 'external').map((n) => n.name)).not.toContain('127.0.0.1');
  });

  it('keeps the SQL on pg spans (db.query.text, not db.statement) and shows N query spans for the N+1 route', async () => {
    const [n1] = await tracesNamed('GET /api/n-plus-one');
    const [batched] = await tracesNamed('GET /api/batched');
    const n1Spans = (await traceOf(n1.traceId)).spans;
    const pg = n1Spans.filter((s) => s.kind === 'CLIENT' && s.attributes['db.system.name'] === 'postgresql' && s.attributes['db.query.text'] !== undefined);
    expect(pg[0].attributes['db.query.text']).toContain(`FROM ${app.table}`);
    expect(pg[0].attributes['db.statement']).toBeUndefined();
    expect(pg[0].attributes['db.namespace']).toBe('test');
    const perItem = pg.filter((s) => String(s.attributes['db.query.text']).includes('WHERE id = $1'));
    expect(perItem).toHaveLength(ITEMS);
    const batchedPg = (await traceOf(batched.traceId)).spans.filter((s) => s.attributes['db.query.text'] !== undefined);
    expect(batchedPg).toHaveLength(2);
    expect(n1.incomplete).toBe(false);
    expect((await traceOf(n1.traceId)).incomplete).toBe(false);
  });

  it('takes the critical path of every request through its handler, the backend and the database', async () => {
    for (const root of ['GET /api/normal', 'GET /api/flaky', 'GET /api/batched']) {
      for (const t of await tracesNamed(root)) {
        const { spans } = await traceOf(t.traceId);
        const { rows } = layoutWaterfall(spans);
        const onPath = new Set([...criticalPath(rows)].map((i) => rows[i].span.spanId));
        const client = spans.find((s) => s.kind === 'CLIENT' && s.service === app.frontend)!;
        const handler = spans.find((s) => s.spanId === client.parentSpanId)!;
        const backendServer = spans.find((s) => s.kind === 'SERVER' && s.service === app.backend)!;
        // The query that ends last (two queries can start in the same millisecond, so not the array's last).
        const lastQuery = rows.filter((r) => r.span.attributes['db.query.text'] !== undefined)
          .reduce((a, b) => (b.endMs > a.endMs ? b : a)).span;
        const names = (ids: Set<string>): string[] => spans.filter((s) => ids.has(s.spanId)).map((s) => s.name);
        const want = [handler, client, backendServer, lastQuery];
        // On failure, the trace as the walk saw it (offsets in ms from the trace start).
        const dump = rows.map((r) => `${onPath.has(r.span.spanId) ? '*' : ' '}${'  '.repeat(r.depth)}${r.span.name} [${r.span.service === app.backend ? 'back' : 'front'} ${r.span.kind}] ${r.offsetMs.toFixed(3)}..${r.endMs.toFixed(3)}`).join('\n');
        expect(want.filter((s) => !onPath.has(s.spanId)).map((s) => s.name), `${root} ${t.traceId}: path ${names(onPath).join(' > ')}\n${dump}`).toEqual([]);
      }
    }
  });
});
