/**
 * Log normalisation rules (CONTRACT §3): severity text from the severity number (each band),
 * severity enum names, the observed-time fallback, bodies, ids, and per-item rejection.
 */
import { describe, expect, it } from 'vitest';
import { severityTextOf } from '../model/value-rules.js';
import { normaliseLogs } from './logs.js';
import type { OtlpLogRecord, OtlpLogsRequest } from './otlp-types.js';
import { extrasOf } from '../model/otlp-extras.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './options.js';

function options(over: Partial<NormaliseOptions> = {}): NormaliseOptions {
  let n = 0;
  return { ...DEFAULT_NORMALISE_OPTIONS, nextLogId: () => `id-${++n}`, ...over };
}
const request = (...records: unknown[]): OtlpLogsRequest => ({
  resourceLogs: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
    scopeLogs: [{ scope: { name: 'logger', version: '2' }, logRecords: records as OtlpLogRecord[] }],
  }],
});
const one = (r: OtlpLogRecord, o = options()) => {
  const n = normaliseLogs(request(r), o);
  expect(n.items).toHaveLength(1);
  return n.items[0];
};

const BANDS: [number, string][] = [
  [0, ''],
  ...[1, 2, 3, 4].map((n): [number, string] => [n, 'TRACE']),
  ...[5, 6, 7, 8].map((n): [number, string] => [n, 'DEBUG']),
  ...[9, 10, 11, 12].map((n): [number, string] => [n, 'INFO']),
  ...[13, 14, 15, 16].map((n): [number, string] => [n, 'WARN']),
  ...[17, 18, 19, 20].map((n): [number, string] => [n, 'ERROR']),
  ...[21, 22, 23, 24].map((n): [number, string] => [n, 'FATAL']),
];

describe('severity', () => {
  it.each(BANDS)('derives the text of severity number %i as %j', (n, text) => {
    expect(severityTextOf(n)).toBe(text);
    expect(one({ severityNumber: n })).toMatchObject({ severityNumber: n, severityText: text });
  });

  const NAMES: [string, number, string][] = [['SEVERITY_NUMBER_UNSPECIFIED', 0, '']];
  for (const [n, text] of BANDS.slice(1)) {
    const step = (n - 1) % 4;
    NAMES.push([`SEVERITY_NUMBER_${text}${step === 0 ? '' : step + 1}`, n, text]);
  }
  it.each(NAMES)('reads the enum name %s as %i (%s)', (name, n, text) => {
    expect(one({ severityNumber: name })).toMatchObject({ severityNumber: n, severityText: text });
  });

  it.each([
    [25], [99], [-1], [2.5], ['SEVERITY_NUMBER_BOGUS'], ['INFO'],
  ])('stores an unknown severity %j as 0 (UNSPECIFIED) with no text', (severityNumber) => {
    expect(one({ severityNumber: severityNumber as number })).toMatchObject({ severityNumber: 0, severityText: '' });
  });

  it.each([
    ['kept as sent over the number', { severityNumber: 10, severityText: 'Information' }, 'Information', 10],
    ['kept when there is no number', { severityText: 'warning' }, 'warning', 0],
    ['derived when empty', { severityNumber: 17, severityText: '' }, 'ERROR', 17],
    ['derived when not a string', { severityNumber: 5, severityText: 3 as never }, 'DEBUG', 5],
    ['cut to 64 characters', { severityText: 'X'.repeat(100) }, 'X'.repeat(64), 0],
  ])('severityText is %s', (_name, r, text, n) => {
    expect(one(r as OtlpLogRecord)).toMatchObject({ severityText: text, severityNumber: n });
  });
});

describe('time', () => {
  it.each([
    ['time set', '1700000000123456789', '1700000009000000000', '1700000000123456789', 1700000000.1234567],
    ['time 0 → observed', '0', '1700000000250000000', '1700000000250000000', 1700000000.25],
    ['time absent → observed', undefined, '1700000000500000001', '1700000000500000001', 1700000000.5],
    ['time 0 as a number → observed as a number', 0, 1700000000750000128, '1700000000750000128', 1700000000.7500002],
    ['both 0', '0', '0', '0', 0],
    ['both absent', undefined, undefined, '0', 0],
    ['time not a number → observed', 'soon', '1700000000000000000', '1700000000000000000', 1700000000],
    ['less than a second', '999', undefined, '999', 9.99e-7],
    ['far future, kept', '18446744073709551615', undefined, '18446744073709551615', 18446744073.709553],
  ])('%s', (_name, timeUnixNano, observedTimeUnixNano, time, seconds) => {
    const l = one({ timeUnixNano, observedTimeUnixNano } as OtlpLogRecord);
    expect(l.timeUnixNano).toBe(time);
    expect(l.timestamp).toBe(seconds);
  });
});

describe('body, ids and attributes', () => {
  it.each([
    ['a string', { stringValue: 'hello' }, 'hello'],
    ['a kvlist, as an object', { kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }] } }, { a: 1 }],
    ['an array', { arrayValue: { values: [{ stringValue: 'x' }, { boolValue: true }] } }, ['x', true]],
    ['an int', { intValue: '9007199254740993' }, '9007199254740993'],
    ['a double', { doubleValue: 'NaN' }, 'NaN'],
    ['a bool', { boolValue: false }, false],
    ['bytes', { bytesValue: 'SGk=' }, 'SGk='],
    ['absent', undefined, ''],
    ['null', null, ''],
    ['an empty AnyValue', {}, ''],
  ])('stores a body that is %s', (_name, body, expected) => {
    expect(one({ body } as OtlpLogRecord).body).toStrictEqual(expected);
  });

  it('cuts a string body past maxAttributeLength', () => {
    expect(one({ body: { stringValue: 'abcdefghij' } }, options({ maxAttributeLength: 4 })).body).toBe('abcd…');
  });

  it.each([
    ['hex', '5B8EFFF798038103D269B633813FC60C', 'EEE19B7EC3C1B174', '5b8efff798038103d269b633813fc60c', 'eee19b7ec3c1b174'],
    ['bytes', Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'), Buffer.from('eee19b7ec3c1b174', 'hex'), '5b8efff798038103d269b633813fc60c', 'eee19b7ec3c1b174'],
    ['empty', '', new Uint8Array(0), null, null],
    ['absent', undefined, undefined, null, null],
    ['of the wrong length, as given', '01234567890abcdef01234567890abcdef', 'ab', '01234567890abcdef01234567890abcdef', 'ab'],
  ])('stores trace and span ids given as %s', (_name, traceId, spanId, t, s) => {
    expect(one({ traceId, spanId } as OtlpLogRecord)).toMatchObject({ traceId: t, spanId: s });
  });

  it('carries service, resource, scope, attributes and a fresh id per record', () => {
    const n = normaliseLogs(request({ attributes: [{ key: 'k', value: { stringValue: 'v' } }] }, {}), options());
    expect(n.items.map((l) => l.id)).toEqual(['id-1', 'id-2']);
    expect(n.items[0]).toMatchObject({
      service: 'svc', resource: { 'service.name': 'svc' }, scope: { name: 'logger', version: '2' }, attributes: { k: 'v' },
    });
    expect(n.items[1].attributes).toEqual({});
  });
});

describe('rejected items', () => {
  it.each([['null', null], ['a number', 1], ['a string', 'log line']])(
    'rejects a record that is %s and keeps the rest', (_name, bad) => {
      const n = normaliseLogs(request({ body: { stringValue: 'a' } }, bad, { body: { stringValue: 'b' } }), options());
      expect(n.items.map((l) => l.body)).toEqual(['a', 'b']);
      expect(n.rejected).toBe(1);
      expect(n.message).toMatch(/^1 log record\(s\)/);
    });

  it('rejects a record whose fields throw when read, and keeps the others', () => {
    const hostile = {};
    Object.defineProperty(hostile, 'timeUnixNano', { get() { throw new Error('boom'); }, enumerable: true });
    const n = normaliseLogs(request({ body: { stringValue: 'a' } }, hostile), options());
    expect(n.items).toHaveLength(1);
    expect(n.rejected).toBe(1);
  });

  it('rejects the records past maxItems per request', () => {
    const n = normaliseLogs(request({}, {}, {}), options({ maxItems: 2 }));
    expect(n.items).toHaveLength(2);
    expect(n.rejected).toBe(1);
  });

  it('reads a request of the wrong shape as no records', () => {
    expect(normaliseLogs({ resourceLogs: [null, { scopeLogs: [null, { logRecords: 'x' }] }] } as never, options())).toEqual({ items: [], rejected: 0 });
  });
});

describe('fields the model leaves out (model/otlp-extras.ts)', () => {
  it.each([
    ['none: own time and text, no observed time', { timeUnixNano: '5', severityText: 'INFO', severityNumber: 9, body: { stringValue: 'b' } }, undefined],
    ['observed time, flags, event name, dropped count', { timeUnixNano: '5', observedTimeUnixNano: '6', flags: 1, eventName: 'ev', droppedAttributesCount: 2, severityText: 'x', body: { stringValue: 'b' } },
      { observedTimeUnixNano: '6', flags: 1, eventName: 'ev', droppedAttributesCount: 2 }],
    ['own time unknown: observed stands in', { observedTimeUnixNano: '6', severityText: 'x', body: { stringValue: 'b' } }, { timeUnixNano: '0', observedTimeUnixNano: '6' }],
    ['severity text derived from the number', { timeUnixNano: '5', severityNumber: 17, body: { stringValue: 'b' } }, { severityText: '' }],
    ['a body whose flat form hides its type', { timeUnixNano: '5', severityText: 'x', body: { doubleValue: 3 } }, { bodyKind: 'double' }],
    ['a body that shows its type', { timeUnixNano: '5', severityText: 'x', body: { doubleValue: 3.5 } }, undefined],
    ['no body', { timeUnixNano: '5', severityText: 'x' }, { noBody: 1 }],
  ])('%s', (_name, r, extras) => {
    const l = one(r as OtlpLogRecord);
    expect(extrasOf(l)).toEqual(extras);
    expect(JSON.stringify(l)).not.toMatch(/observed|eventName|flags/);
  });
});
