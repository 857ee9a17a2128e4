/**
 * @module wire/wire-log: a LogRecord read from protobuf (logs.proto) that keeps its attributes as its
 * own checked wire bytes until read: readLog, which the fused logs decoder (normalise/logs-protobuf.ts)
 * calls for each record of a request, and logFromWire, which stores call to read one back. Its fields
 * must equal what normaliseLogs makes of the same record (pinned by a differential test).
 */
import type { AttrValue, Attributes, LogRecord, Scope } from '../model/model.js';
import { head, severityTextOf } from '../model/value-rules.js';
import { checkKeyValue, readAnyValue } from './any-value.js';
import type { WireReadOptions } from './read-options.js';
import { WireReader } from './reader.js';
import { nanosToSeconds } from './values.js';
import { WireBacked } from './wire-backed.js';

/** A LogRecord read from protobuf whose attributes stay encoded until read (see WireBacked). */
export class WireLog extends WireBacked implements LogRecord {
  readonly #hasAttributes: boolean;

  constructor(
    readonly id: string,
    readonly timeUnixNano: string,
    readonly timestamp: number,
    readonly severityText: string,
    readonly severityNumber: number,
    readonly body: AttrValue,
    readonly traceId: string | null,
    readonly spanId: string | null,
    readonly service: string,
    readonly resource: Attributes,
    readonly scope: Scope,
    buf: Buffer, start: number, end: number, o: WireReadOptions, hasAttributes: boolean,
  ) {
    super(buf, start, end, o);
    this.#hasAttributes = hasAttributes;
  }

  get attributes(): Attributes {
    return this.#hasAttributes ? this.attributesIn(6) : {};
  }

  /** One attribute, decoded alone; undefined when absent. */
  attribute(key: string): AttrValue | undefined {
    return this.#hasAttributes ? this.attributeIn(6, key) : undefined;
  }

  toJSON(): LogRecord {
    return {
      id: this.id,
      timeUnixNano: this.timeUnixNano,
      timestamp: this.timestamp,
      severityText: this.severityText,
      severityNumber: this.severityNumber,
      body: this.body,
      traceId: this.traceId,
      spanId: this.spanId,
      service: this.service,
      attributes: this.attributes,
      resource: this.resource,
      scope: this.scope,
    };
  }
}

/**
 * LogRecord: 1 time, 11 observed time, 2 severity number, 3 severity text, 5 body, 6 attributes, 9 trace id,
 * 10 span id. Attributes are checked here and decoded when read; every field must lie inside the record.
 * `nextId` names the record once it is read (ingest gives each a new id; a read back, the stored one).
 */
export function readLog(
  r: WireReader, end: number, service: string, resource: Attributes, scope: Scope, o: WireReadOptions, nextId: () => string,
): WireLog {
  const start = r.pos;
  const outerEnd = r.end;
  r.end = end;
  let time = '0';
  let observed = '0';
  let severity = 0;
  let text = '';
  let body: AttrValue = '';
  let hasAttrs = false;
  let kept = 0;
  let traceId = '';
  let spanId = '';
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 9: time = r.fixed64Decimal(); break;
      case 89: observed = r.fixed64Decimal(); break;
      case 16: severity = r.uint32() | 0; break;
      case 26: text = r.stringAtMost(64); break;
      case 42: { const e = r.delimitedEnd(); body = readAnyValue(r, e, o, 0); r.pos = e; break; }
      case 50: { const e = r.delimitedEnd(); kept = checkKeyValue(r, e, o, 0, kept); hasAttrs = true; r.pos = e; break; }
      case 74: traceId = r.hexShared(); break;
      case 82: spanId = r.hex(); break;
      default: r.skip(tag & 7);
    }
  }
  r.end = outerEnd;
  // Logs data model: when time_unix_nano is unknown (0), observed_time_unix_nano stands in.
  if (time === '0') time = observed;
  const severityNumber = severity >= 0 && severity <= 24 ? severity : 0;
  return new WireLog(
    nextId(),
    time,
    nanosToSeconds(time),
    text !== '' ? head(text, 64) : severityTextOf(severityNumber),
    severityNumber,
    body === null ? '' : body,
    traceId || null,
    spanId || null,
    service,
    resource,
    scope,
    r.buf, start, end, o, hasAttrs,
  );
}

/**
 * A LogRecord from one LogRecord message's bytes (as WireLog.wireBytes() gave them) with the id it
 * was stored under, checked as at ingest; undefined when they do not decode under these limits.
 */
export function logFromWire(bytes: Buffer, id: string, service: string, resource: Attributes, scope: Scope, o: WireReadOptions): LogRecord | undefined {
  try {
    return readLog(new WireReader(bytes, 0, bytes.length), bytes.length, service, resource, scope, o, () => id);
  } catch {
    return undefined;
  }
}
