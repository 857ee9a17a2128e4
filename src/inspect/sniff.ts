/**
 * @module inspect/sniff: which signal an OTLP body holds, read from its first item, for the hint
 * "logs or metrics sent to the traces route" (CONTRACT §8). The three export requests share their
 * outer shape (resource entries → scope entries → items), so the first item's field numbers and wire
 * types tell them apart: a Span starts with two ids (bytes) and has fixed64 times in fields 7 and 8,
 * a LogRecord has fixed64 times in fields 1 and 11 and a varint severity in 2, a Metric has its data
 * (a message) after its name (field 1, a string). Bounded: it reads at most one item's first fields, and
 * only for a request that was refused.
 */
import type { InspectSignal } from './inspector.js';
import { WireReader } from '../otlp/wire.js';

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
 * Reads the first item's fields and decides; undefined when nothing is decisive. Field 1 as bytes of
 * length 16 (or empty) followed by field 2 of length 8 (or empty) is a Span's ids; field 1 as other
 * bytes is a Metric's name.
 */
function classifyItem(r: WireReader, end: number): InspectSignal | undefined {
  let idLength = -1;
  for (let n = 0; n < MAX_FIELDS && r.pos < end; n++) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (wt === 2 && (field === 1 || field === 2) && n < 2) {
      const e = r.delimitedEnd();
      const len = e - r.pos;
      r.pos = e;
      if (field === 1 && n === 0) { if (len !== 16 && len !== 0) return 'metrics'; idLength = len; continue; }
      if (field === 2 && idLength >= 0) return len === 8 || len === 0 ? 'traces' : 'metrics';
      continue;
    }
    if (idLength > 0) return 'metrics';
    if (wt === 1 && (field === 1 || field === 11)) return 'logs';
    if (wt === 0 && field === 2) return 'logs';
    if (wt === 1 && (field === 7 || field === 8)) return 'traces';
    if (wt === 0 && field === 6) return 'traces';
    if (wt === 2 && field === 7) return 'metrics';
    r.skip(wt);
  }
  return undefined;
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
