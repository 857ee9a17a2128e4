// Unit tests for ui/lib route parsing, colours and the service-map layout.
import { describe, expect, it } from 'vitest';
import { hashString, serviceColor, severityClass, SERVICE_PALETTE } from './colors.js';
import { layoutGraph } from './graph-layout.js';
import { buildHash, parseRoute } from './route.js';

describe('routes', () => {
  it.each([
    ['', { view: 'traces', query: {} }],
    ['#/traces', { view: 'traces', query: {} }],
    ['#/traces/abc123', { view: 'trace', param: 'abc123', query: {} }],
    ['#/logs?trace_id=abc', { view: 'logs', query: { trace_id: 'abc' } }],
    ['#/metrics/http.server.duration', { view: 'metric', param: 'http.server.duration', query: {} }],
    ['#/metrics/a%2Fb', { view: 'metric', param: 'a/b', query: {} }],
    ['#/services', { view: 'services', query: {} }],
    ['#/service-map', { view: 'service-map', query: {} }],
    ['#/nonsense', { view: 'traces', query: {} }],
  ])('parses %s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });
  it('builds hashes that parse back', () => {
    expect(buildHash('metric', 'a/b c')).toBe('#/metrics/a%2Fb%20c');
    expect(parseRoute(buildHash('metric', 'a/b c')).param).toBe('a/b c');
    expect(buildHash('logs', undefined, { trace_id: 'x', q: '' })).toBe('#/logs?trace_id=x');
  });
});

describe('colours', () => {
  it('gives a service a fixed palette colour from its name (FNV-1a), the same on every page and every load', () => {
    // Published FNV-1a 32-bit test vectors: the hash is the standard one, not whatever this build does.
    expect([hashString(''), hashString('a'), hashString('foobar')]).toEqual([0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
    // So a name's colour is fixed by the name alone (pinned here, as users learn them).
    expect(serviceColor('a')).toBe(SERVICE_PALETTE[0xe40c292c % 12]);
    expect(serviceColor('foobar')).toBe(SERVICE_PALETTE[0xbf9cf968 % 12]);
    expect(serviceColor('frontend')).toBe(SERVICE_PALETTE[hashString('frontend') % SERVICE_PALETTE.length]);
  });
  it('spreads services over the whole palette, and tells near-identical names apart', () => {
    const used = new Set(Array.from({ length: 60 }, (_, i) => serviceColor(`svc-${i}`)));
    expect(used).toEqual(new Set(SERVICE_PALETTE));
    expect(new Set(['checkout', 'checkouts', 'Checkout'].map(serviceColor)).size).toBeGreaterThan(1);
  });
  it.each([
    [21, '', 'fatal'], [17, '', 'error'], [13, '', 'warn'], [9, '', 'info'], [5, '', 'debug'], [1, '', 'trace'],
    [0, 'WARNING', 'warn'], [0, 'critical', 'fatal'], [0, 'whatever', 'unset'],
  ] as const)('severity %s/%s is %s', (n, t, cls) => {
    expect(severityClass(n, t)).toBe(cls);
  });
});

describe('layoutGraph', () => {
  it('puts callers left of callees and keeps every node', () => {
    const l = layoutGraph(['a', 'b', 'c', 'd'], [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'a', target: 'c' }]);
    const x = Object.fromEntries(l.nodes.map((n) => [n.name, n.x]));
    expect(l.nodes).toHaveLength(4);
    expect(x.a).toBeLessThan(x.b);
    expect(x.b).toBeLessThan(x.c);
  });
  it('survives cycles and self-loops', () => {
    const l = layoutGraph([], [{ source: 'a', target: 'b' }, { source: 'b', target: 'a' }, { source: 'a', target: 'a' }]);
    expect(l.nodes.map((n) => n.name).sort()).toEqual(['a', 'b']);
  });
  it('never overlaps two nodes for 30 services', () => {
    const names = Array.from({ length: 30 }, (_, i) => `svc-${i}`);
    const edges = names.slice(1).map((n, i) => ({ source: names[Math.floor(i / 3)], target: n }));
    const l = layoutGraph(names, edges);
    const seen = new Set(l.nodes.map((n) => `${n.x},${n.y}`));
    expect(seen.size).toBe(30);
  });
});
