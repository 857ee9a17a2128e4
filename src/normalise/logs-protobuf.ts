/**
 * @module normalise/logs-protobuf: the logs hot path. Reads an ExportLogsServiceRequest's protobuf
 * bytes straight into model LogRecords; its output must equal normaliseLogs(decodeLogsProtobuf(bytes))
 * (pinned by a differential test). Field numbers: opentelemetry-proto logs.proto.
 */
import type { AttrValue, Attributes, LogRecord, Scope } from '../model/model.js';
import { nanosToSeconds } from '../otlp/values.js';
import { WireReader } from '../otlp/wire.js';
import { head } from './attributes.js';
import { severityTextOf } from './logs.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { checkKeyValue, compactIfWasteful, readAnyValue, walkRequest, WireBacked } from './protobuf-common.js';

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
    buf: Buffer, start: number, end: number, o: NormaliseOptions, hasAttributes: boolean,
  ) {
    super(buf, start, end, o);
    this.#hasAttributes = hasAttributes;
  }

  get attributes(): Attributes {
    return this.#hasAttributes ? this.attributesIn(6) : {};
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
 */
function readLog(r: WireReader, end: number, service: string, resource: Attributes, scope: Scope, o: NormaliseOptions): LogRecord {
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
      case 26: text = r.string(); break;
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
    o.nextLogId(),
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
export function logFromWire(bytes: Buffer, id: string, service: string, resource: Attributes, scope: Scope, o: NormaliseOptions): LogRecord | undefined {
  try {
    return readLog(new WireReader(bytes, 0, bytes.length), bytes.length, service, resource, scope, { ...o, nextLogId: () => id });
  } catch {
    return undefined;
  }
}

/** Decodes and normalises an ExportLogsServiceRequest in one pass. Throws TinyOllyError('invalid') for malformed protobuf. */
export function normaliseLogsProtobuf(buf: Buffer, o: NormaliseOptions): Normalised<LogRecord> {
  const { items, rejected } = walkRequest(buf, o, (r, end, service, resource, scope) => readLog(r, end, service, resource, scope, o));
  compactIfWasteful(items as WireLog[], buf.length);
  return rejected > 0 ? { items, rejected, message: `${rejected} log record(s) could not be read or passed ${o.maxItems} per request` } : { items, rejected };
}
