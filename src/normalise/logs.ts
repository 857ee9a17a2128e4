/**
 * @module normalise/logs: decoded OTLP log requests → model LogRecords (CONTRACT §3):
 * observed-time fallback, severity text from number, structured bodies.
 */
import type { LogRecord } from '../model/model.js';
import { extrasOf, setExtras, type LogExtras } from '../model/otlp-extras.js';
import { head, severityTextOf } from '../model/value-rules.js';
import { enumNumber, idHex, nanosToSeconds, u64String } from '../wire/values.js';
import { anyValue, attributes, lastHiddenKind, serviceName, type ValueKind } from './attributes.js';
import type { OtlpLogRecord, OtlpLogsRequest } from './otlp-types.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { walkDecodedRequest } from './decoded-request.js';
import { noteExtras } from './traces.js';

const SEVERITY_NAMES: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
for (let n = 1; n <= 24; n++) {
  const base = severityTextOf(n);
  const step = (n - 1) % 4;
  SEVERITY_NAMES['SEVERITY_NUMBER_' + base + (step === 0 ? '' : String(step + 1))] = n;
}

function normaliseLog(r: OtlpLogRecord, service: string, resource: LogRecord['resource'], scope: LogRecord['scope'], o: NormaliseOptions): LogRecord {
  const own = u64String(r.timeUnixNano);
  const observed = r.observedTimeUnixNano === undefined ? '0' : u64String(r.observedTimeUnixNano);
  // Logs data model: when time_unix_nano is unknown (0), observed_time_unix_nano stands in.
  const time = own === '0' ? observed : own;
  const n = enumNumber(r.severityNumber, SEVERITY_NAMES);
  const severityNumber = n >= 0 && n <= 24 ? n : 0;
  const text = typeof r.severityText === 'string' && r.severityText !== '' ? head(r.severityText, 64) : severityTextOf(severityNumber);
  const body = r.body === undefined || r.body === null ? '' : anyValue(r.body, o);
  const bodyKind = r.body === undefined || r.body === null ? undefined : lastHiddenKind();
  const log: LogRecord = {
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
  noteLogExtras(log, r, own, observed, bodyKind);
  return log;
}

const LOG_STRINGS = ['eventName'];
const LOG_COUNTS = ['flags', 'droppedAttributesCount'];

/** Notes the record's fields beyond the model (model/otlp-extras.ts): its own and observed times, severity text and the kind its body hides among them. */
function noteLogExtras(log: LogRecord, r: OtlpLogRecord, own: string, observed: string, bodyKind: ValueKind | undefined): void {
  if (r.eventName || r.flags || r.droppedAttributesCount) noteExtras(log, r, LOG_STRINGS, LOG_COUNTS);
  const derivedText = log.severityText !== '' && (typeof r.severityText !== 'string' || r.severityText === '');
  const noBody = r.body === undefined || r.body === null;
  if (observed === '0' && !derivedText && bodyKind === undefined && !noBody) return;
  const x: LogExtras = extrasOf<LogExtras>(log) ?? {};
  if (own !== log.timeUnixNano) x.timeUnixNano = own;
  if (observed !== '0') x.observedTimeUnixNano = observed;
  if (derivedText) x.severityText = '';
  if (bodyKind !== undefined) x.bodyKind = bodyKind;
  if (noBody) x.noBody = 1;
  setExtras(log, x);
}

/** Normalises an export request into log records. Never throws; unreadable items count as rejected. */
export function normaliseLogs(req: OtlpLogsRequest, o: NormaliseOptions): Normalised<LogRecord> {
  const { items, rejected } = walkDecodedRequest(req.resourceLogs, (rl) => rl.scopeLogs, (sl) => sl.logRecords, o, (r, service, resource, scope) =>
    normaliseLog(r, service, resource, scope, o));
  return rejected > 0 ? { items, rejected, message: `${rejected} log record(s) could not be read or passed ${o.maxItems} per request` } : { items, rejected };
}
