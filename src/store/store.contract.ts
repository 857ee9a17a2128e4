/**
 * @module store/store.contract: runStoreContract(), the one behavioural suite every Store backend
 * passes (memory, Redis, Redis cluster), fed twice: plain items (as OTLP/JSON gives them) and
 * byte-backed items (WireSpan, WireLog), which the builders make by encoding each item with the
 * official OTLP encoder and decoding it with the fused protobuf decoders, as production does.
 * Backend-specific behaviour (TTL, eviction) lives in each backend's own test file. One file on
 * purpose: the contract reads best in one place.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tester, TesterContext } from '@vitest/expect';
import type {
  Attributes, Backlink, LogRecord, MetricPoint, MetricSample, MetricSeriesSet, Span,
} from '../model/model.js';
import { normaliseLogsProtobuf } from '../normalise/logs-protobuf.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../normalise/options.js';
import { WireBacked } from '../wire/wire-backed.js';
import { normaliseTracesProtobuf } from '../normalise/traces-protobuf.js';
import { encodeLogsProtobuf, encodeSpansProtobuf } from '../../test/helpers/otlp-encode.js';
import { readAsPlain } from '../../test/helpers/wire-checks.js';
import type { Store, StoreOptions, TraceQuery } from './store.js';

/**
 * The options every contract store must be built with: `makeStore` receives them and must honour
 * them (the series-cap tests count on `maxSeriesPerMetric` 3, the span-cap test on `maxSpansPerTrace` 50). The TTL is long enough never to
 * expire inside a test.
 */
export const CONTRACT_STORE_OPTIONS: Readonly<StoreOptions> = Object.freeze({ ttlSeconds: 3600, maxSeriesPerMetric: 3, maxSpansPerTrace: 50 });

/** Unix seconds every fixture time is relative to. */
const BASE_S = 1_700_000_000;

/** Nanosecond string for BASE_S + ms. */
function at(ms: number): string {
  return (BigInt(BASE_S) * 1_000_000_000n + BigInt(Math.round(ms * 1e6))).toString();
}
function tid(n: number): string {
  return n.toString(16).padStart(32, '0');
}
function sid(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** What the builders below make: the items as given, or byte-backed items decoded from protobuf. */
export interface ContractFeed {
  label: string;
  wire: boolean;
}
/** The two feeds every contract test runs with. */
export const CONTRACT_FEEDS: readonly ContractFeed[] = [
  { label: 'plain items', wire: false },
  { label: 'wire items decoded from OTLP protobuf', wire: true },
];
let feed: ContractFeed = CONTRACT_FEEDS[0];

/** The one item `decoded` holds, failing loudly when the decoder refused or split it. */
function only<T>(decoded: { items: T[]; rejected: number }, what: string): T {
  if (decoded.items.length !== 1 || decoded.rejected !== 0) throw new Error(`${what} did not decode to one item: ${JSON.stringify(decoded)}`);
  if (!(decoded.items[0] instanceof WireBacked)) throw new Error(`${what} decoded to a plain item, not a byte-backed one`);
  return decoded.items[0];
}

/** `s` as the fused decoder makes it from the official encoder's bytes (a WireSpan). */
function wireSpan(s: Span): Span {
  return only(normaliseTracesProtobuf(encodeSpansProtobuf([s]), DEFAULT_NORMALISE_OPTIONS), `span ${s.spanId}`);
}

/** `l` as the fused decoder makes it (a WireLog), keeping its id (ids are assigned at decode, not sent). */
function wireLog(l: LogRecord): LogRecord {
  return only(normaliseLogsProtobuf(encodeLogsProtobuf([l]), { ...DEFAULT_NORMALISE_OPTIONS, nextLogId: () => l.id }), `log ${l.id}`);
}

/**
 * Compares a byte-backed item by what it reads as (its toJSON), since its attributes and events are
 * getters that structural equality would not see.
 */
function equalAsRead(this: TesterContext, a: unknown, b: unknown, testers: Tester[]): boolean | undefined {
  const aWire = a instanceof WireBacked;
  const bWire = b instanceof WireBacked;
  if (!aWire && !bWire) return undefined;
  return this.equals(readAsPlain(a), readAsPlain(b), testers);
}
expect.addEqualityTesters([equalAsRead]);

type SpanInit = Partial<Span> & { startMs?: number; durMs?: number };

/** A span; `startMs`/`durMs` (relative to BASE_S) set the times and durationMs. Wire-backed in the wire feed. */
function span(o: SpanInit = {}): Span {
  const plain = plainSpan(o);
  return feed.wire ? wireSpan(plain) : plain;
}

function plainSpan(o: SpanInit): Span {
  const { startMs = 0, durMs = 100, ...rest } = o;
  return {
    traceId: tid(1), spanId: sid(1), parentSpanId: null, name: 'op', kind: 'INTERNAL',
    startTimeUnixNano: at(startMs), endTimeUnixNano: at(startMs + durMs), durationMs: durMs,
    status: { code: 'UNSET', message: '' }, service: 'svc', attributes: {}, resource: { 'service.name': rest.service ?? 'svc' },
    scope: { name: 'test', version: '1.0.0' }, events: [], links: [],
    ...rest,
  };
}

let logSeq = 0;
/** A log; `timestamp` defaults to BASE_S and sets timeUnixNano to match. Wire-backed in the wire feed. */
function log(o: Partial<LogRecord> = {}): LogRecord {
  const plain = plainLog(o);
  return feed.wire ? wireLog(plain) : plain;
}

function plainLog(o: Partial<LogRecord>): LogRecord {
  const timestamp = o.timestamp ?? BASE_S;
  return {
    id: `log-${++logSeq}`, timeUnixNano: (BigInt(Math.round(timestamp * 1000)) * 1_000_000n).toString(), timestamp,
    severityText: 'INFO', severityNumber: 9, body: 'hello', traceId: null, spanId: null, service: 'svc',
    attributes: {}, resource: {}, scope: { name: 'test', version: '' },
    ...o,
  };
}

/** A gauge sample; pass `point` fields via `p`. */
function sample(o: Partial<MetricSample> & { p?: Partial<MetricPoint> } = {}): MetricSample {
  const { p, ...rest } = o;
  return {
    name: 'm', type: 'gauge', unit: '1', description: '', service: 'svc', labels: {},
    point: { timestamp: BASE_S, value: 1, ...p },
    ...rest,
  };
}

/** Default trace query with overrides. */
function tq(o: Partial<TraceQuery> = {}): TraceQuery {
  return { limit: 100, sort: 'start', order: 'desc', ...o };
}

/** Series in a canonical order, since a series set's order is not part of the contract. */
function sortedSeries(set: MetricSeriesSet | undefined): MetricSeriesSet['series'] {
  const key = (s: { service: string; labels: Attributes }): string =>
    s.service + JSON.stringify(Object.keys(s.labels).sort().map((k) => [k, s.labels[k]]));
  return [...(set?.series ?? [])].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function sortedBacklinks(rows: Backlink[]): Backlink[] {
  const key = (r: Backlink): string => `${r.traceId}/${r.spanId}/${r.linkedSpanId}`;
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

/** What the suite needs of a backend besides its stores. */
export interface ContractBackend {
  /** Lets `seconds` pass for `store` (moves its clock, or waits); its expiry is then read by polling. */
  passTime(store: Store, seconds: number): Promise<void>;
}

/** For stores that expire on the wall clock (Redis): time passes by waiting. */
export const WALL_CLOCK: ContractBackend = {
  passTime: (_store, seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
};

/**
 * Registers the Store contract suite under `name`, once per feed (CONTRACT_FEEDS: plain items, then
 * wire-backed ones). Each test gets a fresh store from `makeStore(CONTRACT_STORE_OPTIONS)` (for
 * Redis: with its own key prefix), and clears and closes it afterwards. Never relies on wall-clock time,
 * except where `backend.passTime` lets time pass for the expiry test (a clock moved, or a real wait).
 */
export function runStoreContract(name: string, makeStore: (options: StoreOptions) => Promise<Store>, backend: ContractBackend): void {
  for (const thisFeed of CONTRACT_FEEDS) describe(`Store contract: ${name}, ${thisFeed.label}`, () => {
    let store: Store;
    beforeEach(async () => {
      feed = thisFeed;
      store = await makeStore({ ...CONTRACT_STORE_OPTIONS });
    });
    afterEach(async () => {
      await store.clear();
      await store.close();
    });

    describe('basics', () => {
      it('has a kind, answers ping and can be closed twice', async () => {
        expect(['memory', 'redis']).toContain(store.kind);
        expect(await store.ping()).toBe(true);
        const other = await makeStore({ ...CONTRACT_STORE_OPTIONS });
        await other.close();
        await other.close();
      });

      it('answers every read on an empty store without failing', async () => {
        expect(await store.getTrace(tid(9))).toBeUndefined();
        expect(await store.findTraces(tq())).toEqual([]);
        expect(await store.findTraces(tq({ service: 'nobody', name: 'x', attr: { key: 'k', value: 'v' } }))).toEqual([]);
        expect(await store.getBacklinks(tid(9))).toEqual([]);
        expect(await store.findLogs({ limit: 100 })).toEqual([]);
        expect(await store.findLogs({ limit: 100, traceId: tid(9), service: 'nobody' })).toEqual([]);
        expect(await store.listMetrics()).toEqual([]);
        expect(await store.getMetric('nope', {})).toBeUndefined();
        expect(await store.listServices()).toEqual([]);
        expect(await store.serviceMap()).toEqual({ nodes: [], edges: [] });
        expect(await store.stats()).toEqual({ traces: 0, spans: 0, logs: 0, metrics: 0, droppedSeries: 0 });
      });

      it('accepts empty batches', async () => {
        await store.writeSpans([]);
        await store.writeLogs([]);
        expect(await store.writeMetrics([])).toEqual({ rejected: 0 });
        expect(await store.stats()).toEqual({ traces: 0, spans: 0, logs: 0, metrics: 0, droppedSeries: 0 });
      });
    });

    describe('spans and traces', () => {
      it('round-trips every span field exactly', async () => {
        const full = span({
          traceId: tid(0xabc), spanId: sid(0xdef), parentSpanId: sid(0x123), name: 'GET /users/{id}', kind: 'SERVER',
          startMs: 12.345678, durMs: 100.000001,
          status: { code: 'ERROR', message: 'boom: "quoted" ✓' }, service: 'frontend',
          attributes: {
            'http.method': 'GET', 'http.status_code': 200, ratio: 0.25, retry: true, nothing: null, tags: ['a', 'b'],
            nested: { k: [1, { deep: 'x' }] }, big: '9007199254740993', bytes: 'AAEC', nan: 'NaN', unicode: 'héllo 🌍',
          },
          resource: { 'service.name': 'frontend', 'host.name': 'box', 'process.pid': 4242 },
          scope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' },
          events: [
            { name: 'exception', timeUnixNano: at(50), attributes: { 'exception.message': 'x' } },
            { name: 'retry', timeUnixNano: at(60), attributes: {} },
          ],
          links: [{ traceId: tid(0x777), spanId: sid(0x888), attributes: { reason: 'batch' } }],
        });
        await store.writeSpans([full]);
        expect(await store.getTrace(tid(0xabc))).toEqual([full]);
      });

      it('stores odd items as sent (wrong-length ids, empty name, end before start)', async () => {
        const odd = span({
          traceId: '01234567890abcdef01234567890abcdef', spanId: '0123456789abcdef', name: '', kind: 'UNSPECIFIED',
          startTimeUnixNano: at(100), endTimeUnixNano: at(50), durationMs: 0,
        });
        const zero = span({ traceId: tid(2), startTimeUnixNano: '0', endTimeUnixNano: '0', durationMs: 0 });
        await store.writeSpans([odd, zero]);
        expect(await store.getTrace(odd.traceId)).toEqual([odd]);
        expect(await store.getTrace(tid(2))).toEqual([zero]);
        const rows = await store.findTraces(tq());
        expect(rows.map((r) => r.traceId)).toEqual([odd.traceId, tid(2)]);
        expect(rows[0].durationMs).toBe(0);
      });

      it('returns a trace ordered by start time (then span id), across batches', async () => {
        const a = span({ spanId: sid(3), startMs: 30 });
        const b = span({ spanId: sid(1), startMs: 10, parentSpanId: sid(9) });
        const c = span({ spanId: sid(2), startMs: 10 });
        const d = span({ spanId: sid(9), startMs: 0, durMs: 500 });
        await store.writeSpans([a, b]);
        await store.writeSpans([c]);
        await store.writeSpans([d, span({ traceId: tid(2) })]);
        expect((await store.getTrace(tid(1)))?.map((s) => s.spanId)).toEqual([sid(9), sid(1), sid(2), sid(3)]);
        expect(await store.getTrace(tid(3))).toBeUndefined();
      });

      it('stores a large batch spanning many traces', async () => {
        const spans: Span[] = [];
        for (let t = 1; t <= 120; t++) {
          for (let i = 1; i <= 5; i++) {
            spans.push(span({ traceId: tid(t), spanId: sid(i), parentSpanId: i === 1 ? null : sid(1), startMs: t * 10 + i, durMs: i, service: `svc-${i % 3}` }));
          }
        }
        await store.writeSpans(spans);
        expect(await store.stats()).toMatchObject({ traces: 120, spans: 600 });
        const rows = await store.findTraces(tq({ limit: 1000 }));
        expect(rows).toHaveLength(120);
        expect(rows[0]).toMatchObject({ traceId: tid(120), spanCount: 5, rootService: 'svc-1', services: ['svc-0', 'svc-1', 'svc-2'] });
        expect((await store.getTrace(tid(77)))?.map((s) => s.spanId)).toEqual([1, 2, 3, 4, 5].map(sid));
        expect(await store.findTraces(tq({ service: 'svc-2', limit: 7, order: 'asc' }))).toHaveLength(7);
      });

      it('refuses and counts spans past maxSpansPerTrace (a re-sent span is not refused; other traces are not affected)', async () => {
        const cap = CONTRACT_STORE_OPTIONS.maxSpansPerTrace!;
        const of = (from: number, n: number, traceId = tid(0x5ca)) => Array.from({ length: n }, (_, i) => span({ traceId, spanId: sid(from + i), startMs: from + i }));
        expect((await store.writeSpans(of(1, cap - 10)))?.rejected ?? 0).toBe(0);
        // One batch filling the trace keeps its first spans, refuses the rest.
        expect((await store.writeSpans([...of(cap - 9, 15), ...of(1, 3, tid(0x5cb))]))?.rejected).toBe(5);
        expect(await store.getTrace(tid(0x5ca))).toHaveLength(cap);
        expect((await store.getTrace(tid(0x5ca)))!.at(-1)!.spanId).toBe(sid(cap));
        expect(await store.getTrace(tid(0x5cb))).toHaveLength(3);
        // A retry of a stored span replaces it; a new one is still refused.
        expect((await store.writeSpans([span({ traceId: tid(0x5ca), spanId: sid(1), name: 'again', startMs: 1 }), ...of(cap + 100, 1)]))?.rejected).toBe(1);
        expect((await store.getTrace(tid(0x5ca)))!.find((s) => s.spanId === sid(1))!.name).toBe('again');
        expect(await store.spansDropped?.(tid(0x5ca))).toBe(6);
        expect(await store.spansDropped?.(tid(0x5cb))).toBe(0);
        expect(await store.spansDropped?.(tid(0x5cc))).toBe(0);
        const [summary] = await store.findTraces(tq({ name: 'again' }));
        expect(summary.spanCount).toBe(cap);
      });

      it('keeps one copy of a span written twice (the latest)', async () => {
        await store.writeSpans([span({ name: 'first' }), span({ spanId: sid(2), parentSpanId: sid(1), startMs: 5 })]);
        await store.writeSpans([span({ name: 'second', status: { code: 'ERROR', message: '' } })]);
        const spans = await store.getTrace(tid(1));
        expect(spans?.map((s) => s.name)).toEqual(['second', 'op']);
        const [row] = await store.findTraces(tq());
        expect(row).toMatchObject({ spanCount: 2, errorCount: 1, rootName: 'second' });
        expect(await store.stats()).toMatchObject({ traces: 1, spans: 2 });
      });

      it('summarises traces: root, start, duration, counts and services', async () => {
        await store.writeSpans([
          span({ spanId: sid(2), parentSpanId: sid(1), service: 'backend', startMs: 20, durMs: 300, status: { code: 'ERROR', message: 'x' } }),
          span({ spanId: sid(1), name: 'GET /', service: 'frontend', startMs: 10, durMs: 100 }),
          span({ spanId: sid(3), parentSpanId: sid(2), service: 'db', startMs: 30, durMs: 10, status: { code: 'ERROR', message: '' } }),
        ]);
        expect(await store.findTraces(tq())).toEqual([{
          traceId: tid(1), rootName: 'GET /', rootService: 'frontend', startTimeUnixNano: at(10),
          durationMs: 310, spanCount: 3, errorCount: 2, services: ['backend', 'db', 'frontend'], incomplete: false,
        }]);
      });

      it('picks the earliest span whose parent is missing as the root of a partial trace', async () => {
        await store.writeSpans([
          span({ spanId: sid(2), parentSpanId: sid(99), name: 'late-orphan', startMs: 50 }),
          span({ spanId: sid(3), parentSpanId: sid(98), name: 'early-orphan', startMs: 20 }),
          span({ spanId: sid(4), parentSpanId: sid(3), name: 'child', startMs: 10 }),
        ]);
        const [row] = await store.findTraces(tq());
        expect(row).toMatchObject({ rootName: 'early-orphan', startTimeUnixNano: at(10), spanCount: 3, incomplete: true });
      });

      it('marks a trace without a root span incomplete and names it after the longest of its earliest orphans', async () => {
        // The server span has not arrived; its children start in the same millisecond (whole-ms SDK start times).
        await store.writeSpans([
          span({ spanId: sid(2), parentSpanId: sid(1), name: 'middleware - query', service: 'web', startMs: 10, durMs: 0.04 }),
          span({ spanId: sid(3), parentSpanId: sid(1), name: 'request handler - /x', service: 'web', startMs: 10, durMs: 4.6 }),
          span({ spanId: sid(4), parentSpanId: sid(3), name: 'pg.query', service: 'web', startMs: 11, durMs: 3 }),
        ]);
        expect((await store.findTraces(tq()))[0]).toMatchObject({ rootName: 'request handler - /x', rootService: 'web', incomplete: true });
        await store.writeSpans([span({ spanId: sid(1), name: 'GET /x', service: 'web', startMs: 10, durMs: 5 })]);
        expect((await store.findTraces(tq()))[0]).toMatchObject({ rootName: 'GET /x', incomplete: false, spanCount: 4 });
      });

      it('prefers a real root over an earlier orphan', async () => {
        await store.writeSpans([
          span({ spanId: sid(2), parentSpanId: sid(99), name: 'orphan', startMs: 0 }),
          span({ spanId: sid(1), name: 'root', startMs: 5 }),
        ]);
        expect((await store.findTraces(tq()))[0]).toMatchObject({ rootName: 'root', incomplete: false });
      });

      it('updates a trace summary when more of its spans arrive', async () => {
        await store.writeSpans([span({ spanId: sid(2), parentSpanId: sid(1), startMs: 50, durMs: 10, name: 'child' })]);
        expect((await store.findTraces(tq()))[0]).toMatchObject({ rootName: 'child', spanCount: 1, durationMs: 10 });
        await store.writeSpans([span({ spanId: sid(1), startMs: 0, durMs: 200, name: 'root' })]);
        expect((await store.findTraces(tq()))[0]).toMatchObject({ rootName: 'root', spanCount: 2, durationMs: 200, startTimeUnixNano: at(0) });
      });

      describe('findTraces ordering and limit', () => {
        // Trace n starts at n seconds and lasts (n * 37 % 11 + 1) ms: start and duration orders differ.
        const dur = (n: number): number => ((n * 37) % 11) + 1;
        beforeEach(async () => {
          const spans: Span[] = [];
          for (let n = 1; n <= 12; n++) spans.push(span({ traceId: tid(n), startMs: n * 1000, durMs: dur(n) }));
          await store.writeSpans(spans.slice(0, 6));
          await store.writeSpans(spans.slice(6));
        });
        const ids = (xs: number[]): string[] => xs.map(tid);
        const range = Array.from({ length: 12 }, (_, i) => i + 1);

        it('lists newest start first by default', async () => {
          expect((await store.findTraces(tq())).map((r) => r.traceId)).toEqual(ids([...range].reverse()));
        });
        it('lists oldest start first with order=asc', async () => {
          expect((await store.findTraces(tq({ order: 'asc' }))).map((r) => r.traceId)).toEqual(ids(range));
        });
        it('sorts by duration both ways', async () => {
          const byDur = [...range].sort((a, b) => dur(a) - dur(b) || a - b);
          expect((await store.findTraces(tq({ sort: 'duration', order: 'asc' }))).map((r) => r.traceId)).toEqual(ids(byDur));
          const byDurDesc = [...range].sort((a, b) => dur(b) - dur(a) || b - a);
          expect((await store.findTraces(tq({ sort: 'duration', order: 'desc' }))).map((r) => r.traceId)).toEqual(ids(byDurDesc));
        });
        it('returns at most limit rows, the best ones', async () => {
          expect((await store.findTraces(tq({ limit: 3 }))).map((r) => r.traceId)).toEqual(ids([12, 11, 10]));
          expect((await store.findTraces(tq({ limit: 1, order: 'asc' }))).map((r) => r.traceId)).toEqual(ids([1]));
          const longest = [...range].sort((a, b) => dur(b) - dur(a) || b - a)[0];
          expect((await store.findTraces(tq({ limit: 1, sort: 'duration' }))).map((r) => r.traceId)).toEqual(ids([longest]));
        });
        it('bounds the trace start with start/end, inclusive, in unix seconds', async () => {
          const rows = await store.findTraces(tq({ start: BASE_S + 3, end: BASE_S + 5 }));
          expect(rows.map((r) => r.traceId)).toEqual(ids([5, 4, 3]));
          expect((await store.findTraces(tq({ start: BASE_S + 11.5 }))).map((r) => r.traceId)).toEqual(ids([12]));
          expect((await store.findTraces(tq({ end: BASE_S + 1.5 }))).map((r) => r.traceId)).toEqual(ids([1]));
        });
      });

      describe('findTraces paging (after a cursor)', () => {
        // 60 traces, threes sharing a start and thirty a duration (more than a backend's read-ahead
        // of limit + 20), so the tie-breaks and a page's exact cut are exercised.
        beforeEach(async () => {
          const spans: Span[] = [];
          for (let n = 1; n <= 60; n++) spans.push(span({ traceId: tid(n * 7919 % 1000), startMs: Math.floor(n / 3) * 1000, durMs: (n % 2) + 1 }));
          await store.writeSpans(spans);
        });
        const pageAll = async (o: Partial<TraceQuery>): Promise<string[]> => {
          const seen: string[] = [];
          let after: TraceQuery['after'];
          for (let i = 0; i < 40; i++) {
            const rows = await store.findTraces(tq({ ...o, limit: 4, after }));
            seen.push(...rows.map((r) => r.traceId));
            if (rows.length < 4) break;
            const last = rows[rows.length - 1];
            after = { durationMs: last.durationMs, startTimeUnixNano: last.startTimeUnixNano, traceId: last.traceId };
          }
          return seen;
        };
        for (const o of [{}, { order: 'asc' as const }, { sort: 'duration' as const }, { sort: 'duration' as const, order: 'asc' as const }]) {
          it(`pages through every trace once, in the one-page order (${JSON.stringify(o)})`, async () => {
            const all = (await store.findTraces(tq({ ...o, limit: 1000 }))).map((r) => r.traceId);
            expect(all).toHaveLength(60);
            expect(await pageAll(o)).toEqual(all);
          });
        }
        it('pages with filters', async () => {
          const all = (await store.findTraces(tq({ limit: 1000, minDurationMs: 3 }))).map((r) => r.traceId);
          expect(await pageAll({ minDurationMs: 3 })).toEqual(all);
        });
      });

      it('finds trace ids by prefix', async () => {
        await store.writeSpans([
          span({ traceId: 'abcdef0011111111111111111111111a' }), span({ traceId: 'abcdef0022222222222222222222222b' }),
          span({ traceId: 'ffffffff33333333333333333333333c' }),
        ]);
        expect(await store.traceIdsWithPrefix('abcdef00', 10)).toEqual(['abcdef0011111111111111111111111a', 'abcdef0022222222222222222222222b']);
        expect(await store.traceIdsWithPrefix('abcdef001', 10)).toEqual(['abcdef0011111111111111111111111a']);
        expect(await store.traceIdsWithPrefix('0123456789', 10)).toEqual([]);
      });

      describe('findTraces filters', () => {
        beforeEach(async () => {
          await store.writeSpans([
            // 1: frontend → backend, error in backend, 50 ms
            span({ traceId: tid(1), spanId: sid(1), service: 'frontend', name: 'GET /Users', startMs: 1000, durMs: 50, status: { code: 'OK', message: '' } }),
            span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), service: 'backend', name: 'SELECT users', startMs: 1010, durMs: 20, status: { code: 'ERROR', message: 'x' }, attributes: { 'http.status_code': 500 } }),
            // 2: frontend only, OK, 100 ms
            span({ traceId: tid(2), spanId: sid(1), service: 'frontend', name: 'GET /health', startMs: 2000, durMs: 100, status: { code: 'OK', message: '' }, attributes: { 'http.status_code': 200, retry: true, tags: ['a', 'b'] } }),
            // 3: backend only, all UNSET, 200 ms, resource attribute
            span({ traceId: tid(3), spanId: sid(1), service: 'backend', name: 'cron', startMs: 3000, durMs: 200, resource: { 'service.name': 'backend', 'deployment.environment': 'prod' } }),
            // 4: OK + UNSET, 150 ms
            span({ traceId: tid(4), spanId: sid(1), service: 'worker', name: 'job', startMs: 4000, durMs: 150, status: { code: 'OK', message: '' } }),
            span({ traceId: tid(4), spanId: sid(2), parentSpanId: sid(1), service: 'worker', name: 'step', startMs: 4010, durMs: 10 }),
          ]);
        });
        const find = async (q: Partial<TraceQuery>): Promise<string[]> => (await store.findTraces(tq(q))).map((r) => r.traceId);

        it('filters by any span service', async () => {
          expect(await find({ service: 'backend' })).toEqual([tid(3), tid(1)]);
          expect(await find({ service: 'frontend' })).toEqual([tid(2), tid(1)]);
          expect(await find({ service: 'Backend' })).toEqual([]);
        });
        it('filters by a case-insensitive substring of any span name', async () => {
          expect(await find({ name: 'users' })).toEqual([tid(1)]);
          expect(await find({ name: 'GET' })).toEqual([tid(2), tid(1)]);
          expect(await find({ name: 'STEP' })).toEqual([tid(4)]);
          expect(await find({ name: 'nothing-like-it' })).toEqual([]);
        });
        it('filters by status', async () => {
          expect(await find({ status: 'error' })).toEqual([tid(1)]);
          expect(await find({ status: 'ok' })).toEqual([tid(4), tid(2)]);
          expect(await find({ status: 'unset' })).toEqual([tid(3)]);
        });
        it('bounds the trace duration, inclusive', async () => {
          expect(await find({ minDurationMs: 100 })).toEqual([tid(4), tid(3), tid(2)]);
          expect(await find({ maxDurationMs: 100 })).toEqual([tid(2), tid(1)]);
          expect(await find({ minDurationMs: 100, maxDurationMs: 150 })).toEqual([tid(4), tid(2)]);
        });
        it('matches a span or resource attribute by its text', async () => {
          expect(await find({ attr: { key: 'http.status_code', value: '200' } })).toEqual([tid(2)]);
          expect(await find({ attr: { key: 'http.status_code', value: '500' } })).toEqual([tid(1)]);
          expect(await find({ attr: { key: 'retry', value: 'true' } })).toEqual([tid(2)]);
          expect(await find({ attr: { key: 'deployment.environment', value: 'prod' } })).toEqual([tid(3)]);
          expect(await find({ attr: { key: 'http.status_code', value: '404' } })).toEqual([]);
          expect(await find({ attr: { key: 'missing', value: '' } })).toEqual([]);
        });
        it('combines filters', async () => {
          expect(await find({ service: 'frontend', status: 'error' })).toEqual([tid(1)]);
          expect(await find({ service: 'frontend', minDurationMs: 60 })).toEqual([tid(2)]);
          expect(await find({ name: 'get', start: BASE_S + 1.5 })).toEqual([tid(2)]);
          expect(await find({ service: 'worker', limit: 1, order: 'asc' })).toEqual([tid(4)]);
        });
      });

      it('returns backlinks: spans of other traces linking into this one', async () => {
        const linkAttrs = { 'link.kind': 'follows' };
        await store.writeSpans([
          span({ traceId: tid(1), spanId: sid(1) }),
          span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), links: [{ traceId: tid(1), spanId: sid(1), attributes: {} }] }),
          span({ traceId: tid(2), spanId: sid(5), name: 'consume', service: 'worker', links: [{ traceId: tid(1), spanId: sid(1), attributes: linkAttrs }] }),
        ]);
        await store.writeSpans([
          span({
            traceId: tid(3), spanId: sid(7), name: 'batch', service: 'batcher', startMs: 10,
            links: [{ traceId: tid(1), spanId: sid(2), attributes: {} }, { traceId: tid(2), spanId: sid(5), attributes: { n: 1 } }],
          }),
        ]);
        expect(sortedBacklinks(await store.getBacklinks(tid(1)))).toEqual([
          { traceId: tid(2), spanId: sid(5), name: 'consume', service: 'worker', linkedSpanId: sid(1), attributes: linkAttrs },
          { traceId: tid(3), spanId: sid(7), name: 'batch', service: 'batcher', linkedSpanId: sid(2), attributes: {} },
        ]);
        expect(await store.getBacklinks(tid(2))).toEqual([
          { traceId: tid(3), spanId: sid(7), name: 'batch', service: 'batcher', linkedSpanId: sid(5), attributes: { n: 1 } },
        ]);
        expect(await store.getBacklinks(tid(3))).toEqual([]);
        // Links into a trace that is not stored still count: the target may have expired.
        await store.writeSpans([span({ traceId: tid(4), links: [{ traceId: tid(404), spanId: sid(1), attributes: {} }] })]);
        expect((await store.getBacklinks(tid(404))).map((b) => b.traceId)).toEqual([tid(4)]);
      });
    });

    describe('logs', () => {
      it('round-trips every log field exactly, including structured bodies', async () => {
        const text = log({
          id: 'a1', timeUnixNano: '1700000000123456789', timestamp: 1700000000.123456, severityText: 'ERROR', severityNumber: 17,
          body: 'disk full ✓', traceId: tid(1), spanId: sid(1), service: 'frontend',
          attributes: { 'code.lineno': 42, ok: false, list: [1, 'two'] }, resource: { 'service.name': 'frontend' },
          scope: { name: 'logger', version: '2' },
        });
        const structured = log({ id: 'a2', timestamp: BASE_S - 1, body: { user: 'alice', n: [1, 2, { x: null }] }, severityText: '', severityNumber: 0 });
        const scalar = log({ id: 'a3', timestamp: BASE_S - 2, body: 42 });
        await store.writeLogs([text, structured, scalar]);
        expect(await store.findLogs({ limit: 10 })).toEqual([text, structured, scalar]);
      });

      describe('findLogs', () => {
        beforeEach(async () => {
          await store.writeLogs([
            log({ id: 'l1', timestamp: BASE_S + 1, severityText: 'DEBUG', severityNumber: 5, body: 'Cache miss', service: 'backend', traceId: tid(1), spanId: sid(1) }),
            log({ id: 'l2', timestamp: BASE_S + 4, severityText: 'ERROR', severityNumber: 17, body: 'Connection TIMEOUT to db', service: 'backend', traceId: tid(1), spanId: sid(2) }),
            log({ id: 'l3', timestamp: BASE_S + 2, severityText: 'WARN', severityNumber: 13, body: { event: 'login', user: 'Alice' }, service: 'frontend', traceId: tid(2), spanId: sid(1) }),
          ]);
          await store.writeLogs([
            log({ id: 'l4', timestamp: BASE_S + 3, severityText: 'INFO', severityNumber: 9, body: 'served /users', service: 'frontend' }),
            log({ id: 'l5', timestamp: BASE_S + 5, severityText: 'FATAL', severityNumber: 21, body: 'panic', service: 'worker', traceId: tid(1), spanId: sid(1) }),
            log({ id: 'l6', timestamp: BASE_S + 0.5, severityText: 'TRACE', severityNumber: 1, body: 'tick', service: 'worker' }),
          ]);
        });
        const find = async (q: Record<string, unknown>): Promise<string[]> => (await store.findLogs({ limit: 100, ...q })).map((l) => l.id);

        it('lists newest first by timestamp, whatever the write order', async () => {
          expect(await find({})).toEqual(['l5', 'l2', 'l4', 'l3', 'l1', 'l6']);
        });
        it('returns at most limit records, the newest', async () => {
          expect(await find({ limit: 2 })).toEqual(['l5', 'l2']);
        });
        it('picks the newest records out of a large batch', async () => {
          const many = Array.from({ length: 300 }, (_, i) => log({ id: `bulk-${i}`, timestamp: BASE_S + 10 + ((i * 7919) % 300) / 10, service: 'bulk' }));
          await store.writeLogs(many);
          const got = await store.findLogs({ limit: 100, service: 'bulk' });
          const expected = [...many].sort((a, b) => b.timestamp - a.timestamp).slice(0, 100);
          expect(got.map((l) => l.id)).toEqual(expected.map((l) => l.id));
          expect((await store.findLogs({ limit: 1000 })).length).toBe(306);
        });
        it('pages through logs after a cursor, ties included, each once, newest first', async () => {
          // Many records share a timestamp: the order among them is timeUnixNano, then id.
          const many = Array.from({ length: 47 }, (_, i) => log({ id: `p-${(i * 31) % 47}`, timestamp: BASE_S + 20 + Math.floor(i / 5), service: 'pager' }));
          await store.writeLogs(many);
          const all = (await store.findLogs({ limit: 1000, service: 'pager' })).map((l) => l.id);
          expect(all).toHaveLength(47);
          const seen: string[] = [];
          let after: LogRecord | undefined;
          for (let i = 0; i < 30; i++) {
            const rows = await store.findLogs({ limit: 6, service: 'pager', after });
            seen.push(...rows.map((l) => l.id));
            if (rows.length < 6) break;
            after = rows[rows.length - 1];
          }
          expect(seen).toEqual(all);
        });
        it('filters by trace id and span id', async () => {
          expect(await find({ traceId: tid(1) })).toEqual(['l5', 'l2', 'l1']);
          expect(await find({ traceId: tid(1), spanId: sid(1) })).toEqual(['l5', 'l1']);
          expect(await find({ spanId: sid(1) })).toEqual(['l5', 'l3', 'l1']);
          expect(await find({ traceId: tid(3) })).toEqual([]);
        });
        it('filters by service', async () => {
          expect(await find({ service: 'frontend' })).toEqual(['l4', 'l3']);
          expect(await find({ service: 'backend', traceId: tid(1) })).toEqual(['l2', 'l1']);
          expect(await find({ service: 'nobody' })).toEqual([]);
        });
        it('treats severity as a minimum', async () => {
          expect(await find({ minSeverity: 13 })).toEqual(['l5', 'l2', 'l3']);
          expect(await find({ minSeverity: 17 })).toEqual(['l5', 'l2']);
          expect(await find({ minSeverity: 1 })).toHaveLength(6);
          expect(await find({ minSeverity: 9, service: 'worker' })).toEqual(['l5']);
        });
        it('matches q as a case-insensitive substring of the body or its JSON text', async () => {
          expect(await find({ q: 'timeout' })).toEqual(['l2']);
          expect(await find({ q: 'CACHE' })).toEqual(['l1']);
          expect(await find({ q: 'alice' })).toEqual(['l3']);
          expect(await find({ q: '"user":"alice"' })).toEqual(['l3']);
          expect(await find({ q: 's' })).toEqual(['l4', 'l3', 'l1']);
          expect(await find({ q: 'zebra' })).toEqual([]);
        });
        it('bounds the timestamp with start/end, inclusive', async () => {
          expect(await find({ start: BASE_S + 2, end: BASE_S + 4 })).toEqual(['l2', 'l4', 'l3']);
          expect(await find({ start: BASE_S + 4.5 })).toEqual(['l5']);
          expect(await find({ end: BASE_S + 0.5 })).toEqual(['l6']);
        });
        it('combines filters', async () => {
          expect(await find({ traceId: tid(1), minSeverity: 17, q: 'PAN' })).toEqual(['l5']);
          expect(await find({ service: 'frontend', start: BASE_S + 2.5 })).toEqual(['l4']);
        });
      });
    });

    describe('metrics', () => {
      it('keeps one series per service and label set, points oldest first', async () => {
        await store.writeMetrics([
          sample({ labels: { host: 'a', zone: 'z1' }, p: { timestamp: BASE_S + 30, value: 3 } }),
          sample({ labels: { host: 'a', zone: 'z1' }, p: { timestamp: BASE_S + 10, value: 1 } }),
          sample({ labels: {}, p: { timestamp: BASE_S + 5, value: 7 } }),
        ]);
        await store.writeMetrics([
          sample({ labels: { zone: 'z1', host: 'a' }, p: { timestamp: BASE_S + 20, value: 2 } }),
          sample({ labels: { host: 'a', zone: 'z1' }, service: 'other', p: { timestamp: BASE_S + 1, value: 9 } }),
        ]);
        const set = await store.getMetric('m', {});
        expect(set).toMatchObject({ name: 'm', type: 'gauge', unit: '1', description: '' });
        expect(sortedSeries(set)).toEqual([
          { service: 'other', labels: { host: 'a', zone: 'z1' }, points: [{ timestamp: BASE_S + 1, value: 9 }] },
          {
            service: 'svc', labels: { host: 'a', zone: 'z1' },
            points: [{ timestamp: BASE_S + 10, value: 1 }, { timestamp: BASE_S + 20, value: 2 }, { timestamp: BASE_S + 30, value: 3 }],
          },
          { service: 'svc', labels: {}, points: [{ timestamp: BASE_S + 5, value: 7 }] },
        ]);
      });

      it('round-trips all five metric types exactly', async () => {
        const hist: MetricPoint = {
          timestamp: BASE_S + 1.5, count: 6, sum: 12.5, min: 0.5, max: 'Infinity', bucketCounts: [1, 2, 3, 0], explicitBounds: [1, 5, 10],
        };
        const exp: MetricPoint = {
          timestamp: BASE_S + 2, count: 7, sum: 3.25, scale: 3, zeroCount: 1,
          positive: { offset: -2, bucketCounts: [1, 0, 4] }, negative: { offset: 0, bucketCounts: [1] },
        };
        const summary: MetricPoint = {
          timestamp: BASE_S + 3, count: 10, sum: 'NaN',
          quantiles: [{ quantile: 0, value: 0.1 }, { quantile: 0.5, value: 2 }, { quantile: 1, value: '-Infinity' }],
        };
        await store.writeMetrics([
          sample({ name: 'g', type: 'gauge', unit: 'By', description: 'gauge d', p: { timestamp: BASE_S, value: 'NaN' } }),
          sample({ name: 'g', type: 'gauge', unit: 'By', description: 'gauge d', p: { timestamp: BASE_S + 1, value: '-Infinity' } }),
          sample({ name: 's', type: 'sum', unit: '{req}', monotonic: true, temporality: 'delta', p: { timestamp: BASE_S, value: 5 } }),
          sample({ name: 's', type: 'sum', unit: '{req}', monotonic: true, temporality: 'delta', p: { timestamp: BASE_S + 1, value: 5 } }),
          sample({ name: 'h', type: 'histogram', unit: 'ms', temporality: 'cumulative', labels: { route: '/a' }, point: hist }),
          sample({ name: 'e', type: 'exponential_histogram', unit: 'ms', temporality: 'delta', point: exp }),
          sample({ name: 'q', type: 'summary', unit: 's', point: summary }),
        ]);
        expect(await store.getMetric('g', {})).toEqual({
          name: 'g', type: 'gauge', unit: 'By', description: 'gauge d',
          series: [{ service: 'svc', labels: {}, points: [{ timestamp: BASE_S, value: 'NaN' }, { timestamp: BASE_S + 1, value: '-Infinity' }] }],
        });
        // Delta points are stored as sent, not summed.
        expect(await store.getMetric('s', {})).toEqual({
          name: 's', type: 'sum', unit: '{req}', description: '', monotonic: true, temporality: 'delta',
          series: [{ service: 'svc', labels: {}, points: [{ timestamp: BASE_S, value: 5 }, { timestamp: BASE_S + 1, value: 5 }] }],
        });
        expect(await store.getMetric('h', {})).toEqual({
          name: 'h', type: 'histogram', unit: 'ms', description: '', temporality: 'cumulative',
          series: [{ service: 'svc', labels: { route: '/a' }, points: [hist] }],
        });
        expect(await store.getMetric('e', {})).toEqual({
          name: 'e', type: 'exponential_histogram', unit: 'ms', description: '', temporality: 'delta',
          series: [{ service: 'svc', labels: {}, points: [exp] }],
        });
        expect(await store.getMetric('q', {})).toEqual({
          name: 'q', type: 'summary', unit: 's', description: '', series: [{ service: 'svc', labels: {}, points: [summary] }],
        });
      });

      it('keeps each point\'s exact fields and origin (resource, scope) for export, and gives origins only when asked', async () => {
        const resource1 = { 'service.name': 'svc', 'host.name': 'h1' };
        const resource2 = { 'service.name': 'svc', 'host.name': 'h2' };
        const scope1 = { name: 'lib', version: '1', attributes: { k: 'v' }, schemaUrl: 'https://s/1', resourceSchemaUrl: 'https://r/1' };
        const scope2 = { name: 'other', version: '' };
        const exact: Partial<MetricPoint> = {
          timestamp: BASE_S + 1, timeUnixNano: '1700000001000000001', startTimeUnixNano: '1700000000000000007', value: 9007199254740992,
          asInt: '9007199254740993', flags: 1,
          exemplars: [{ timeUnixNano: '1700000000500000000', value: 2, asInt: '2', traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), filteredAttributes: { u: 'x' } }],
        };
        await store.writeMetrics([
          sample({ labels: { a: '1' }, p: exact, resource: resource1, scope: scope1 }),
          sample({ labels: { a: '1' }, p: { timestamp: BASE_S + 2, timeUnixNano: '1700000002000000000' }, resource: resource2, scope: scope2 }),
        ]);
        await store.writeMetrics([sample({ labels: { a: '1' }, p: { timestamp: BASE_S + 3 } })]);
        const plain = await store.getMetric('m', {});
        expect(plain?.series).toHaveLength(1);
        expect(plain?.series[0]).not.toHaveProperty('origins');
        expect(plain?.series[0].points).toEqual([{ ...exact, timestamp: BASE_S + 1 }, { timestamp: BASE_S + 2, timeUnixNano: '1700000002000000000', value: 1 }, { timestamp: BASE_S + 3, value: 1 }]);
        const withOrigins = await store.getMetric('m', {}, { origins: true });
        expect(withOrigins?.series[0].points).toEqual(plain?.series[0].points);
        expect(withOrigins?.series[0].origins).toEqual([{ resource: resource1, scope: scope1 }, { resource: resource2, scope: scope2 }, undefined]);
        const inRange = await store.getMetric('m', { start: BASE_S + 2 }, { origins: true });
        expect(inRange?.series[0].origins).toEqual([{ resource: resource2, scope: scope2 }, undefined]);
      });

      it('leaves out points and series outside start/end (inclusive)', async () => {
        await store.writeMetrics([
          sample({ labels: { s: 'early' }, p: { timestamp: BASE_S + 1 } }),
          sample({ labels: { s: 'both' }, p: { timestamp: BASE_S + 2 } }),
          sample({ labels: { s: 'both' }, p: { timestamp: BASE_S + 3 } }),
          sample({ labels: { s: 'both' }, p: { timestamp: BASE_S + 4 } }),
          sample({ labels: { s: 'late' }, p: { timestamp: BASE_S + 5 } }),
        ]);
        const set = await store.getMetric('m', { start: BASE_S + 2, end: BASE_S + 4 });
        expect(set?.series).toEqual([{
          service: 'svc', labels: { s: 'both' },
          points: [{ timestamp: BASE_S + 2, value: 1 }, { timestamp: BASE_S + 3, value: 1 }, { timestamp: BASE_S + 4, value: 1 }],
        }]);
        expect(sortedSeries(await store.getMetric('m', { start: BASE_S + 4 })).map((s) => s.labels.s)).toEqual(['both', 'late']);
        expect(sortedSeries(await store.getMetric('m', { end: BASE_S + 1 })).map((s) => s.labels.s)).toEqual(['early']);
        expect((await store.getMetric('m', { start: BASE_S + 100 }))?.series).toEqual([]);
        expect(await store.getMetric('unknown', { start: BASE_S })).toBeUndefined();
      });

      it('lists metrics by name with services, series count and the newest point of any series', async () => {
        await store.writeMetrics([
          sample({ name: 'b.gauge', service: 'web', labels: { k: '1' }, p: { timestamp: BASE_S + 9, value: 90 } }),
          sample({ name: 'b.gauge', service: 'api', labels: { k: '2' }, p: { timestamp: BASE_S + 5, value: 50 } }),
          sample({ name: 'a.hist', type: 'histogram', unit: 'ms', temporality: 'cumulative', point: { timestamp: BASE_S + 3, count: 4, sum: 10, bucketCounts: [4], explicitBounds: [] } }),
          sample({ name: 'c.exp', type: 'exponential_histogram', point: { timestamp: BASE_S + 1, count: 2, sum: 1, scale: 0, zeroCount: 0, positive: { offset: 0, bucketCounts: [2] }, negative: { offset: 0, bucketCounts: [] } } }),
          sample({ name: 'd.summary', type: 'summary', point: { timestamp: BASE_S + 2, count: 8, sum: 4, quantiles: [] } }),
          sample({ name: 'e.sum', type: 'sum', monotonic: false, temporality: 'cumulative', p: { timestamp: BASE_S + 2, value: -3 } }),
        ]);
        // Written later but older: the newest point still wins.
        await store.writeMetrics([sample({ name: 'b.gauge', service: 'api', labels: { k: '3' }, p: { timestamp: BASE_S + 1, value: 10 } })]);
        expect(await store.listMetrics()).toEqual([
          { name: 'a.hist', type: 'histogram', unit: 'ms', description: '', services: ['svc'], seriesCount: 1, lastValue: 4, lastTimestamp: BASE_S + 3 },
          { name: 'b.gauge', type: 'gauge', unit: '1', description: '', services: ['api', 'web'], seriesCount: 3, lastValue: 90, lastTimestamp: BASE_S + 9 },
          { name: 'c.exp', type: 'exponential_histogram', unit: '1', description: '', services: ['svc'], seriesCount: 1, lastValue: 2, lastTimestamp: BASE_S + 1 },
          { name: 'd.summary', type: 'summary', unit: '1', description: '', services: ['svc'], seriesCount: 1, lastValue: 8, lastTimestamp: BASE_S + 2 },
          { name: 'e.sum', type: 'sum', unit: '1', description: '', services: ['svc'], seriesCount: 1, lastValue: -3, lastTimestamp: BASE_S + 2 },
        ]);
      });

      it('takes a metric\'s type, unit and description from its latest sample', async () => {
        await store.writeMetrics([sample({ unit: 'ms', description: 'old', p: { timestamp: BASE_S } })]);
        await store.writeMetrics([sample({ unit: 's', description: 'new', labels: { v: 2 }, p: { timestamp: BASE_S + 1 } })]);
        expect(await store.getMetric('m', {})).toMatchObject({ unit: 's', description: 'new' });
        expect((await store.listMetrics())[0]).toMatchObject({ unit: 's', description: 'new', seriesCount: 2 });
      });

      it('refuses points of series past the per-metric cap and counts distinct refused series', async () => {
        const cap = CONTRACT_STORE_OPTIONS.maxSeriesPerMetric;
        const first: MetricSample[] = [];
        for (let i = 0; i < cap; i++) first.push(sample({ labels: { i } }), sample({ labels: { i }, p: { timestamp: BASE_S + 1 } }));
        expect(await store.writeMetrics(first)).toEqual({ rejected: 0 });
        expect(await store.writeMetrics([
          sample({ labels: { i: 'x' } }), sample({ labels: { i: 'x' }, p: { timestamp: BASE_S + 1 } }),
          sample({ labels: { i: 'y' } }),
          sample({ labels: { i: 0 }, p: { timestamp: BASE_S + 2 } }),
          sample({ name: 'other', labels: { i: 'x' } }),
        ])).toEqual({ rejected: 3 });
        expect((await store.stats()).droppedSeries).toBe(2);
        // The same refused series again: refused, but not a new distinct series.
        expect(await store.writeMetrics([sample({ labels: { i: 'x' }, p: { timestamp: BASE_S + 3 } })])).toEqual({ rejected: 1 });
        expect((await store.stats()).droppedSeries).toBe(2);
        const set = await store.getMetric('m', {});
        expect(set?.series).toHaveLength(cap);
        expect(set?.series.map((s) => s.labels.i).sort()).toEqual(Array.from({ length: cap }, (_, i) => i));
        expect(set?.series.find((s) => s.labels.i === 0)?.points).toHaveLength(3);
        expect((await store.getMetric('other', {}))?.series).toHaveLength(1);
        expect((await store.listMetrics()).find((m) => m.name === 'm')?.seriesCount).toBe(cap);
      });
    });

    describe('services and the service map', () => {
      beforeEach(async () => {
        await store.writeSpans([
          // Trace 1: frontend(100, entry) → frontend child(40) → backend(30, entry, ERROR) → db(5, entry, ERROR)
          span({ traceId: tid(1), spanId: sid(1), service: 'frontend', startMs: 0, durMs: 100 }),
          span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), service: 'frontend', startMs: 5, durMs: 40 }),
          span({ traceId: tid(1), spanId: sid(3), parentSpanId: sid(2), service: 'backend', startMs: 10, durMs: 30, status: { code: 'ERROR', message: '' } }),
          span({ traceId: tid(1), spanId: sid(4), parentSpanId: sid(3), service: 'db', startMs: 12, durMs: 5, status: { code: 'ERROR', message: '' } }),
          // Trace 2: frontend(300, entry) → backend(50, entry, OK)
          span({ traceId: tid(2), spanId: sid(1), service: 'frontend', startMs: 1000, durMs: 300 }),
        ]);
        await store.writeSpans([
          span({ traceId: tid(2), spanId: sid(2), parentSpanId: sid(1), service: 'backend', startMs: 1010, durMs: 50, status: { code: 'OK', message: '' } }),
          // Trace 3: backend(10) whose parent is missing: an entry span.
          span({ traceId: tid(3), spanId: sid(5), parentSpanId: sid(99), service: 'backend', startMs: 2000, durMs: 10 }),
        ]);
        await store.writeLogs([
          log({ service: 'frontend' }), log({ service: 'frontend', traceId: tid(1) }), log({ service: 'log-only' }),
        ]);
        await store.writeMetrics([
          sample({ name: 'm1', service: 'frontend', labels: { a: 1 } }), sample({ name: 'm1', service: 'frontend', labels: { a: 2 } }),
          sample({ name: 'm2', service: 'frontend' }), sample({ name: 'm1', service: 'metric-only' }),
        ]);
      });

      it('lists every service with span, error, entry-span latency, log and metric counts', async () => {
        const none = { requestCount: 0, requestErrorCount: 0, p50Ms: null, p95Ms: null, p99Ms: null, ratePerMinute: 0 };
        expect(await store.listServices()).toEqual([
          { name: 'backend', spanCount: 3, errorCount: 1, requestCount: 3, requestErrorCount: 1, p50Ms: 30, p95Ms: 50, p99Ms: 50,
            ratePerMinute: expect.closeTo(3 * 60_000 / 1990, 2), logCount: 0, metricCount: 0 },
          { name: 'db', spanCount: 1, errorCount: 1, requestCount: 1, requestErrorCount: 1, p50Ms: 5, p95Ms: 5, p99Ms: 5,
            ratePerMinute: 60, logCount: 0, metricCount: 0 },
          { name: 'frontend', spanCount: 3, errorCount: 0, requestCount: 2, requestErrorCount: 0, p50Ms: 100, p95Ms: 300, p99Ms: 300,
            ratePerMinute: 120, logCount: 2, metricCount: 2 },
          { name: 'log-only', spanCount: 0, errorCount: 0, ...none, logCount: 1, metricCount: 0 },
          { name: 'metric-only', spanCount: 0, errorCount: 0, ...none, logCount: 0, metricCount: 1 },
        ]);
      });

      it('maps services from parent/child spans crossing services, counting child errors', async () => {
        const map = await store.serviceMap();
        expect([...map.nodes].sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([
          { name: 'backend', type: 'service' }, { name: 'db', type: 'service' }, { name: 'frontend', type: 'service' },
        ]);
        expect([...map.edges].sort((a, b) => (a.source + a.target < b.source + b.target ? -1 : 1))).toEqual([
          { source: 'backend', target: 'db', callCount: 1, errorCount: 1, p50Ms: 5 },
          { source: 'frontend', target: 'backend', callCount: 2, errorCount: 1, p50Ms: 30 },
        ]);
      });

      it('reflects later writes in services and the map', async () => {
        await store.listServices();
        await store.writeSpans([span({ traceId: tid(7), spanId: sid(1), service: 'backend', startMs: 3000, durMs: 1000 })]);
        await store.writeSpans([span({ traceId: tid(7), spanId: sid(2), parentSpanId: sid(1), service: 'cache', startMs: 3001, durMs: 1 })]);
        const backend = (await store.listServices()).find((s) => s.name === 'backend');
        expect(backend).toMatchObject({ spanCount: 4, p95Ms: 1000 });
        expect((await store.serviceMap()).edges).toContainEqual({ source: 'backend', target: 'cache', callCount: 1, errorCount: 0, p50Ms: 1 });
      });

      it('lists a service\'s operations: entry spans by name, busiest first, with a sparkline; undefined for an unknown service', async () => {
        await store.writeSpans([
          span({ traceId: tid(11), spanId: sid(1), service: 'api', name: 'GET /a', kind: 'SERVER', startMs: 10_000, durMs: 10 }),
          span({ traceId: tid(11), spanId: sid(2), parentSpanId: sid(1), service: 'api', name: 'db', startMs: 10_001, durMs: 2 }),
          span({ traceId: tid(12), spanId: sid(1), service: 'api', name: 'GET /a', kind: 'SERVER', startMs: 11_000, durMs: 20, status: { code: 'ERROR', message: '' } }),
          span({ traceId: tid(13), spanId: sid(1), service: 'api', name: 'GET /b', kind: 'SERVER', startMs: 12_000, durMs: 5 }),
          span({ traceId: tid(14), spanId: sid(1), service: 'api', name: 'GET /a', kind: 'SERVER', startMs: 12_900, durMs: 30 }),
        ]);
        const ops = await store.listOperations('api');
        const line = (...at: number[]): number[] => { const l = new Array(30).fill(0); for (const b of at) l[b]++; return l; };
        expect(ops).toEqual([
          { name: 'GET /a', kind: 'SERVER', requestCount: 3, requestErrorCount: 1, p50Ms: 20, p95Ms: 30, p99Ms: 30,
            ratePerMinute: expect.closeTo(3 * 60_000 / 2900, 2), sparkline: line(0, 10, 29) },
          { name: 'GET /b', kind: 'SERVER', requestCount: 1, requestErrorCount: 0, p50Ms: 5, p95Ms: 5, p99Ms: 5,
            ratePerMinute: expect.closeTo(60_000 / 2900, 2), sparkline: line(20) },
        ]);
        expect(await store.listOperations('nobody')).toBeUndefined();
        expect(await store.listOperations('log-only')).toEqual([]);
      });

      it('counts a request once its parent arrives after it, in the same service or another', async () => {
        // Same service: the child is an entry span until its parent lands.
        await store.writeSpans([span({ traceId: tid(21), spanId: sid(2), parentSpanId: sid(1), service: 'late', name: 'child', startMs: 5000, durMs: 5, status: { code: 'ERROR', message: '' } })]);
        expect((await store.listServices()).find((s) => s.name === 'late')).toMatchObject({ requestCount: 1, requestErrorCount: 1, p50Ms: 5 });
        await store.writeSpans([span({ traceId: tid(21), spanId: sid(1), service: 'late', name: 'GET /late', startMs: 4999, durMs: 100 })]);
        expect((await store.listServices()).find((s) => s.name === 'late')).toMatchObject({ requestCount: 1, requestErrorCount: 0, p50Ms: 100 });
        expect((await store.listOperations('late'))?.map((o) => [o.name, o.requestCount])).toEqual([['GET /late', 1]]);
        // Another service: the child stays an entry of its own service and makes an edge.
        await store.writeSpans([span({ traceId: tid(22), spanId: sid(2), parentSpanId: sid(1), service: 'callee', startMs: 6000, durMs: 7 })]);
        await store.writeSpans([span({ traceId: tid(22), spanId: sid(1), service: 'late', name: 'GET /late', startMs: 5990, durMs: 20 })]);
        expect((await store.listServices()).find((s) => s.name === 'callee')).toMatchObject({ requestCount: 1 });
        expect((await store.listServices()).find((s) => s.name === 'late')).toMatchObject({ requestCount: 2 });
        expect((await store.serviceMap()).edges).toContainEqual({ source: 'late', target: 'callee', callCount: 1, errorCount: 0, p50Ms: 7 });
      });

      it('drops an external node once the answer to its client call arrives in a later export', async () => {
        const t = tid(41);
        await store.writeSpans([
          span({ traceId: t, spanId: sid(1), service: 'web', name: 'GET /', kind: 'SERVER', startMs: 0, durMs: 20 }),
          span({ traceId: t, spanId: sid(2), parentSpanId: sid(1), service: 'web', name: 'GET', kind: 'CLIENT', startMs: 1, durMs: 10,
            attributes: { 'server.address': '127.0.0.1' } }),
        ]);
        expect((await store.serviceMap()).nodes).toContainEqual({ name: '127.0.0.1', type: 'external' });
        await store.writeSpans([span({ traceId: t, spanId: sid(3), parentSpanId: sid(2), service: 'api', name: 'GET /x', kind: 'SERVER', startMs: 2, durMs: 8 })]);
        const map = await store.serviceMap();
        expect(map.nodes.map((n) => n.name)).not.toContain('127.0.0.1');
        expect(map.edges.filter((e) => e.source === 'web')).toEqual([{ source: 'web', target: 'api', callCount: 1, errorCount: 0, p50Ms: 8 }]);
      });

      it('counts a request and a database call once when its export is retried', async () => {
        // Built afresh for the retry: equal items, not the same objects.
        const batch = (): Span[] => [
          span({ traceId: tid(51), spanId: sid(1), service: 'retry', name: 'GET /r', kind: 'SERVER', startMs: 0, durMs: 20 }),
          span({ traceId: tid(51), spanId: sid(2), parentSpanId: sid(1), service: 'retry', name: 'q', kind: 'CLIENT', startMs: 1, durMs: 3,
            attributes: { 'db.system': 'mysql', 'db.statement': 'SELECT 1' } }),
        ];
        await store.writeSpans(batch());
        await store.writeSpans(batch());
        expect((await store.listServices()).find((s) => s.name === 'retry')).toMatchObject({ requestCount: 1, spanCount: 2 });
        expect((await store.serviceMap()).edges).toContainEqual({ source: 'retry', target: 'mysql', callCount: 1, errorCount: 0, p50Ms: 3 });
      });

      it('adds database, messaging and external nodes for client calls without an instrumented answer', async () => {
        const t = tid(31);
        const pgAttrs = { 'db.system.name': 'postgresql', 'db.namespace': 'test', 'server.address': '127.0.0.1' };
        await store.writeSpans([
          span({ traceId: t, spanId: sid(1), service: 'shop', name: 'GET /cart', kind: 'SERVER', startMs: 0, durMs: 50 }),
          // Two queries and a pool checkout (no statement: not a call of the database).
          span({ traceId: t, spanId: sid(2), parentSpanId: sid(1), service: 'shop', name: 'pg.query', kind: 'CLIENT', startMs: 1, durMs: 4,
            attributes: { ...pgAttrs, 'db.query.text': 'SELECT 1' } }),
          span({ traceId: t, spanId: sid(3), parentSpanId: sid(1), service: 'shop', name: 'pg.query', kind: 'CLIENT', startMs: 6, durMs: 8,
            status: { code: 'ERROR', message: '' }, attributes: { ...pgAttrs, 'db.statement': 'SELECT 2' } }),
          span({ traceId: t, spanId: sid(4), parentSpanId: sid(1), service: 'shop', name: 'pg-pool.connect', kind: 'CLIENT', startMs: 1, durMs: 1, attributes: pgAttrs }),
          // A producer, and an HTTP call to an uninstrumented host whose own dns child does not answer it.
          span({ traceId: t, spanId: sid(5), parentSpanId: sid(1), service: 'shop', name: 'orders publish', kind: 'PRODUCER', startMs: 15, durMs: 2,
            attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' } }),
          span({ traceId: t, spanId: sid(6), parentSpanId: sid(1), service: 'shop', name: 'GET', kind: 'CLIENT', startMs: 20, durMs: 9,
            attributes: { 'server.address': 'pay.example.com', 'url.full': 'https://pay.example.com/x' } }),
          span({ traceId: t, spanId: sid(7), parentSpanId: sid(6), service: 'shop', name: 'dns.lookup', startMs: 20, durMs: 1 }),
          // An HTTP call answered by an instrumented service, the answer arriving first.
          span({ traceId: t, spanId: sid(9), parentSpanId: sid(8), service: 'stock', name: 'GET /stock', kind: 'SERVER', startMs: 31, durMs: 3 }),
        ]);
        await store.writeSpans([
          span({ traceId: t, spanId: sid(8), parentSpanId: sid(1), service: 'shop', name: 'GET', kind: 'CLIENT', startMs: 30, durMs: 5,
            attributes: { 'server.address': 'localhost' } }),
        ]);
        const map = await store.serviceMap();
        const fixture = ['backend', 'db', 'frontend'];
        expect(map.nodes.filter((n) => !fixture.includes(n.name))).toEqual([
          { name: 'kafka orders', type: 'messaging' }, { name: 'pay.example.com', type: 'external' },
          { name: 'postgresql test', type: 'database' }, { name: 'shop', type: 'service' }, { name: 'stock', type: 'service' },
        ]);
        expect(map.edges.filter((e) => e.source === 'shop')).toEqual([
          { source: 'shop', target: 'kafka orders', callCount: 1, errorCount: 0, p50Ms: 2 },
          { source: 'shop', target: 'pay.example.com', callCount: 1, errorCount: 0, p50Ms: 9 },
          { source: 'shop', target: 'postgresql test', callCount: 2, errorCount: 1, p50Ms: 4 },
          { source: 'shop', target: 'stock', callCount: 1, errorCount: 0, p50Ms: 3 },
        ]);
      });

      it('counts items in stats', async () => {
        expect(await store.stats()).toEqual({ traces: 3, spans: 7, logs: 3, metrics: 2, droppedSeries: 0 });
      });
    });

    it('drops every kind of item from every answer once its TTL has passed (CONTRACT §5)', async () => {
      const ttlSeconds = 2;
      const expiring = await makeStore({ ...CONTRACT_STORE_OPTIONS, ttlSeconds });
      try {
        await expiring.writeSpans([
          span({ spanId: sid(1), service: 'front' }),
          span({ spanId: sid(2), parentSpanId: sid(1), service: 'back', startMs: 10, durMs: 20, links: [{ traceId: tid(2), spanId: sid(1), attributes: {} }] }),
        ]);
        await expiring.writeLogs([log({ traceId: tid(1), service: 'logger' })]);
        await expiring.writeMetrics([sample({ service: 'metrics' })]);
        expect(await expiring.stats()).toEqual({ traces: 1, spans: 2, logs: 1, metrics: 1, droppedSeries: 0 });
        expect(await expiring.getBacklinks(tid(2))).toHaveLength(1);
        expect((await expiring.listServices()).map((s) => s.name)).toEqual(['back', 'front', 'logger', 'metrics']);
        expect((await expiring.serviceMap()).edges).toHaveLength(1);
        await backend.passTime(expiring, ttlSeconds);
        const answers = async (): Promise<unknown[]> => Promise.all([
          expiring.getTrace(tid(1)), expiring.findTraces(tq()), expiring.findTraces(tq({ service: 'front' })), expiring.getBacklinks(tid(2)),
          expiring.findLogs({ limit: 10 }), expiring.findLogs({ limit: 10, traceId: tid(1) }), expiring.listMetrics(), expiring.getMetric('m', {}),
          expiring.listServices(), expiring.serviceMap(), expiring.stats(),
        ]);
        await expect.poll(answers, { timeout: 20_000, interval: 100 }).toEqual([
          undefined, [], [], [], [], [], [], undefined, [], { nodes: [], edges: [] }, { traces: 0, spans: 0, logs: 0, metrics: 0, droppedSeries: 0 },
        ]);
      } finally {
        await expiring.clear();
        await expiring.close();
      }
    });

    it('clear() removes everything of this store and nothing of another', async () => {
      const other = await makeStore({ ...CONTRACT_STORE_OPTIONS });
      try {
        for (const s of [store, other]) {
          await s.writeSpans([span({ links: [{ traceId: tid(2), spanId: sid(1), attributes: {} }] })]);
          await s.writeLogs([log({ traceId: tid(1) })]);
          await s.writeMetrics([sample()]);
        }
        await store.clear();
        expect(await store.stats()).toEqual({ traces: 0, spans: 0, logs: 0, metrics: 0, droppedSeries: 0 });
        expect(await store.getTrace(tid(1))).toBeUndefined();
        expect(await store.findTraces(tq())).toEqual([]);
        expect(await store.getBacklinks(tid(2))).toEqual([]);
        expect(await store.findLogs({ limit: 10, traceId: tid(1) })).toEqual([]);
        expect(await store.listMetrics()).toEqual([]);
        expect(await store.getMetric('m', {})).toBeUndefined();
        expect(await store.listServices()).toEqual([]);
        expect(await store.serviceMap()).toEqual({ nodes: [], edges: [] });
        expect(await other.stats()).toEqual({ traces: 1, spans: 1, logs: 1, metrics: 1, droppedSeries: 0 });
        expect(await other.getTrace(tid(1))).toHaveLength(1);
        // The cleared store keeps working.
        await store.writeSpans([span()]);
        expect(await store.getTrace(tid(1))).toHaveLength(1);
      } finally {
        await other.clear();
        await other.close();
      }
    });
  });
}
