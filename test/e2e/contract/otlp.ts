/**
 * @module test/e2e/contract/otlp: small senders and OTLP builders for the black-box contract test:
 * raw fetch for OTLP/HTTP (JSON, protobuf, seed JSON), a raw grpc-js unary client, id makers.
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { decodeExportResponseProtobuf, encodeRequestProtobuf } from '../../helpers/otlp-protobuf.js';
import { getJson, type TinyOllyProcess } from '../../helpers/start-tinyolly.js';

export type Signal = 'traces' | 'logs' | 'metrics';

/** A fresh random trace id (32 hex). */
export const traceId = (): string => randomBytes(16).toString('hex');
/** A fresh random span id (16 hex). */
export const spanId = (): string => randomBytes(8).toString('hex');
/** A unique name with a readable prefix. */
export const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Unix seconds → decimal nanosecond string, exactly (whole milliseconds). */
export const nanos = (seconds: number, extraMs = 0): string => (BigInt(Math.round(seconds * 1000) + extraMs) * 1_000_000n).toString();

/** OTLP/JSON KeyValue list from a flat map of strings, ints, bools and doubles (doubles must have a fraction). */
export function kv(attrs: Record<string, string | number | boolean>): object[] {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v }
      : typeof v === 'boolean' ? { boolValue: v }
        : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));
}

/** A resource with service.name (and more attributes). */
export const resource = (service: string | undefined, attrs: Record<string, string | number | boolean> = {}) =>
  ({ attributes: kv({ ...(service === undefined ? {} : { 'service.name': service }), ...attrs }) });

export interface SpanSpec {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  start: string;
  end: string;
  kind?: number;
  status?: number;
  attributes?: Record<string, string | number | boolean>;
}

/** An OTLP/JSON span. */
export function jsonSpan(s: SpanSpec): object {
  return {
    traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name,
    kind: s.kind ?? 1, startTimeUnixNano: s.start, endTimeUnixNano: s.end,
    attributes: kv(s.attributes ?? {}), status: s.status ? { code: s.status } : {},
  };
}

/** An OTLP/JSON traces request: one resource (service) per entry. */
export function tracesRequest(groups: { service?: string; resourceAttrs?: Record<string, string | number | boolean>; spans: object[] }[]): object {
  return {
    resourceSpans: groups.map((g) => ({
      resource: resource(g.service, g.resourceAttrs),
      scopeSpans: [{ scope: { name: 'contract', version: '1' }, spans: g.spans }],
    })),
  };
}

/** An OTLP/JSON logs request for one service. */
export function logsRequest(service: string | undefined, records: object[]): object {
  return { resourceLogs: [{ resource: resource(service), scopeLogs: [{ scope: { name: 'contract' }, logRecords: records }] }] };
}

/** An OTLP/JSON metrics request for one service. */
export function metricsRequest(service: string | undefined, metrics: object[]): object {
  return { resourceMetrics: [{ resource: resource(service), scopeMetrics: [{ scope: { name: 'contract' }, metrics }] }] };
}

export interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  json?: any;
}

/** POSTs a body to /v1/<signal> of the given port with a content type; reads the whole answer. */
export async function post(port: number, signal: Signal, body: string | Uint8Array, contentType: string | undefined, headers: Record<string, string> = {}): Promise<Answer & { bytes: Uint8Array }> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/${signal}`, {
    method: 'POST',
    headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...headers },
    body: typeof body === 'string' ? body : Buffer.from(body),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = Buffer.from(bytes).toString('utf8');
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, text, json, bytes };
}

/** POSTs an OTLP/JSON request and expects 200; returns the parsed response. */
export async function postJson(app: TinyOllyProcess, signal: Signal, body: object, port = app.ports.http): Promise<any> {
  const r = await post(port, signal, JSON.stringify(body), 'application/json');
  if (r.status !== 200) throw new Error(`POST /v1/${signal} answered ${r.status}: ${r.text}`);
  return r.json;
}

/** POSTs a protobuf request built from its OTLP object form; returns status and decoded response. */
export async function postPb(app: TinyOllyProcess, signal: Signal, request: object, port = app.ports.http): Promise<{ status: number; response?: Record<string, unknown>; text: string }> {
  const r = await post(port, signal, encodeRequestProtobuf(signal, request), 'application/x-protobuf');
  return { status: r.status, text: r.text, response: r.status === 200 ? decodeExportResponseProtobuf(signal, r.bytes) : undefined };
}

const GRPC_PATHS: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

/** One unary gRPC Export with raw bytes; resolves with the decoded response or the status code. */
export function grpcExport(app: TinyOllyProcess, signal: Signal, request: object | Uint8Array, options: grpc.ClientOptions = {}): Promise<{ code: number; response?: Record<string, unknown>; details?: string }> {
  const client = new grpc.Client(`127.0.0.1:${app.ports.grpc}`, grpc.credentials.createInsecure(), options);
  const bytes = request instanceof Uint8Array ? request : encodeRequestProtobuf(signal, request);
  return new Promise((resolve) => {
    client.makeUnaryRequest(GRPC_PATHS[signal], (b: Buffer) => b, (b: Buffer) => b, Buffer.from(bytes), new grpc.Metadata(), { deadline: Date.now() + 20_000 }, (err, res) => {
      client.close();
      if (err) resolve({ code: err.code, details: err.details });
      else resolve({ code: 0, response: decodeExportResponseProtobuf(signal, res!) });
    });
  });
}

/** GET that also returns the content type. */
export async function get(app: TinyOllyProcess, pathAndQuery: string): Promise<{ status: number; body: any; contentType: string }> {
  const res = await fetch(app.baseUrl + pathAndQuery);
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* left as text */ }
  return { status: res.status, body, contentType: res.headers.get('content-type') ?? '' };
}

/** GET /api/traces with a query string; throws unless 200. */
export async function traces(app: TinyOllyProcess, query: string): Promise<any[]> {
  const r = await getJson(app.baseUrl, `/api/traces?${query}`);
  if (r.status !== 200) throw new Error(`/api/traces?${query} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.traces;
}

/** GET /api/logs with a query string; throws unless 200. */
export async function logs(app: TinyOllyProcess, query: string): Promise<any[]> {
  const r = await getJson(app.baseUrl, `/api/logs?${query}`);
  if (r.status !== 200) throw new Error(`/api/logs?${query} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.logs;
}
