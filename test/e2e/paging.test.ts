/**
 * End to end (CONTRACT §7 paging and the trace-id look-up): the real TinyOlly, fed by the official
 * OpenTelemetry JS SDK exporters, pages traces, logs and metrics with `cursor`/`nextCursor`: every
 * item once, none skipped, also while more data arrives; on the memory and the Redis store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { deletePrefixKeys, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis-prefix.js';
import { loggerProvider, meterProvider, tracerProvider } from '../helpers/otel-sdk.js';

const PREFIX = uniquePrefix('paging');
const T0 = 1_700_000_000;
const N = 120;

/** Every page of a list route, following nextCursor; fails on a loop. */
async function pageAll<T>(app: TinyOllyProcess, path: string, key: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await getJson<Record<string, unknown>>(app.baseUrl, path + (cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''));
    expect(res.status).toBe(200);
    items.push(...(res.body[key] as T[]));
    cursor = res.body.nextCursor as string | null;
    expect(cursor === null || typeof cursor === 'string').toBe(true);
    if (++pages > 1000) throw new Error('nextCursor loops');
  } while (cursor !== null);
  return { items, pages };
}

describe.each(['memory', 'redis'] as const)('paging with the %s store', (storage) => {
  let app: TinyOllyProcess;
  const target = () => ({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl });

  /** Exports `count` one-span traces named `${name}-i`, trace i starting at T0 + offset + i ms. */
  async function exportTraces(name: string, count: number, offsetMs: number): Promise<string[]> {
    const tp = tracerProvider(target(), { protocol: 'http/protobuf', serviceName: 'pager', batch: true });
    const tracer = tp.getTracer('paging');
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      // Pairs share a start millisecond: the cursor's tie-break (trace id) must hold.
      const ms = offsetMs + Math.floor(i / 2);
      const s = tracer.startSpan(`${name}-${i}`, { startTime: [T0 + Math.floor(ms / 1000), (ms % 1000) * 1e6] });
      s.end([T0 + Math.floor(ms / 1000), (ms % 1000) * 1e6 + ((i * 7) % 5 + 1) * 1e6]);
      ids.push(s.spanContext().traceId);
    }
    await tp.forceFlush();
    await tp.shutdown();
    return ids;
  }

  beforeAll(async () => {
    app = await startTinyOlly(storage === 'redis' ? { REDIS_URL: SHARED_REDIS_URL, TINYOLLY_KEY_PREFIX: PREFIX } : {});
  });
  afterAll(async () => {
    await app?.stop();
    if (storage === 'redis') await deletePrefixKeys(PREFIX);
  });

  it('pages traces by start and by duration: each trace once, in the order of one big page, also under concurrent ingest', async () => {
    const ids = await exportTraces('first', N, 0);
    await waitFor(async () => (await getJson(app.baseUrl, '/api/traces?limit=1000&service=pager')).body.traces.length >= N, 20_000);
    for (const order of ['sort=start&order=desc', 'sort=start&order=asc', 'sort=duration&order=desc', 'sort=duration&order=asc']) {
      const one = (await getJson(app.baseUrl, `/api/traces?limit=1000&service=pager&${order}`)).body;
      expect(one.nextCursor).toBeNull();
      const paged = await pageAll<{ traceId: string }>(app, `/api/traces?limit=7&service=pager&${order}`, 'traces');
      expect(paged.items.map((t) => t.traceId), order).toEqual(one.traces.map((t: { traceId: string }) => t.traceId));
      expect(paged.pages).toBeGreaterThan(N / 7);
    }
    // Newer traces arrive while a reader pages newest first: the older ones are all seen, once.
    const reading = pageAll<{ traceId: string }>(app, '/api/traces?limit=9&service=pager', 'traces');
    const more = exportTraces('later', 40, 100_000);
    const [paged] = await Promise.all([reading, more]);
    const seen = paged.items.map((t) => t.traceId);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
  });

  it('pages logs newest first, each record once, ties in time included', async () => {
    const lp = loggerProvider(target(), { protocol: 'http/json', serviceName: 'log-pager', batch: true });
    const logger = lp.getLogger('paging');
    for (let i = 0; i < N; i++) logger.emit({ body: `line ${i}`, timestamp: [T0 + Math.floor(i / 4), 0] });
    await lp.forceFlush();
    await lp.shutdown();
    await waitFor(async () => (await getJson(app.baseUrl, '/api/logs?limit=1000&service=log-pager')).body.logs.length >= N, 20_000);
    const one = (await getJson(app.baseUrl, '/api/logs?limit=1000&service=log-pager')).body;
    expect(one.nextCursor).toBeNull();
    const paged = await pageAll<{ id: string; body: string }>(app, '/api/logs?limit=11&service=log-pager', 'logs');
    expect(paged.items.map((l) => l.id)).toEqual(one.logs.map((l: { id: string }) => l.id));
    expect(new Set(paged.items.map((l) => l.body)).size).toBe(N);
  });

  it('bounds GET /api/metrics with limit and pages it by name', async () => {
    const mp = meterProvider(target(), { protocol: 'http/protobuf', serviceName: 'metric-pager' });
    const meter = mp.getMeter('paging');
    for (let i = 0; i < 8; i++) meter.createCounter(`paging.counter.${i}`).add(i + 1);
    await mp.forceFlush();
    await mp.shutdown();
    await waitFor(async () => (await getJson(app.baseUrl, '/api/metrics')).body.metrics.filter((m: { name: string }) => m.name.startsWith('paging.')).length === 8, 20_000);
    const all = (await getJson(app.baseUrl, '/api/metrics')).body;
    expect(all.nextCursor).toBeNull();
    const first = (await getJson(app.baseUrl, '/api/metrics?limit=3')).body;
    expect(first.metrics).toHaveLength(3);
    expect(typeof first.nextCursor).toBe('string');
    const paged = await pageAll<{ name: string }>(app, '/api/metrics?limit=3', 'metrics');
    expect(paged.items.map((m) => m.name)).toEqual(all.metrics.map((m: { name: string }) => m.name));
  });

  it('refuses a cursor that is not a nextCursor of the same list and order (400)', async () => {
    const page = (await getJson(app.baseUrl, '/api/traces?limit=2&service=pager')).body;
    expect(typeof page.nextCursor).toBe('string');
    for (const path of [
      `/api/traces?limit=2&sort=duration&cursor=${page.nextCursor}`, `/api/logs?cursor=${page.nextCursor}`,
      '/api/traces?cursor=not-a-cursor', '/api/traces?cursor=%7B%7D', `/api/metrics?cursor=${page.nextCursor}`, '/api/metrics?limit=x',
    ]) {
      const res = await getJson(app.baseUrl, path);
      expect(res.status, path).toBe(400);
      expect(typeof res.body.error).toBe('string');
    }
  });

  it('finds a trace by a full id or a unique prefix of 8+ hex digits (GET /api/trace-ids)', async () => {
    const [id] = await exportTraces('lookup', 1, 500_000);
    await waitFor(async () => (await getJson(app.baseUrl, `/api/traces/${id}`)).status === 200, 20_000);
    expect((await getJson(app.baseUrl, `/api/trace-ids?prefix=${id}`)).body).toEqual({ traceIds: [id] });
    expect((await getJson(app.baseUrl, `/api/trace-ids?prefix=${id.slice(0, 12).toUpperCase()}`)).body.traceIds).toEqual([id]);
    expect((await getJson(app.baseUrl, '/api/trace-ids?prefix=0000000000000000000000000000000f')).body).toEqual({ traceIds: [] });
    for (const bad of ['abc', 'zzzzzzzzzz', '', 'a'.repeat(33)]) expect((await getJson(app.baseUrl, `/api/trace-ids?prefix=${bad}`)).status).toBe(400);
  });
});
