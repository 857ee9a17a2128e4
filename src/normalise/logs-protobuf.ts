/**
 * @module normalise/logs-protobuf: the logs hot path. Reads an ExportLogsServiceRequest's protobuf
 * bytes straight into model LogRecords; its output must equal normaliseLogs(decodeLogsProtobuf(bytes))
 * (pinned by a differential test). The request walk is normalise/request-walk.ts's; each record is read
 * by wire/wire-log.ts into a byte-backed WireLog. Field numbers: opentelemetry-proto logs.proto.
 */
import type { LogRecord } from '../model/model.js';
import { compactIfWasteful } from '../wire/wire-backed.js';
import { readLog } from '../wire/wire-log.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { walkRequest } from './request-walk.js';

/** Decodes and normalises an ExportLogsServiceRequest in one pass. Throws TinyOllyError('invalid') for malformed protobuf. */
export function normaliseLogsProtobuf(buf: Buffer, o: NormaliseOptions): Normalised<LogRecord> {
  const nextId = (): string => o.nextLogId();
  const { items, rejected } = walkRequest(buf, o, (r, end, service, resource, scope) => readLog(r, end, service, resource, scope, o, nextId));
  compactIfWasteful(items, buf.length);
  return rejected > 0 ? { items, rejected, message: `${rejected} log record(s) could not be read or passed ${o.maxItems} per request` } : { items, rejected };
}
