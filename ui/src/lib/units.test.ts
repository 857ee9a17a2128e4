// Unit tests for ui/lib/units: human units, compact axis labels, varying-attribute series labels and colours.
import { describe, expect, it } from 'vitest';
import { axisLabels, axisSize, compactNumber, formatBytes, formatSeconds, formatUnitValue, seriesColors, unitLabel, varyingLabels } from './units.js';

describe('units', () => {
  it('shows bytes with binary prefixes', () => {
    expect(formatUnitValue(512, 'By')).toBe('512 B');
    expect(formatUnitValue(1536, 'By')).toBe('1.5 KiB');
    expect(formatUnitValue(52_428_800, 'By')).toBe('50 MiB');
    expect(formatUnitValue(3 * 1024 ** 3, 'By')).toBe('3 GiB');
    expect(formatBytes(-2048)).toBe('-2 KiB');
    expect(formatUnitValue(2048, 'By/s')).toBe('2 KiB/s');
  });

  it('shows seconds as ms or µs when smaller, and ms as s when larger', () => {
    expect(formatUnitValue(0.25, 's')).toBe('250 ms');
    expect(formatUnitValue(0.000_042, 's')).toBe('42 µs');
    expect(formatUnitValue(2.5, 's')).toBe('2.5 s');
    expect(formatUnitValue(1500, 'ms')).toBe('1.5 s');
    expect(formatUnitValue(12.34, 'ms')).toBe('12.3 ms');
    expect(formatUnitValue(90, 's')).toBe('1.5 min');
    expect(formatSeconds(0)).toBe('0 s');
  });

  it('shows counts compactly, with the annotation as the word', () => {
    expect(formatUnitValue(1_234_567, '1')).toBe('1.23M');
    expect(formatUnitValue(42, '{request}')).toBe('42 requests');
    expect(formatUnitValue(1, '{request}')).toBe('1 request');
    expect(formatUnitValue(4200, '{request}/s')).toBe('4.2k requests/s');
    expect(formatUnitValue(7, '')).toBe('7');
    expect(formatUnitValue(55.5, '%')).toBe('55.5%');
    expect(formatUnitValue(3, 'Cel')).toBe('3 Cel');
    expect(formatUnitValue(null, 'By')).toBe('—');
    expect(unitLabel('{request}')).toBe('request');
    expect(unitLabel('1')).toBe('');
  });

  it('never prints a long run of digits on an axis', () => {
    expect(compactNumber(1_200_000)).toBe('1.2M');
    expect(compactNumber(999)).toBe('999');
    expect(compactNumber(12_345)).toBe('12.3k');
    expect(compactNumber(5e12)).toBe('5T');
    expect(compactNumber(0.5)).toBe('0.5');
    const labels = axisLabels([0, 2e8, 4e8, 6e8], '1');
    expect(labels).toEqual(['0', '200M', '400M', '600M']);
    for (const l of labels) expect(l).not.toMatch(/\d{4}/);
    // The axis is sized to its labels.
    expect(axisSize(['1.5 MiB'])).toBeGreaterThanOrEqual(7 * 7);
    expect(axisSize(['x'.repeat(30)])).toBeGreaterThan(axisSize(['1']));
  });

  it('labels series by the attributes that vary between them, first', () => {
    const labels = varyingLabels([
      { service: 'api', labels: { 'http.method': 'GET', 'http.route': '/a', host: 'h1' } },
      { service: 'api', labels: { 'http.method': 'POST', 'http.route': '/a', host: 'h1' } },
    ]);
    expect(labels).toEqual(['http.method=GET · api, host=h1, http.route=/a', 'http.method=POST · api, host=h1, http.route=/a']);
    // The service varies: it comes first; a key one series lacks shows as ∅.
    expect(varyingLabels([
      { service: 'a', labels: { k: '1' } },
      { service: 'b', labels: {} },
    ])).toEqual(['a, k=1', 'b, k=∅']);
    expect(varyingLabels([{ service: 'api', labels: { x: 1 } }])).toEqual(['api · x=1']);
    expect(varyingLabels([{ service: 'api', labels: {} }])).toEqual(['api']);
  });

  it('gives distinct colours to many series', () => {
    const c = seriesColors(40);
    expect(new Set(c).size).toBe(40);
  });
});
