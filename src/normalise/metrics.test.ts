/**
 * Metric normalisation rules (CONTRACT §3, §5): the five metric types, temporality and monotonicity,
 * number points, histogram optional fields (also their presence in protobuf), and per-point rejection.
 */
import { describe, expect, it } from 'vitest';
import { decodeMetricsProtobuf, encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import type { OtlpMetric, OtlpMetricsRequest } from './otlp-types.js';
import { normaliseMetrics } from './metrics.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './options.js';

const O: NormaliseOptions = DEFAULT_NORMALISE_OPTIONS;
const T = '1700000000000000000';
const request = (...metrics: unknown[]): OtlpMetricsRequest => ({
  resourceMetrics: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
    scopeMetrics: [{ metrics: metrics as OtlpMetric[] }],
  }],
});
const viaProtobuf = (req: object) => decodeMetricsProtobuf(encodeRequestProtobuf('metrics', req));
const samples = (m: unknown, o = O) => normaliseMetrics(request(m), o).items;

describe('metric types', () => {
  it.each([
    ['gauge', { gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 1 }] } }, { value: 1 }],
    ['sum', { sum: { dataPoints: [{ timeUnixNano: T, asInt: '2' }] } }, { value: 2, asInt: '2' }],
    ['histogram', { histogram: { dataPoints: [{ timeUnixNano: T, count: '1', bucketCounts: ['1'] }] } }, { count: 1, bucketCounts: [1], explicitBounds: [] }],
    ['exponential_histogram', { exponentialHistogram: { dataPoints: [{ timeUnixNano: T, count: '1', zeroCount: '1' }] } },
      { count: 1, scale: 0, zeroCount: 1, positive: { offset: 0, bucketCounts: [] }, negative: { offset: 0, bucketCounts: [] } }],
    ['summary', { summary: { dataPoints: [{ timeUnixNano: T, count: '1', sum: 2 }] } }, { count: 1, sum: 2, quantiles: [] }],
  ])('normalises a %s', (type, data, point) => {
    const [s] = samples({ name: 'm', unit: 'ms', description: 'd', ...data });
    expect(s).toMatchObject({ name: 'm', type, unit: 'ms', description: 'd', service: 'svc', labels: {} });
    expect(s.point).toStrictEqual({ timestamp: 1700000000, timeUnixNano: T, ...point });
  });

  it('gives the same types from protobuf', () => {
    const req = request(
      { name: 'g', gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 1 }] } },
      { name: 's', sum: { dataPoints: [{ timeUnixNano: T, asInt: '2' }] } },
      { name: 'h', histogram: { dataPoints: [{ timeUnixNano: T, count: '1' }] } },
      { name: 'e', exponentialHistogram: { dataPoints: [{ timeUnixNano: T, count: '1' }] } },
      { name: 'q', summary: { dataPoints: [{ timeUnixNano: T, count: '1' }] } },
    );
    const types = normaliseMetrics(viaProtobuf(req), O).items.map((s) => s.type);
    expect(types).toEqual(['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary']);
  });
});

describe('temporality and monotonicity', () => {
  it.each([
    [1, 'delta'], ['AGGREGATION_TEMPORALITY_DELTA', 'delta'],
    [2, 'cumulative'], ['AGGREGATION_TEMPORALITY_CUMULATIVE', 'cumulative'],
    [0, 'cumulative'], [undefined, 'cumulative'], [7, 'cumulative'], ['AGGREGATION_TEMPORALITY_BOGUS', 'cumulative'],
  ])('reads temporality %j as %s on sums, histograms and exponential histograms', (aggregationTemporality, temporality) => {
    for (const member of ['sum', 'histogram', 'exponentialHistogram']) {
      const [s] = samples({ name: 'm', [member]: { aggregationTemporality, dataPoints: [{ timeUnixNano: T }] } });
      expect(s.temporality, member).toBe(temporality);
    }
  });

  it.each([[true, true], [false, false], [undefined, false], ['true', false]])(
    'reads isMonotonic %j as monotonic %j', (isMonotonic, monotonic) => {
      expect(samples({ name: 'm', sum: { isMonotonic, dataPoints: [{ timeUnixNano: T }] } })[0].monotonic).toBe(monotonic);
    });

  it('gives gauges and summaries neither temporality nor monotonic, and histograms no monotonic', () => {
    for (const member of ['gauge', 'summary', 'histogram']) {
      const [s] = samples({ name: 'm', [member]: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: T }] } });
      expect(s, member).not.toHaveProperty('monotonic');
      if (member !== 'histogram') expect(s, member).not.toHaveProperty('temporality');
    }
  });
});

describe('number points', () => {
  it.each([
    ['asInt as a string', { asInt: '42' }, 42],
    ['asInt as a number', { asInt: 42 }, 42],
    ['a negative asInt', { asInt: '-7' }, -7],
    ['asDouble', { asDouble: 0.25 }, 0.25],
    ['asDouble NaN', { asDouble: 'NaN' }, 'NaN'],
    ['asDouble Infinity', { asDouble: 'Infinity' }, 'Infinity'],
    ['asDouble -Infinity', { asDouble: '-Infinity' }, '-Infinity'],
    ['no value', {}, 0],
  ])('reads %s', (_name, value, expected) => {
    expect(samples({ name: 'g', gauge: { dataPoints: [{ timeUnixNano: T, ...value }] } })[0].point.value).toBe(expected);
  });

  it('reads the timestamp as unix seconds', () => {
    expect(samples({ name: 'g', gauge: { dataPoints: [{ timeUnixNano: '1700000000250000000' }, {}] } }).map((s) => s.point.timestamp))
      .toEqual([1700000000.25, 0]);
  });
});

describe('histogram points', () => {
  const full = { timeUnixNano: T, count: '10', sum: 12.5, min: 0.5, max: 7, bucketCounts: ['1', 4, '5'], explicitBounds: [1, 5] };
  const bare = { timeUnixNano: T, count: '3', bucketCounts: [3], explicitBounds: [] };
  const zeros = { timeUnixNano: T, count: '0', sum: 0, min: 0, max: 0 };

  it.each([
    ['with sum, min and max', full, { count: 10, sum: 12.5, min: 0.5, max: 7, bucketCounts: [1, 4, 5], explicitBounds: [1, 5] }],
    ['without sum, min and max (absent, not 0)', bare, { count: 3, bucketCounts: [3], explicitBounds: [] }],
    ['with sum, min and max of 0 (present)', zeros, { count: 0, sum: 0, min: 0, max: 0, bucketCounts: [], explicitBounds: [] }],
  ])('reads a histogram point %s, from OTLP/JSON and from protobuf alike', (_name, p, expected) => {
    const req = request({ name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [p] } });
    expect(normaliseMetrics(req, O).items[0].point).toStrictEqual({ timestamp: 1700000000, timeUnixNano: T, ...expected });
    expect(normaliseMetrics(viaProtobuf(req), O).items[0].point).toStrictEqual({ timestamp: 1700000000, timeUnixNano: T, ...expected });
  });

  it('reads exponential histogram buckets, negative scale and offsets, from OTLP/JSON and from protobuf alike', () => {
    const p = {
      timeUnixNano: T, count: '6', sum: -1, scale: -3, zeroCount: '1',
      positive: { offset: -4, bucketCounts: ['2', 0] }, negative: { offset: 3, bucketCounts: [3] },
    };
    const expected = {
      timestamp: 1700000000, timeUnixNano: T, count: 6, sum: -1, scale: -3, zeroCount: 1,
      positive: { offset: -4, bucketCounts: [2, 0] }, negative: { offset: 3, bucketCounts: [3] },
    };
    const req = request({ name: 'e', exponentialHistogram: { dataPoints: [p] } });
    expect(normaliseMetrics(req, O).items[0].point).toStrictEqual(expected);
    expect(normaliseMetrics(viaProtobuf(req), O).items[0].point).toStrictEqual(expected);
  });

  it('reads summary quantiles in order, with NaN/Infinity spelled as strings', () => {
    const p = { timeUnixNano: T, count: '4', sum: 'NaN', quantileValues: [{ quantile: 0.5, value: 2 }, { quantile: 1, value: 'Infinity' }, {}] };
    expect(samples({ name: 'q', summary: { dataPoints: [p] } })[0].point).toStrictEqual({
      timestamp: 1700000000, timeUnixNano: T, count: 4, sum: 'NaN',
      quantiles: [{ quantile: 0.5, value: 2 }, { quantile: 1, value: 'Infinity' }, { quantile: 0, value: 0 }],
    });
  });
});

describe('what export gives back (CONTRACT §11)', () => {
  const exemplar = { timeUnixNano: '1700000000000000123', asInt: '9007199254740993', traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', filteredAttributes: [{ key: 'k', value: { stringValue: 'v' } }] };
  const req = {
    resourceMetrics: [{
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }, { key: 'host.name', value: { stringValue: 'h1' } }] },
      scopeMetrics: [{
        schemaUrl: 'https://example.com/scope-schema',
        scope: { name: 'lib', version: '1.2', attributes: [{ key: 'scope.k', value: { intValue: '3' } }] },
        metrics: [
          { name: 'g', gauge: { dataPoints: [{ startTimeUnixNano: '1699999999000000001', timeUnixNano: '1700000000123456789', asInt: '-9007199254740993', flags: 1, exemplars: [exemplar, { timeUnixNano: T, asDouble: 2 }] }] } },
          { name: 'e', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: T, count: '1', zeroThreshold: 0.001, exemplars: [{ timeUnixNano: T, asDouble: 0.5 }] }] } },
        ],
      }],
    }],
  };

  it('keeps resource, scope (attributes, schema URLs), start time, exact times, flags, exemplars and as_int, from OTLP/JSON and protobuf alike', () => {
    const json = normaliseMetrics(req, O).items;
    expect(json[0].resource).toEqual({ 'service.name': 'svc', 'host.name': 'h1' });
    expect(json[0].scope).toEqual({ name: 'lib', version: '1.2', attributes: { 'scope.k': 3 }, schemaUrl: 'https://example.com/scope-schema', resourceSchemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
    expect(json[0].point).toStrictEqual({
      timestamp: 1700000000.1234567, timeUnixNano: '1700000000123456789', startTimeUnixNano: '1699999999000000001', flags: 1,
      value: -9007199254740992, asInt: '-9007199254740993',
      exemplars: [
        { timeUnixNano: '1700000000000000123', value: 9007199254740992, asInt: '9007199254740993', traceId: exemplar.traceId, spanId: exemplar.spanId, filteredAttributes: { k: 'v' } },
        { timeUnixNano: T, value: 2 },
      ],
    });
    expect(json[1].point).toMatchObject({ zeroThreshold: 0.001, exemplars: [{ timeUnixNano: T, value: 0.5 }] });
    // Protobuf's ids are bytes (OTLP/JSON spells them in hex).
    const pbReq = JSON.parse(JSON.stringify(req));
    Object.assign(pbReq.resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].exemplars[0], {
      traceId: Buffer.from(exemplar.traceId, 'hex'), spanId: Buffer.from(exemplar.spanId, 'hex'),
    });
    expect(normaliseMetrics(viaProtobuf(pbReq), O).items).toStrictEqual(json);
  });
});

describe('labels, names and rejection', () => {
  it('gives each point its own labels, under the attribute limits', () => {
    const dataPoints = [
      { timeUnixNano: T, asInt: 1, attributes: [{ key: 'a', value: { stringValue: 'x' } }, { key: 'b', value: { stringValue: 'y' } }] },
      { timeUnixNano: T, asInt: 2 },
    ];
    expect(samples({ name: 'g', gauge: { dataPoints } }, { ...O, maxAttributes: 1 }).map((s) => s.labels)).toEqual([{ a: 'x' }, {}]);
  });

  it('cuts the name to 255 characters and the unit to 64', () => {
    const [s] = samples({ name: 'n'.repeat(300), unit: 'u'.repeat(100), gauge: { dataPoints: [{ timeUnixNano: T }] } });
    expect(s.name).toBe('n'.repeat(255) + '…');
    expect(s.unit).toBe('u'.repeat(64) + '…');
  });

  it.each([
    ['no name', { gauge: { dataPoints: [{}, {}] } }, 2],
    ['an empty name', { name: '', sum: { dataPoints: [{}] } }, 1],
    ['a name that is not a string', { name: 7, histogram: { dataPoints: [{}] } }, 1],
  ])('rejects every point of a metric with %s', (_name, m, rejected) => {
    const n = normaliseMetrics(request(m, { name: 'ok', gauge: { dataPoints: [{}] } }), O);
    expect(n.items.map((s) => s.name)).toEqual(['ok']);
    expect(n.rejected).toBe(rejected);
    expect(n.message).toMatch(new RegExp(`^${rejected} data point`));
  });

  it('rejects points that are not objects and keeps the rest of the metric', () => {
    const n = normaliseMetrics(request({ name: 'g', gauge: { dataPoints: [{ asInt: 1 }, null, 'x', { asInt: 2 }] } }), O);
    expect(n.items.map((s) => s.point.value)).toEqual([1, 2]);
    expect(n.rejected).toBe(2);
  });

  it('rejects the points past maxItems per request', () => {
    const n = normaliseMetrics(request({ name: 'g', gauge: { dataPoints: [{}, {}, {}] } }), { ...O, maxItems: 2 });
    expect(n.items).toHaveLength(2);
    expect(n.rejected).toBe(1);
  });

  it('ignores a metric without data, and a non-object metric counts as rejected', () => {
    const n = normaliseMetrics(request({ name: 'empty' }, null, { name: 'g', gauge: {} }), O);
    expect(n).toMatchObject({ items: [], rejected: 1 });
  });
});
