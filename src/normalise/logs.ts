/**
 * @module normalise/logs: decoded OTLP log requests → model LogRecords (CONTRACT §3):
 * observed-time fallback, severity text from number, structured bodies.
 */
import type { LogRecord } from '../model/model.js';
import type { OtlpLogRecord, OtlpLogsRequest } from '../otlp/types.js';
import { enumNumber, idHex, nanosToSeconds, u64String } from '../otlp/values.js';
import { anyValue, attributes, head } from './attributes.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { walkDecodedRequest } from './decoded-request.js';

const SEVERITY_TEXT = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** OTLP severity number (1..24) → its short name; '' for 0 or out of range. */
export function severityTextOf(n: number): string {
  return n >= 1 && n <= 24 ? SEVERITY_TEXT[Math.floor((n - 1) / 4)] : '';
}

const SEVERITY_NAMES: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
for (let n = 1; n <= 24; n++) {
  const base = severityTextOf(n);
  const step = (n - 1) % 4;
  SEVERITY_NAMES['SEVERITY_NUMBER_' + base + (step === 0 ? '' : String(step + 1))] = n;
}

function normaliseLog(r: OtlpLogRecord, service: string, resource: LogRecord['resource'], scope: LogRecord['scope'], o: NormaliseOptions): LogRecord {
  let time = u64String(r.timeUnixNano);
  // Logs data model: when time_unix_nano is unknown (0), observed_time_unix_nano stands in.
  if (time === '0') time = u64String(r.observedTimeUnixNano);
  const n = enumNumber(r.severityNumber, SEVERITY_NAMES);
  const severityNumber = n >= 0 && n <= 24 ? n : 0;
  const text = typeof r.severityText === 'string' && r.severityText !== '' ? head(r.severityText, 64) : severityTextOf(severityNumber);
  const body = r.body === undefined || r.body === null ? '' : anyValue(r.body, o);
  return {
    id: o.nextLogId(),
    timeUnixNano: time,
    timestamp: nanosToSeconds(time),
    severityText: text,
    severityNumber,
    body: body === null ? '' : body,
    traceId: idHex(r.traceId) || null,
    spanId: idHex(r.spanId) || null,
    service,
    attributes: attributes(r.attributes, o),
    resource,
    scope,
  };
}

/** Normalises an export request into log records. Never throws; unreadable items count as rejected. */
export function normaliseLogs(req: OtlpLogsRequest, o: NormaliseOptions): Normalised<LogRecord> {
  const { items, rejected } = walkDecodedRequest(req.resourceLogs, (rl) => rl.scopeLogs, (sl) => sl.logRecords, o, (r, service, resource, scope) =>
    normaliseLog(r, service, resource, scope, o));
  return rejected > 0 ? { items, rejected, message: `${rejected} log record(s) could not be read or passed ${o.maxItems} per request` } : { items, rejected };
}
