/**
 * The stored forms of a log record: one read from protobuf is kept as its wire bytes (version 2) and
 * reads back exactly as it was, under the same limits; anything malformed reads back as nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../model/model.js';
import { normaliseLogsProtobuf } from '../../normalise/logs-protobuf.js';
import { WireLog } from '../../wire/wire-log.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from '../../normalise/options.js';
import { decodeValue } from './codec.js';
import { decodeLog, encodeLog } from './log-codec.js';
import { ResourceTable } from './span-codec.js';
import { normaliseLogs } from '../../normalise/logs.js';
import { extrasOf } from '../../model/otlp-extras.js';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/otlp/logs');
const LIMITS: Record<string, Partial<NormaliseOptions>> = {
  default: {},
  tight: { maxAttributes: 1, maxAttributeLength: 2, maxDepth: 1 },
};
const plain = (l: LogRecord) => JSON.parse(JSON.stringify(l)) as unknown;
const options = (over: Partial<NormaliseOptions>): NormaliseOptions => {
  let n = 0;
  return { ...DEFAULT_NORMALISE_OPTIONS, nextLogId: () => `id${++n}`, ...over };
};

function roundTrip(logs: LogRecord[], o: NormaliseOptions): (LogRecord | undefined)[] {
  const resources = new ResourceTable();
  return logs.map((l) => {
    const raw = encodeLog(l, 1700000000000, resources);
    const d = decodeValue<unknown>(raw);
    expect(d?.receivedMs).toBe(1700000000000);
    return decodeLog(l.id, d!.value, o);
  });
}

describe('log codec', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.pb'));
  it.each(files.flatMap((f) => Object.keys(LIMITS).map((l) => [f, l] as const)))('keeps %s records as wire bytes and reads them back unchanged (%s limits)', (file, limits) => {
    const o = options(LIMITS[limits]);
    const logs = normaliseLogsProtobuf(readFileSync(path.join(FIXTURES, file)), o).items;
    expect(logs.length).toBeGreaterThan(0);
    for (const l of logs) expect((decodeValue<unknown[]>(encodeLog(l, 1, new ResourceTable()))!.value)[0]).toBe(2);
    for (const l of logs) {
      const raw = encodeLog(l, 1, new ResourceTable());
      expect(raw).toBe('1|' + JSON.stringify([2, [l.service, l.resource], l.scope.name, l.scope.version, (l as WireLog).wireBytes().toString('base64'), l.id]));
    }
    expect(roundTrip(logs, o).map((l) => l && plain(l))).toEqual(logs.map(plain));
  });

  it('keeps other records as JSON (version 1) and reads them back unchanged', () => {
    const logs = normaliseLogsProtobuf(readFileSync(path.join(FIXTURES, files[0])), options({})).items.map((l) => plain(l) as LogRecord);
    expect(logs[0]).not.toBeInstanceOf(WireLog);
    expect(roundTrip(logs, options({})).map((l) => l && plain(l))).toEqual(logs.map(plain));
  });

  it('keeps the OTLP fields a JSON record notes beside the model (observed time, flags, event name, …), and reads older values without them', () => {
    const [l] = normaliseLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [
      { observedTimeUnixNano: '7', severityNumber: 9, flags: 1, eventName: 'ev', droppedAttributesCount: 2, body: { stringValue: 'b' } },
    ] }] }] }, options({})).items;
    const raw = encodeLog(l, 1, new ResourceTable());
    const stored = decodeValue<Record<string, unknown>>(raw)!.value;
    expect(stored.x).toEqual({ t: '0', st: '', o: '7', f: 1, n: 'ev', da: 2 });
    const [back] = roundTrip([l], options({}));
    expect(plain(back!)).toEqual(plain(l));
    expect(extrasOf(back!)).toEqual(extrasOf(l));
    // Stored before they were kept, or malformed: the record, without them.
    const { x: _x, ...old } = stored;
    for (const v of [old, { ...old, x: { o: 7, f: 'one', zz: 1 } }, { ...old, x: 'text' }]) {
      const r = decodeLog(l.id, v, options({}));
      expect(r && plain(r)).toEqual(plain(l));
      expect(extrasOf(r!)).toBeUndefined();
    }
  });

  it('reads malformed values as nothing, never throwing', () => {
    const [l] = normaliseLogsProtobuf(readFileSync(path.join(FIXTURES, files[0])), options({})).items as WireLog[];
    const bytes = l.wireBytes();
    const variants: unknown[] = [
      [2, [l.service, l.resource], '', '', bytes.subarray(0, bytes.length - 1).toString('base64')],
      [2, [l.service, l.resource], '', ''],
      [2, 'not a resource', '', '', bytes.toString('base64')],
      [2, [l.service, l.resource], '', '', 7],
      [3, [l.service, l.resource], '', '', bytes.toString('base64')],
      'text', null, 12, { no: 'id' },
    ];
    for (const v of variants) expect(decodeLog('x', v, options({}))).toBeUndefined();
    expect(decodeLog('x', [2, [l.service, l.resource], '', '', bytes.toString('base64')], options({}))?.id).toBe('x');
  });
});
