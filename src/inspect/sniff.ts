/**
 * @module inspect/sniff: which signal an OTLP body holds, read from its first item, for the hint
 * "logs or metrics sent to the traces route" (CONTRACT §8). The three export requests share their
 * outer shape (resource entries → scope entries → items), so the first item's field numbers and wire
 * types tell them apart: a Span has fixed64 times in fields 7 and 8 and a varint kind in 6, a LogRecord
 * fixed64 times in fields 1 and 11 and a varint severity in 2, a Metric a sum (a message) in 7 or else
 * only its name and data. Bounded: it reads at most one item's first 64 fields, and only for a request
 * that was refused.
 */
import type { InspectSignal } from './inspector.js';
import { WireReader } from '../wire/reader.js';

const MAX_FIELDS = 64;

/** The first length-delimited field `fieldNo` inside r's range, as [start, end], or undefined. */
function firstField(r: WireReader, end: number, fieldNo: number): [number, number] | undefined {
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((fieldNo << 3) | 2)) { const e = r.delimitedEnd(); return [r.pos, e]; }
    r.skip(tag & 7);
  }
  return undefined;
}

/**
 * Decides from one field of the first item, when that field settles it: field numbers whose wire type
 * differs between Span, LogRecord and Metric (trace.proto, logs.proto, metrics.proto).
 */
function decisive(field: number, wt: number): InspectSignal | undefined {
  if (wt === 1) return field === 7 || field === 8 ? 'traces' : field === 1 || field === 11 ? 'logs' : undefined;
  if (wt === 0) return field === 6 || field === 10 || field === 12 || field === 14 ? 'traces' : field === 2 || field === 7 ? 'logs' : undefined;
  if (wt === 5) return field === 16 ? 'traces' : field === 8 ? 'logs' : undefined;
  if (wt === 2) return field === 15 || field === 13 ? 'traces' : field === 7 ? 'metrics' : undefined;
  return undefined;
}

/**
 * Reads the first item's fields and decides. Without a decisive field (a gauge, histogram or summary
 * Metric has only strings and messages, as a Span without times would), field 1 of 16 bytes (or empty)
 * followed by field 2 of 8 (or empty) is a Span's ids, and field 1 of any other shape a Metric's name.
 */
function classifyItem(r: WireReader, end: number): InspectSignal | undefined {
  let first = -1;
  let second = -1;
  for (let n = 0; n < MAX_FIELDS && r.pos < end; n++) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    const d = decisive(field, wt);
    if (d) return d;
    if (wt === 2) {
      const e = r.delimitedEnd();
      if (n === 0 && field === 1) first = e - r.pos;
      if (n === 1 && field === 2) second = e - r.pos;
      r.pos = e;
    } else r.skip(wt);
  }
  if (first < 0) return undefined;
  return (first === 16 || first === 0) && (second === 8 || second === 0) ? 'traces' : 'metrics';
}

/** The signal a protobuf export request holds, or undefined when it cannot tell (or the bytes are no protobuf). */
export function protobufSignalOf(body: Buffer): InspectSignal | undefined {
  try {
    const r = new WireReader(body, 0, body.length);
    const resource = firstField(r, body.length, 1);
    if (!resource) return undefined;
    r.pos = resource[0];
    const scope = firstField(r, resource[1], 2);
    if (!scope) return undefined;
    r.pos = scope[0];
    const item = firstField(r, scope[1], 2);
    if (!item) return undefined;
    r.pos = item[0];
    return classifyItem(r, item[1]);
  } catch {
    return undefined;
  }
}

/** The signal an OTLP/JSON body is for, from its first bytes (`{"resourceLogs":…`). */
export function jsonSignalOf(head: Buffer): InspectSignal | undefined {
  const text = head.subarray(0, 256).toString('latin1');
  if (text.includes('"resourceSpans"') || text.includes('"resource_spans"')) return 'traces';
  if (text.includes('"resourceLogs"') || text.includes('"resource_logs"')) return 'logs';
  if (text.includes('"resourceMetrics"') || text.includes('"resource_metrics"')) return 'metrics';
  return undefined;
}
