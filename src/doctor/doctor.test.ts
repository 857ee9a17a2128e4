import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Attributes, LogRecord, Span } from '../model/model.js';
import { DEFAULT_MAX_BYTES, Doctor, nameTemplate } from './doctor.js';
import { MAX_SERVICE_CHARS } from '../model/value-rules.js';

const T0 = 1_700_000_000_000;
let next = 1;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

function span(over: Partial<Span> & { attributes?: Attributes } = {}): Span {
  const id = next++;
  const start = BigInt(T0) * 1_000_000n;
  return {
    traceId: hex(1, 32), spanId: hex(id, 16), parentSpanId: null, name: 'work', kind: 'INTERNAL',
    startTimeUnixNano: String(start), endTimeUnixNano: String(start + 10_000_000n), durationMs: 10,
    status: { code: 'UNSET', message: '' }, service: 'svc', attributes: {}, resource: {}, scope: { name: 's', version: '' },
    events: [], links: [], ...over,
  };
}

function log(over: Partial<LogRecord> = {}): LogRecord {
  return {
    id: 'log' + next++, timeUnixNano: '0', timestamp: 0, severityText: 'INFO', severityNumber: 9, body: 'hello',
    traceId: null, spanId: null, service: 'svc', attributes: {}, resource: {}, scope: { name: '', version: '' }, ...over,
  };
}

type Feed = { spans?: Span[]; logs?: LogRecord[]; refused?: number };

function run(feed: Feed | Feed[], opts: { advanceMs?: number } = {}) {
  let now = T0;
  const d = new Doctor({ now: () => now, orphanSettleMs: 30_000, maxAttributeLength: 20 });
  for (const f of Array.isArray(feed) ? feed : [feed]) {
    if (f.spans) d.check({ signal: 'traces', items: f.spans, receivedAtMs: now });
    if (f.logs) d.check({ signal: 'logs', items: f.logs, receivedAtMs: now });
    if (f.refused) d.check({ signal: 'metrics', items: [], refused: f.refused, receivedAtMs: now });
  }
  now += opts.advanceMs ?? 0;
  return d.report();
}

const rulesOf = (r: ReturnType<typeof run>) => r.findings.map((f) => f.rule);

const parentChild = (childOver: Partial<Span>, parentOver: Partial<Span> = {}) => {
  const p = span({ service: 'front', ...parentOver });
  return [span({ service: 'back', parentSpanId: p.spanId, ...childOver }), p];
};
const ns = (ms: number) => String(BigInt(T0 + ms) * 1_000_000n);

const SERVER = { kind: 'SERVER' as const };
const HTTP_OK = { 'http.request.method': 'GET', 'http.route': '/x', 'http.response.status_code': 200 };

interface Case { name: string; feed: Feed | Feed[]; advanceMs?: number; rule: string; fires: boolean }

const cases: Case[] = [
  { name: 'unknown_service span', feed: { spans: [span({ service: 'unknown_service:node' })] }, rule: 'missing-service-name', fires: true },
  { name: 'unknown_service log', feed: { logs: [log({ service: 'unknown_service' })] }, rule: 'missing-service-name', fires: true },
  { name: 'named service', feed: { spans: [span({ service: 'checkout' })] }, rule: 'missing-service-name', fires: false },

  { name: 'parent missing after 30 s', feed: { spans: [span({ parentSpanId: hex(999999, 16) })] }, advanceMs: 30_001, rule: 'orphan-span', fires: true },
  { name: 'parent missing but not yet 30 s', feed: { spans: [span({ parentSpanId: hex(999998, 16) })] }, advanceMs: 29_000, rule: 'orphan-span', fires: false },
  { name: 'parent arrives after the child', feed: [{ spans: [parentChild({})[0]] }, { spans: [] }], rule: 'orphan-span', fires: false },
  { name: 'parent in a later batch', feed: (() => { const [c, p] = parentChild({}); return [{ spans: [c] }, { spans: [p] }]; })(), advanceMs: 60_000, rule: 'orphan-span', fires: false },
  { name: 'parent before child', feed: (() => { const [c, p] = parentChild({}); return [{ spans: [p] }, { spans: [c] }]; })(), advanceMs: 60_000, rule: 'orphan-span', fires: false },

  { name: 'same ids, different span', feed: (() => { const a = span(); return { spans: [a, { ...a, name: 'other' }] }; })(), rule: 'duplicate-span-id', fires: true },
  { name: 'same span re-sent (retry)', feed: (() => { const a = span(); return [{ spans: [a] }, { spans: [{ ...a }] }]; })(), rule: 'duplicate-span-id', fires: false },

  { name: 'exception, status UNSET', feed: { spans: [span({ events: [{ name: 'exception', timeUnixNano: '0', attributes: {} }] })] }, rule: 'exception-without-error', fires: true },
  { name: 'exception, status ERROR', feed: { spans: [span({ status: { code: 'ERROR', message: '' }, events: [{ name: 'exception', timeUnixNano: '0', attributes: {} }] })] }, rule: 'exception-without-error', fires: false },
  { name: 'other event, UNSET', feed: { spans: [span({ events: [{ name: 'retry', timeUnixNano: '0', attributes: {} }] })] }, rule: 'exception-without-error', fires: false },

  { name: 'SERVER 503 UNSET', feed: { spans: [span({ ...SERVER, attributes: { ...HTTP_OK, 'http.response.status_code': 503 } })] }, rule: 'server-error-not-marked', fires: true },
  { name: 'SERVER 500 old name UNSET', feed: { spans: [span({ ...SERVER, attributes: { 'http.method': 'GET', 'http.route': '/', 'http.status_code': 500 } })] }, rule: 'server-error-not-marked', fires: true },
  { name: 'SERVER 503 ERROR', feed: { spans: [span({ ...SERVER, status: { code: 'ERROR', message: '' }, attributes: { ...HTTP_OK, 'http.response.status_code': 503 } })] }, rule: 'server-error-not-marked', fires: false },
  { name: 'SERVER 404 UNSET', feed: { spans: [span({ ...SERVER, attributes: { ...HTTP_OK, 'http.response.status_code': 404 } })] }, rule: 'server-error-not-marked', fires: false },
  { name: 'CLIENT 503 UNSET', feed: { spans: [span({ kind: 'CLIENT', attributes: { ...HTTP_OK, 'http.response.status_code': 503 } })] }, rule: 'server-error-not-marked', fires: false },

  { name: '12 user ids in names', feed: { spans: Array.from({ length: 12 }, (_, i) => span({ ...SERVER, name: `GET /users/${i + 100}`, attributes: HTTP_OK })) }, rule: 'high-cardinality-span-name', fires: true },
  { name: 'UUIDs in names', feed: { spans: Array.from({ length: 10 }, (_, i) => span({ name: `load 123e4567-e89b-12d3-a456-4266141740${hex(i, 2)}` })) }, rule: 'high-cardinality-span-name', fires: true },
  { name: 'few distinct numbered names', feed: { spans: Array.from({ length: 30 }, (_, i) => span({ name: `GET /api/v${(i % 3) + 1}/items` })) }, rule: 'high-cardinality-span-name', fires: false },
  { name: 'many names without ids', feed: { spans: Array.from({ length: 30 }, (_, i) => span({ name: `op-${String.fromCharCode(97 + (i % 26))}` })) }, rule: 'high-cardinality-span-name', fires: false },

  { name: 'SERVER http without route', feed: { spans: [span({ ...SERVER, attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 } })] }, rule: 'http-server-without-route', fires: true },
  { name: 'SERVER http with route', feed: { spans: [span({ ...SERVER, attributes: HTTP_OK })] }, rule: 'http-server-without-route', fires: false },
  { name: 'SERVER 404 without route', feed: { spans: [span({ ...SERVER, attributes: { 'http.request.method': 'GET', 'http.response.status_code': 404 } })] }, rule: 'http-server-without-route', fires: false },
  { name: 'SERVER rpc (no http)', feed: { spans: [span({ ...SERVER, attributes: { 'rpc.system': 'grpc' } })] }, rule: 'http-server-without-route', fires: false },

  { name: 'spans and untraced logs', feed: { spans: [span()], logs: [log(), log()] }, rule: 'log-without-trace-context', fires: true },
  { name: 'some logs traced', feed: { spans: [span()], logs: [log(), log({ traceId: hex(1, 32), spanId: hex(2, 16) })] }, rule: 'log-without-trace-context', fires: false },
  { name: 'logs only, no spans', feed: { logs: [log(), log()] }, rule: 'log-without-trace-context', fires: false },

  { name: 'child starts 5 ms before parent, other service', feed: { spans: parentChild({ startTimeUnixNano: ns(-5), endTimeUnixNano: ns(5) }, { startTimeUnixNano: ns(0), endTimeUnixNano: ns(10) }) }, rule: 'clock-skew', fires: true },
  { name: 'SERVER child starts after its CLIENT parent ended, parent first', feed: (() => { const [c, p] = parentChild({ kind: 'SERVER', startTimeUnixNano: ns(12), endTimeUnixNano: ns(15) }, { kind: 'CLIENT', startTimeUnixNano: ns(0), endTimeUnixNano: ns(10) }); return [{ spans: [p] }, { spans: [c] }]; })(), rule: 'clock-skew', fires: true },
  { name: 'SERVER child ends 20 ms after its CLIENT parent (response flushed; real app)', feed: { spans: parentChild({ kind: 'SERVER', startTimeUnixNano: ns(2), endTimeUnixNano: ns(30) }, { kind: 'CLIENT', startTimeUnixNano: ns(0), endTimeUnixNano: ns(10) }) }, rule: 'clock-skew', fires: false },
  { name: 'CONSUMER starts after its PRODUCER ended', feed: { spans: parentChild({ kind: 'CONSUMER', startTimeUnixNano: ns(50), endTimeUnixNano: ns(60) }, { kind: 'PRODUCER', startTimeUnixNano: ns(0), endTimeUnixNano: ns(10) }) }, rule: 'clock-skew', fires: false },
  { name: 'child 0.5 ms early', feed: { spans: parentChild({ startTimeUnixNano: String(BigInt(T0) * 1_000_000n - 500_000n), endTimeUnixNano: ns(5) }, { startTimeUnixNano: ns(0), endTimeUnixNano: ns(10) }) }, rule: 'clock-skew', fires: false },
  { name: 'same service async child outlives parent', feed: { spans: parentChild({ service: 'front', startTimeUnixNano: ns(1), endTimeUnixNano: ns(500) }, { startTimeUnixNano: ns(0), endTimeUnixNano: ns(10) }) }, rule: 'clock-skew', fires: false },
  { name: 'child inside parent', feed: { spans: parentChild({ startTimeUnixNano: ns(1), endTimeUnixNano: ns(9) }, { startTimeUnixNano: ns(0), endTimeUnixNano: ns(10) }) }, rule: 'clock-skew', fires: false },

  { name: 'http.method', feed: { spans: [span({ kind: 'CLIENT', attributes: { 'http.method': 'GET' } })] }, rule: 'deprecated-semconv', fires: true },
  { name: 'db.statement', feed: { spans: [span({ kind: 'CLIENT', attributes: { 'db.statement': 'select 1' } })] }, rule: 'deprecated-semconv', fires: true },
  { name: 'stable names', feed: { spans: [span({ kind: 'CLIENT', attributes: { 'http.request.method': 'GET', 'db.query.text': 'select 1', 'db.system.name': 'postgresql' } })] }, rule: 'deprecated-semconv', fires: false },
  { name: 'dup mode: old and new', feed: { spans: [span({ kind: 'CLIENT', attributes: { 'http.method': 'GET', 'http.request.method': 'GET' } })] }, rule: 'deprecated-semconv', fires: false },

  { name: 'cut attribute value', feed: { spans: [span({ attributes: { big: 'x'.repeat(20) + '…' } })] }, rule: 'limits-hit', fires: true },
  { name: 'cut log body', feed: { logs: [log({ body: 'y'.repeat(20) + '…' })] }, rule: 'limits-hit', fires: true },
  { name: 'metric series refused', feed: { refused: 3 }, rule: 'limits-hit', fires: true },
  { name: 'value ending … under the limit', feed: { spans: [span({ attributes: { note: 'wait…' } })], logs: [log({ body: 'z'.repeat(21) + '…' })] }, rule: 'limits-hit', fires: false },
];

describe('doctor rules', () => {
  it.each(cases)('$rule: $name → fires=$fires', (c) => {
    const r = run(c.feed, { advanceMs: c.advanceMs });
    expect(rulesOf(r).includes(c.rule)).toBe(c.fires);
  });

  it('a deprecated attribute is one finding per attribute, once per service, naming the replacement', () => {
    const spans = Array.from({ length: 5 }, (_, i) => span({ kind: 'CLIENT', name: 'n' + (i % 2), attributes: { 'http.method': 'GET', 'db.system': 'pg' } }));
    const r = run({ spans });
    const dep = r.findings.filter((f) => f.rule === 'deprecated-semconv');
    expect(dep.map((f) => f.title).sort()).toEqual(['Deprecated attribute db.system (use db.system.name)', 'Deprecated attribute http.method (use http.request.method)']);
    for (const f of dep) { expect(f.count).toBe(1); expect(f.hint).toContain('1.37'); }
  });

  it('answers the §9 shape, most severe first, at most 5 examples, and filters by service', () => {
    const spans = [
      ...Array.from({ length: 8 }, () => span({ service: 'unknown_service' })),
      span({ service: 'a', kind: 'CLIENT', attributes: { 'net.peer.name': 'h' } }),
    ];
    const r = run({ spans });
    expect(r.findings.map((f) => f.severity)).toEqual(['error', 'info']);
    const f = r.findings[0];
    expect(f).toMatchObject({ rule: 'missing-service-name', count: 8, services: ['unknown_service'] });
    expect(f.examples).toHaveLength(5);
    expect(f.examples[0]).toEqual({ traceId: expect.any(String), spanId: expect.any(String) });
    expect(f.firstSeen).toBe(T0 / 1000);
    expect(Object.keys(f).sort()).toEqual(['count', 'examples', 'firstSeen', 'hint', 'lastSeen', 'rule', 'services', 'severity', 'title']);
    expect(r.rules.find((x) => x.rule === 'orphan-span')).toEqual({ rule: 'orphan-span', severity: 'warning', title: expect.any(String), enabled: true });
    const d = new Doctor();
    d.check({ signal: 'traces', items: spans, receivedAtMs: T0 });
    expect(d.report('a').findings.map((x) => x.rule)).toEqual(['deprecated-semconv']);
  });

  it('reset forgets findings; disabled rules do not fire', () => {
    const d = new Doctor({ disabled: ['missing-service-name'] });
    d.check({ signal: 'traces', items: [span({ service: 'unknown_service' }), span({ events: [{ name: 'exception', timeUnixNano: '0', attributes: {} }] })], receivedAtMs: T0 });
    const r = d.report();
    expect(r.findings.map((f) => f.rule)).toEqual(['exception-without-error']);
    expect(r.rules.find((x) => x.rule === 'missing-service-name')!.enabled).toBe(false);
    d.reset();
    expect(d.report().findings).toEqual([]);
  });

  it('memory stays bounded: seen spans and waiting children are capped', () => {
    const d = new Doctor({ maxSeenSpans: 100, maxPending: 50 });
    const spans = Array.from({ length: 1000 }, () => span({ parentSpanId: hex(next++ + 1e9, 16) }));
    d.check({ signal: 'traces', items: spans, receivedAtMs: T0 });
    const inner = d as unknown as { seen: Map<string, unknown>; pending: Map<string, unknown> };
    expect(inner.seen.size).toBeLessThanOrEqual(100);
    expect(inner.pending.size).toBeLessThanOrEqual(50);
  });

  it('keeps no long id, name or service alive, and its maps stay under their byte budget', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const d = new Doctor({ now: () => T0 });
    gc();
    const before = process.memoryUsage().heapUsed;
    // 1000 children (parent missing) whose ids, names and services are 16 KiB each and distinct:
    // 64 KiB a span were kept by the spans seen and the children waiting.
    const long = (i: number, what: string) => `${i}.${what}.`.padEnd(16 * 1024, what);
    for (let i = 0; i < 1000; i++) {
      d.check({ signal: 'traces', items: [span({ traceId: long(i, 't'), spanId: long(i, 's'), parentSpanId: long(i, 'p'), name: long(i, 'n'), service: long(i, 'v') })], receivedAtMs: T0 });
    }
    gc();
    expect(d.bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 1024 * 1024);
    // The rules still see long values: a re-sent span is no duplicate, another name with its ids is.
    const a = span({ traceId: long(1, 'T'), spanId: long(1, 'S'), name: long(1, 'N'), service: `unknown_service:${long(7, 'x')}` });
    d.check({ signal: 'traces', items: [a, { ...a }, { ...a, name: long(2, 'N') }], receivedAtMs: T0 });
    const r = d.report(`unknown_service:${long(7, 'x')}`);
    expect(r.findings.map((f) => f.rule).sort()).toEqual(['duplicate-span-id', 'missing-service-name']);
    expect(r.findings[0].services[0].length).toBeLessThan(MAX_SERVICE_CHARS + 20);
  });

  it('waiting children are bounded by bytes and in total, oldest parents first', () => {
    let now = T0;
    const d = new Doctor({ now: () => now, maxBytes: 1024 * 1024, maxPendingChildren: 2000 });
    // 64 children for each of 100 missing parents, then 50,000 children of distinct missing parents.
    for (let p = 0; p < 100; p++) d.check({ signal: 'traces', items: Array.from({ length: 64 }, () => span({ service: 'back', parentSpanId: hex(5e9 + p, 16) })), receivedAtMs: now });
    const inner = d as unknown as { pending: Map<string, unknown[]>; seen: Map<string, unknown> };
    const children = () => [...inner.pending.values()].reduce((n, l) => n + l.length, 0);
    expect(children()).toBeLessThanOrEqual(2000);
    for (let i = 0; i < 50_000; i++) d.check({ signal: 'traces', items: [span({ service: 'back', parentSpanId: hex(6e9 + i, 16) })], receivedAtMs: now });
    expect(d.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(children()).toBeLessThanOrEqual(2000);
    // The newest child still waits, and becomes an orphan once settled.
    expect(inner.pending.has(`${hex(1, 32)}\0${hex(6e9 + 49_999, 16)}`)).toBe(true);
    now += 30_001;
    expect(d.report().findings.map((f) => f.rule)).toContain('orphan-span');
    expect(d.bytes).toBe([...inner.seen.values()].reduce((n: number, v) => n + (v as { bytes: number }).bytes, 0));
  });

  it('a backlog of waiting children does not shrink the spans seen (their own budgets)', () => {
    const now = T0;
    const d = new Doctor({ now: () => now, maxItemsPerSecond: 1e9, maxQueuedItems: 1e9 });
    const inner = d as unknown as { pending: Map<string, unknown[]>; seen: Map<string, unknown> };
    for (let i = 0; i < 20_000; i++) d.check({ signal: 'traces', items: [span({ service: 'back', parentSpanId: hex(7e9 + i, 16) })], receivedAtMs: now });
    for (let b = 0; b < 100; b++) d.check({ signal: 'traces', items: Array.from({ length: 1000 }, () => span({ traceId: hex(9e9 + b, 32) })), receivedAtMs: now });
    // 100,000 ordinary spans (32-hex trace ids, 16-hex span ids): all of them fit the seen window.
    expect(inner.seen.size).toBe(100_000);
    expect(d.bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
  });

  it('the observer defers the check and a read flushes it', () => {
    const d = new Doctor();
    d.observer({ signal: 'traces', items: [span({ service: 'unknown_service' })], receivedAtMs: T0 });
    expect(d.report().findings.map((f) => f.rule)).toEqual(['missing-service-name']);
  });

  it('checks at most maxItemsPerSecond items a second, and a skipped batch makes no orphans', () => {
    let now = T0;
    const d = new Doctor({ now: () => now, maxItemsPerSecond: 3 });
    const child = span({ service: 'unknown_service', parentSpanId: hex(424242, 16) });
    d.observer({ signal: 'traces', items: [child], receivedAtMs: now });
    d.observer({ signal: 'traces', items: [span(), span(), span({ service: 'unknown_service' })], receivedAtMs: now });
    expect(d.skippedItems).toBe(3);
    now += 60_000;
    const r = d.report();
    expect(r.findings.map((f) => f.rule)).toEqual(['missing-service-name']);
    expect(r.findings[0].count).toBe(1);
    // A new second has a new budget.
    d.observer({ signal: 'traces', items: [span({ service: 'unknown_service' })], receivedAtMs: now });
    expect(d.report().findings[0].count).toBe(2);
  });

  it('name templates', () => {
    expect(nameTemplate('GET /users/42')).toBe('GET /users/{n}');
    expect(nameTemplate('GET https://api.example.com/a?b=1')).toBe('GET {url}/a?{query}');
    expect(nameTemplate('fetch 5f2b9c1d0e3a4b77')).toBe('fetch {hex}');
    expect(nameTemplate('work')).toBe('work');
  });
});
