/**
 * @module normalise/logs-protobuf: the logs hot path. Reads an ExportLogsServiceRequest's protobuf
 * bytes straight into model LogRecords; its output must equal normaliseLogs(decodeLogsProtobuf(bytes))
 * (pinned by a differential test). Field numbers: opentelemetry-proto logs.proto.
 */
import type { AttrValue, Attributes, LogRecord, Scope } from '../model/model.js';
import { nanosToSeconds } from '../otlp/values.js';
import type { WireReader } from '../otlp/wire.js';
import { severityTextOf } from './logs.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { attributesAt, readAnyValue, walkRequest } from './protobuf-common.js';

/** LogRecord: 1 time, 11 observed time, 2 severity number, 3 severity text, 5 body, 6 attributes, 9 trace id, 10 span id. */
function readLog(r: WireReader, end: number, service: string, resource: Attributes, scope: Scope, o: NormaliseOptions): LogRecord {
  const start = r.pos;
  let time = '0';
  let observed = '0';
  let severity = 0;
  let text = '';
  let body: AttrValue = '';
  let hasAttrs = false;
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
      case 50: hasAttrs = true; r.pos = r.delimitedEnd(); break;
      case 74: traceId = r.hexShared(); break;
      case 82: spanId = r.hex(); break;
      default: r.skip(tag & 7);
    }
  }
  // Logs data model: when time_unix_nano is unknown (0), observed_time_unix_nano stands in.
  if (time === '0') time = observed;
  const severityNumber = severity >= 0 && severity <= 24 ? severity : 0;
  return {
    id: o.nextLogId(),
    timeUnixNano: time,
    timestamp: nanosToSeconds(time),
    severityText: text !== '' ? text.slice(0, 64) : severityTextOf(severityNumber),
    severityNumber,
    body: body === null ? '' : body,
    traceId: traceId || null,
    spanId: spanId || null,
    service,
    attributes: hasAttrs ? attributesAt(r, start, end, o, 6) : {},
    resource,
    scope,
  };
}

/** Decodes and normalises an ExportLogsServiceRequest in one pass. Throws TinyOllyError('invalid') for malformed protobuf. */
export function normaliseLogsProtobuf(buf: Buffer, o: NormaliseOptions): Normalised<LogRecord> {
  const { items, rejected } = walkRequest(buf, o, (r, end, service, resource, scope) => readLog(r, end, service, resource, scope, o));
  return rejected > 0 ? { items, rejected, message: `${rejected} log record(s) could not be read or passed ${o.maxItems} per request` } : { items, rejected };
}
