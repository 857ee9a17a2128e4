/**
 * @module otlp/codecs: the codec table. Per (codec, signal) one decoder from a request body to a
 * normalised batch (`{ signal, items, rejected, message? }`): protobuf is fused (wire → model in one
 * pass, normalise/*-protobuf.ts), OTLP/JSON and the seed's simple JSON are parsed, then normalised by
 * normalise/{traces,logs,metrics}.ts. Receivers and the import pick the codec (content type, then the
 * JSON document's shape) and hand the batch to Ingester.export; nothing after this branches on encoding.
 */
import { TinyOllyError } from '../errors.js';
import type { LogRecord, MetricSample, Span } from '../model/model.js';
import { LIMIT_HITS, limitHitsSince, type LimitHits } from '../model/limit-hits.js';
import { normaliseLogs } from '../normalise/logs.js';
import { normaliseLogsProtobuf } from '../normalise/logs-protobuf.js';
import { normaliseMetrics } from '../normalise/metrics.js';
import { normaliseMetricsProtobuf } from '../normalise/metrics-protobuf.js';
import type { Normalised, NormaliseOptions } from '../normalise/options.js';
import { normaliseTraces } from '../normalise/traces.js';
import { normaliseTracesProtobuf } from '../normalise/traces-protobuf.js';
import { checkOtlpJson, isOtlpJson, parseJsonBody } from './json.js';
import { decodeSeedLogs, decodeSeedMetrics, decodeSeedTraces, type SeedDecoded } from './seed-json.js';
import type { OtlpLogsRequest, OtlpMetricsRequest, OtlpTracesRequest } from '../normalise/otlp-types.js';
import type { Encoding, Signal } from './types.js';

/** How a body is written: the content type says protobuf or JSON, and a JSON document's shape says which JSON. */
export type Codec = 'protobuf' | 'otlp-json' | 'seed-json';

interface BatchOf<S extends Signal, T> extends Normalised<T> {
  signal: S;
  /** The codec that read it (the seed's JSON is answered in its own shape). */
  codec: Codec;
  /** What the §6 limits cut or dropped in the items (the inspector's hint); absent when nothing. */
  limited?: LimitHits;
}

/** One export request, decoded and normalised: what Ingester.export stores. */
export type Batch = BatchOf<'traces', Span> | BatchOf<'logs', LogRecord> | BatchOf<'metrics', MetricSample>;

/** The items of a batch of each signal. */
export interface ItemsOf { traces: Span; logs: LogRecord; metrics: MetricSample }

type Decoder<I, S extends Signal> = (input: I, o: NormaliseOptions) => Normalised<ItemsOf[S]>;
type Row<I> = { [S in Signal]: Decoder<I, S> };

/** A seed document: decoded to an OTLP request, then normalised like OTLP/JSON; seed items that are not objects count as rejected. */
function seed<R, T>(decode: (doc: unknown) => SeedDecoded<R>, normalise: (req: R, o: NormaliseOptions) => Normalised<T>): (doc: unknown, o: NormaliseOptions) => Normalised<T> {
  return (doc, o) => {
    const s = decode(doc);
    const n = normalise(s.request, o);
    n.rejected += s.rejected;
    return n;
  };
}

/** The table: bytes for protobuf, the parsed document for the two JSON codecs (parsed once, by `decodeBody`). */
const CODECS: { protobuf: Row<Buffer>; 'otlp-json': Row<unknown>; 'seed-json': Row<unknown> } = {
  protobuf: { traces: normaliseTracesProtobuf, logs: normaliseLogsProtobuf, metrics: normaliseMetricsProtobuf },
  'otlp-json': {
    traces: (doc, o) => normaliseTraces(checkOtlpJson<OtlpTracesRequest>('traces', doc), o),
    logs: (doc, o) => normaliseLogs(checkOtlpJson<OtlpLogsRequest>('logs', doc), o),
    metrics: (doc, o) => normaliseMetrics(checkOtlpJson<OtlpMetricsRequest>('metrics', doc), o),
  },
  'seed-json': {
    traces: seed(decodeSeedTraces, normaliseTraces),
    logs: seed(decodeSeedLogs, normaliseLogs),
    metrics: seed(decodeSeedMetrics, normaliseMetrics),
  },
};

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A JSON body without its UTF-8 byte order mark (RFC 8259 §8.1 lets a parser ignore one). */
function withoutBom(body: Buffer): Buffer {
  return body.subarray(0, 3).equals(UTF8_BOM) ? body.subarray(3) : body;
}

/**
 * Runs one decoder. A decoder that throws on hostile input answers `invalid`, never a retryable
 * error; `limited` is what the limits cut while it ran (decoding is synchronous: nothing else counts meanwhile).
 */
function run<I, S extends Signal>(codec: Codec, signal: S, decoder: Decoder<I, S>, input: I, o: NormaliseOptions): Batch {
  const v = LIMIT_HITS.values, a = LIMIT_HITS.attributes, i = LIMIT_HITS.items;
  let n: Normalised<ItemsOf[S]>;
  try {
    n = decoder(input, o);
  } catch (err) {
    if (err instanceof TinyOllyError) throw err;
    throw new TinyOllyError('invalid', `cannot read request: ${(err as Error).message}`);
  }
  const batch = { signal, codec, items: n.items, rejected: n.rejected, message: n.message } as Batch;
  const limited = limitHitsSince(v, a, i);
  if (limited) batch.limited = limited;
  return batch;
}

/**
 * Decodes one export request body (already inflated) of `signal` written in `encoding`: protobuf,
 * or JSON (OTLP/JSON when it has the signal's top-level key, else the seed's simple JSON).
 * Throws TinyOllyError('invalid') for a body that cannot be read; items that cannot be kept are
 * counted in `rejected` with the reason in `message`.
 */
export function decodeBody(encoding: Encoding, signal: Signal, body: Buffer, o: NormaliseOptions): Batch {
  if (encoding === 'protobuf') return run('protobuf', signal, CODECS.protobuf[signal], body, o);
  const doc = parseJsonBody(withoutBom(body));
  return decodeDocument(isOtlpJson(signal, doc) ? 'otlp-json' : 'seed-json', signal, doc, o);
}

/** Decodes an already parsed JSON document with one of the JSON codecs (the import's JSONL lines). Throws as decodeBody does. */
export function decodeDocument(codec: 'otlp-json' | 'seed-json', signal: Signal, doc: unknown, o: NormaliseOptions): Batch {
  return run(codec, signal, CODECS[codec][signal], doc, o);
}
