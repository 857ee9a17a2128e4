/**
 * @module normalise/any-value.bench: a focused micro-benchmark of the AnyValue wire readers (the flat
 * one of the fused decoders, the typed one of export/), over requests from the official encoder.
 * Run: `npx vitest bench --run src/normalise/any-value.bench.ts`. A benchmark, not a test: it
 * asserts nothing about speed.
 */
import { bench, describe } from 'vitest';
import type { LogRecord, Span } from '../model/model.js';
import { typedSpanParts } from '../export/wire-typed.js';
import { encodeLogsProtobuf, encodeSpansProtobuf } from '../../test/helpers/otlp-encode.js';
import { normaliseLogsProtobuf } from './logs-protobuf.js';
import { DEFAULT_NORMALISE_OPTIONS } from './options.js';
import { normaliseTracesProtobuf } from './traces-protobuf.js';
import type { WireSpan } from '../wire/wire-span.js';

const BASE_NS = 1_700_000_000_000_000_000n;
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** 512 spans as instrumented HTTP servers send them, with one list and one map attribute each. */
const spans: Span[] = Array.from({ length: 512 }, (_, i) => ({
  traceId: hex(Math.floor(i / 10) + 1, 32), spanId: hex(i + 1, 16), parentSpanId: i % 10 === 0 ? null : hex(i, 16),
  name: 'GET /api/users/{id}', kind: 'SERVER', startTimeUnixNano: String(BASE_NS + BigInt(i) * 1000n),
  endTimeUnixNano: String(BASE_NS + BigInt(i) * 1000n + 5_000_000n), durationMs: 5, status: { code: 'UNSET', message: '' },
  service: 'bench', resource: { 'service.name': 'bench', 'host.name': 'h' }, scope: { name: 's', version: '1' },
  attributes: {
    'http.request.method': 'GET', 'url.path': `/api/users/${i}`, 'http.route': '/api/users/{id}', 'http.response.status_code': 200,
    'server.address': 'bench-backend', 'server.port': 8080, 'network.protocol.version': '1.1', 'client.address': '10.0.0.1',
    'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0', 'app.user_id': i * 7919, 'app.cart.express': i % 3 === 0,
    'app.ratio': 0.25, 'app.tags': ['a', 'b', 'c'], 'app.user': { id: i, roles: ['admin', 'dev'], active: true },
  },
  events: [{ name: 'cache.lookup', timeUnixNano: String(BASE_NS + BigInt(i) * 1000n + 1000n), attributes: { 'cache.key': `cart:${i}`, 'cache.hit': true } }],
  links: [],
}));
const traceBytes = encodeSpansProtobuf(spans);
const wireSpans = normaliseTracesProtobuf(traceBytes, DEFAULT_NORMALISE_OPTIONS).items as WireSpan[];

/** 512 log records with structured (kvlist) bodies. */
const logs: LogRecord[] = Array.from({ length: 512 }, (_, i) => ({
  id: String(i), timeUnixNano: String(BASE_NS + BigInt(i)), timestamp: 1_700_000_000, severityText: 'INFO', severityNumber: 9,
  body: { event: 'checkout', user: { id: i, name: `user-${i}` }, items: [1, 2, 3], total: 12.5 },
  traceId: null, spanId: null, service: 'bench', attributes: { 'code.function': 'handle', 'app.user_id': i },
  resource: { 'service.name': 'bench' }, scope: { name: 'l', version: '1' },
}));
const logBytes = encodeLogsProtobuf(logs);

let sink = 0;
describe('AnyValue readers', () => {
  bench('flat: read the attributes and events of 512 wire spans (API reads)', () => {
    for (const s of wireSpans) sink += Object.keys(s.attributes).length + s.events.length;
  });
  bench('flat: decode 512 log records with structured bodies (ingest)', () => {
    sink += normaliseLogsProtobuf(logBytes, DEFAULT_NORMALISE_OPTIONS).items.length;
  });
  bench('typed: re-read 512 wire spans with their AnyValue types (export)', () => {
    for (const s of wireSpans) sink += typedSpanParts(s.wireBytes(), DEFAULT_NORMALISE_OPTIONS).attributes.length;
  });
});
