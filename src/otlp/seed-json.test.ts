/**
 * The seed's simple JSON (CONTRACT §2.3): the original README's three curl examples, verbatim, end up
 * as the documented model; arrays, services, attributes/labels, timestamp precision and the severity table.
 */
import { describe, expect, it } from 'vitest';
import { normaliseLogs } from '../normalise/logs.js';
import { normaliseMetrics } from '../normalise/metrics.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from '../normalise/options.js';
import { normaliseTraces } from '../normalise/traces.js';
import { isOtlpJson, parseJsonBody } from './json.js';
import { decodeSeedLogs, decodeSeedMetrics, decodeSeedTraces } from './seed-json.js';

const O: NormaliseOptions = { ...DEFAULT_NORMALISE_OPTIONS, nextLogId: () => 'log-1' };

// The bodies of the README's curl examples, character for character (CONTRACT §2.3).
const README_TRACE = `{
  "traceId": "01234567890abcdef01234567890abcdef", "spanId": "0123456789abcdef",
  "name": "test-operation",
  "startTimeUnixNano": 1700000000000000000, "endTimeUnixNano": 1700000000100000000 }`;
const README_LOG = `{
  "timestamp": 1700000000.0, "severity": "INFO",
  "trace_id": "01234567890abcdef01234567890abcdef", "message": "Test log message" }`;
const README_METRIC = `{
  "name": "test.metric", "timestamp": 1700000000.0, "value": 42.5 }`;

const traces = (doc: unknown) => normaliseTraces(decodeSeedTraces(doc).request, O).items;
const logs = (doc: unknown) => normaliseLogs(decodeSeedLogs(doc).request, O).items;
const metrics = (doc: unknown) => normaliseMetrics(decodeSeedMetrics(doc).request, O).items;

describe("the README's curl examples", () => {
  it.each([
    ['traces', README_TRACE],
    ['logs', README_LOG],
    ['metrics', README_METRIC],
  ] as const)('are recognised as the seed shape on /v1/%s', (signal, body) => {
    expect(isOtlpJson(signal, parseJsonBody(body))).toBe(false);
  });

  it('stores the span: 34-hex-char trace id as given, INTERNAL, UNSET, exact times, unknown_service', () => {
    const decoded = decodeSeedTraces(parseJsonBody(README_TRACE));
    expect(decoded).toMatchObject({ items: 1, rejected: 0 });
    expect(normaliseTraces(decoded.request, O)).toStrictEqual({
      items: [{
        traceId: '01234567890abcdef01234567890abcdef',
        spanId: '0123456789abcdef',
        parentSpanId: null,
        name: 'test-operation',
        kind: 'INTERNAL',
        startTimeUnixNano: '1700000000000000000',
        endTimeUnixNano: '1700000000100000000',
        durationMs: 100,
        status: { code: 'UNSET', message: '' },
        service: 'unknown_service',
        attributes: {},
        resource: { 'service.name': 'unknown_service' },
        scope: { name: '', version: '' },
        events: [],
        links: [],
      }],
      rejected: 0,
    });
  });

  it('stores the log: message as body, INFO = 9, the trace id as given, no span id', () => {
    const decoded = decodeSeedLogs(parseJsonBody(README_LOG));
    expect(decoded).toMatchObject({ items: 1, rejected: 0 });
    expect(normaliseLogs(decoded.request, O)).toStrictEqual({
      items: [{
        id: 'log-1',
        timeUnixNano: '1700000000000000000',
        timestamp: 1700000000,
        severityText: 'INFO',
        severityNumber: 9,
        body: 'Test log message',
        traceId: '01234567890abcdef01234567890abcdef',
        spanId: null,
        service: 'unknown_service',
        attributes: {},
        resource: { 'service.name': 'unknown_service' },
        scope: { name: '', version: '' },
      }],
      rejected: 0,
    });
  });

  it('stores the metric as a gauge point of 42.5', () => {
    const decoded = decodeSeedMetrics(parseJsonBody(README_METRIC));
    expect(decoded).toMatchObject({ items: 1, rejected: 0 });
    expect(normaliseMetrics(decoded.request, O)).toStrictEqual({
      items: [{
        name: 'test.metric', type: 'gauge', unit: '', description: '', service: 'unknown_service', labels: {},
        point: { timestamp: 1700000000, timeUnixNano: '1700000000000000000', value: 42.5 },
        resource: { 'service.name': 'unknown_service' }, scope: { name: '', version: '' },
      }],
      rejected: 0,
    });
  });
});

describe('seed spans', () => {
  it('lowercases ids of any length, keeps the parent and typed attributes, and groups by service', () => {
    const items = traces([
      { traceId: 'ABCDEF', spanId: 'AB', parentSpanId: 'CD', name: 'a', service: 'web', startTimeUnixNano: '1700000000000000001', endTimeUnixNano: '1700000000000000002',
        attributes: { 'http.method': 'GET', 'http.status_code': 200, ratio: 0.5, ok: true, tags: ['x', 1], nested: { k: 'v' }, nothing: null } },
      { traceId: 't', spanId: 's', name: 'b' },
    ]);
    expect(items[0]).toMatchObject({
      traceId: 'abcdef', spanId: 'ab', parentSpanId: 'cd', service: 'web', kind: 'INTERNAL',
      startTimeUnixNano: '1700000000000000001', endTimeUnixNano: '1700000000000000002', durationMs: 0.000001,
      attributes: { 'http.method': 'GET', 'http.status_code': 200, ratio: 0.5, ok: true, tags: ['x', 1], nested: { k: 'v' }, nothing: null },
      resource: { 'service.name': 'web' },
    });
    expect(items[1]).toMatchObject({ service: 'unknown_service', startTimeUnixNano: '0', endTimeUnixNano: '0', durationMs: 0 });
  });

  it('reads snake_case ids too', () => {
    expect(traces({ trace_id: 'aa', span_id: 'bb', parent_span_id: 'cc' })[0]).toMatchObject({ traceId: 'aa', spanId: 'bb', parentSpanId: 'cc' });
  });

  it('counts items that are not objects as rejected, and spans without ids are rejected by the normaliser', () => {
    const decoded = decodeSeedTraces([{ traceId: 'aa', spanId: 'bb' }, 1, 'x', null, [], { name: 'no ids' }]);
    expect(decoded).toMatchObject({ items: 6, rejected: 4 });
    expect(normaliseTraces(decoded.request, O)).toMatchObject({ rejected: 1 });
  });
});

describe('seed logs', () => {
  it.each([
    ['DEBUG', 'DEBUG', 5], ['INFO', 'INFO', 9], ['WARN', 'WARN', 13], ['WARNING', 'WARNING', 13], ['ERROR', 'ERROR', 17],
    ['FATAL', 'FATAL', 21], ['CRITICAL', 'CRITICAL', 21],
    ['info', 'INFO', 9], ['Warning', 'WARNING', 13], ['critical', 'CRITICAL', 21],
    ['TRACE', 'TRACE', 0], ['notice', 'NOTICE', 0], ['', '', 0], [undefined, '', 0],
  ])('maps severity %j to %s / %i', (severity, text, n) => {
    expect(logs({ timestamp: 1700000000, severity, message: 'm' })[0]).toMatchObject({ severityText: text, severityNumber: n });
  });

  it.each([
    [1700000000, '1700000000000000000', 1700000000],
    [1700000000.5, '1700000000500000000', 1700000000.5],
    [1700000000.123, '1700000000123000000', 1700000000.123],
    [1700000000.123456, '1700000000123456000', 1700000000.123456],
    ['1700000000.25', '1700000000250000000', 1700000000.25],
  ])('keeps the precision of timestamp %j', (timestamp, nanos, seconds) => {
    expect(logs({ timestamp, message: 'm' })[0]).toMatchObject({ timeUnixNano: nanos, timestamp: seconds });
  });

  it('falls back to the time of arrival when the timestamp is missing', () => {
    const before = Date.now() / 1000;
    const [l] = logs({ message: 'no timestamp' });
    expect(l.timestamp).toBeGreaterThanOrEqual(Math.floor(before));
    expect(l.timestamp).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });

  it('keeps structured messages, ids, service and attributes', () => {
    const [l] = logs({ timestamp: 1, message: { event: 'login', user: 7 }, trace_id: 'AB', span_id: 'CD', service: 'auth', attributes: { 'user.id': 7 } });
    expect(l).toMatchObject({ body: { event: 'login', user: 7 }, traceId: 'ab', spanId: 'cd', service: 'auth', attributes: { 'user.id': 7 } });
  });
});

describe('seed metrics', () => {
  it('turns labels into string/number/bool labels of a gauge, per service', () => {
    const items = metrics([
      { name: 'temp', timestamp: 1700000000.25, value: 21, labels: { room: 'kitchen', floor: 1, heated: true }, service: 'house' },
      { name: 'temp', timestamp: 1700000001, value: '22.5' },
    ]);
    expect(items).toEqual([
      { name: 'temp', type: 'gauge', unit: '', description: '', service: 'house', labels: { room: 'kitchen', floor: 1, heated: true },
        point: { timestamp: 1700000000.25, timeUnixNano: '1700000000250000000', value: 21 },
        resource: { 'service.name': 'house' }, scope: { name: '', version: '' } },
      { name: 'temp', type: 'gauge', unit: '', description: '', service: 'unknown_service', labels: {},
        point: { timestamp: 1700000001, timeUnixNano: '1700000001000000000', value: 22.5 },
        resource: { 'service.name': 'unknown_service' }, scope: { name: '', version: '' } },
    ]);
  });

  it('stores a value that is not a number as "NaN", and rejects a metric without a name', () => {
    const n = normaliseMetrics(decodeSeedMetrics([{ name: 'x', timestamp: 1, value: 'abc' }, { timestamp: 1, value: 1 }]).request, O);
    expect(n.items.map((s) => s.point.value)).toEqual(['NaN']);
    expect(n.rejected).toBe(1);
  });
});
