/**
 * @module normalise/traces-protobuf: the hot path. Reads an ExportTraceServiceRequest's protobuf
 * bytes straight into model Spans, fusing decode and normalise: no intermediate message objects,
 * no Long objects. Its output must equal normaliseTraces(decodeTracesProtobuf(bytes)) exactly; the
 * protocol goldens and a differential test pin that. The request walk is normalise/request-walk.ts's;
 * each span is read by wire/wire-span.ts into a byte-backed WireSpan. Field numbers: trace.proto.
 */
import type { Span } from '../model/model.js';
import { compactIfWasteful } from '../wire/wire-backed.js';
import { readSpan } from '../wire/wire-span.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { walkRequest } from './request-walk.js';

/**
 * Decodes and normalises an ExportTraceServiceRequest in one pass over its bytes.
 * Throws TinyOllyError('invalid') for malformed protobuf; items without ids count as rejected.
 */
export function normaliseTracesProtobuf(buf: Buffer, o: NormaliseOptions): Normalised<Span> {
  const { items, rejected } = walkRequest(buf, o, (r, end, service, resource, scope) => readSpan(r, end, service, resource, scope, o));
  compactIfWasteful(items, buf.length);
  return rejected > 0
    ? { items, rejected, message: `${rejected} span(s) rejected: a span needs a non-empty trace_id and span_id, and a request at most ${o.maxItems} spans` }
    : { items, rejected };
}
