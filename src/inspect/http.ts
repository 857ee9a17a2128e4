/**
 * @module inspect/http: records OTLP/HTTP requests in the inspector (CONTRACT §8). The receiver
 * notes what only it knows (the encoding it chose, the inflated size, counts, the message it sent);
 * an onResponse hook turns that and the request's headers into one record. Also the not-found
 * handler of the OTLP/HTTP port, so a wrong path is recorded with its hint.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hintFor } from './hints.js';
import { jsonSignalOf, protobufSignalOf } from './sniff.js';
import type { InspectContext, InspectSignal, Inspector } from './inspector.js';
import type { LimitHits } from '../model/limit-hits.js';

/** What the receiver learnt while answering one request. */
export interface HttpNote extends InspectContext {
  encoding?: 'protobuf' | 'json' | 'seed-json';
  inflatedBytes?: number;
  accepted?: number;
  rejected?: number;
  reason?: string;
  /** What the §6 limits cut or dropped in the accepted items. */
  limited?: LimitHits;
  /** The body as decoded (inflated), kept by reference until the response: a refused one is sniffed for its signal. */
  body?: Buffer;
}

/**
 * Notes by the raw request. A keep-alive connection keeps its last IncomingMessage alive (Node's
 * parser, receivers/http-close.ts), so a note outliving its response would pin that request's whole
 * body: recordHttp deletes the note once the record is made.
 */
const notes = new WeakMap<object, HttpNote>();

/** The note of a request (created on first use); the receiver writes to it, the hook reads it. */
export function noteOf(req: FastifyRequest): HttpNote {
  let n = notes.get(req.raw);
  if (!n) notes.set(req.raw, n = {});
  return n;
}

const HEAD_BYTES = 256;

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function compressionOf(ce: string | undefined): 'gzip' | 'deflate' | null {
  const c = (ce ?? '').toLowerCase();
  return c.includes('gzip') ? 'gzip' : c.includes('deflate') ? 'deflate' : null;
}

function encodingOf(ct: string | undefined): 'protobuf' | 'json' | null {
  const t = (ct ?? '').split(';')[0].trim().toLowerCase();
  return t === 'application/x-protobuf' || t === 'application/protobuf' ? 'protobuf' : t === 'application/json' ? 'json' : null;
}

/** Records one finished request from its request, reply and note. */
export function recordHttp(inspector: Inspector, req: FastifyRequest, reply: FastifyReply, signal: InspectSignal | null): void {
  const note = notes.get(req.raw) ?? {};
  notes.delete(req.raw);
  const path = req.url.split('?')[0];
  const contentType = header(req, 'content-type');
  const contentEncoding = header(req, 'content-encoding');
  const body = Buffer.isBuffer(req.body) ? req.body : undefined;
  const lengthHeader = Number(header(req, 'content-length'));
  const status = reply.statusCode;
  const reason = note.reason ?? null;
  const userAgent = header(req, 'user-agent') ?? null;
  const accepted = note.accepted ?? 0;
  const rejected = note.rejected ?? 0;
  const encoding = note.encoding ?? encodingOf(contentType);
  // Only a refused request's body is read again, for the signal it really holds.
  const decoded = note.body ?? (contentEncoding ? undefined : body);
  const sentSignal = signal && decoded && accepted === 0 && (status === 400 || rejected > 0)
    ? (encoding === 'protobuf' ? protobufSignalOf(decoded) : jsonSignalOf(decoded)) : undefined;
  inspector.record({
    timestamp: inspector.nowSeconds() - reply.elapsedTime / 1000,
    transport: 'http',
    port: req.socket?.localPort ?? 0,
    path,
    signal,
    encoding,
    compression: compressionOf(contentEncoding),
    bytes: body ? body.length : Number.isFinite(lengthHeader) ? lengthHeader : null,
    inflatedBytes: note.inflatedBytes ?? null,
    peer: req.socket?.remoteAddress ? `${req.socket.remoteAddress}:${req.socket.remotePort}` : null,
    userAgent,
    services: note.services,
    accepted,
    rejected,
    status,
    reason,
    hint: hintFor({
      transport: 'http', path, status, signal, contentType, contentEncoding, reason,
      head: body?.subarray(0, HEAD_BYTES), apiKeySent: req.headers['x-otlp-api-key'] !== undefined, sentSignal, accepted, rejected, limited: note.limited,
    }),
    durationMs: reply.elapsedTime,
  });
}

/** Adds the onResponse hook to the receiver's (encapsulated) POST /v1/* routes. */
export function inspectHttpRoutes(app: FastifyInstance, inspector: Inspector): void {
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'POST') return;
    const m = /^\/v1\/(traces|logs|metrics)$/.exec(req.routeOptions.url ?? '');
    recordHttp(inspector, req, reply, m ? m[1] as InspectSignal : null);
  });
}

/**
 * The OTLP/HTTP port's not-found handler: answers 404 (as before) and records the request, so a
 * POST to a wrong path (a doubled /v1/traces/v1/traces, /v1/trace, none) is seen with its hint.
 */
export function inspectNotFound(app: FastifyInstance, inspector: Inspector): void {
  app.setNotFoundHandler((req, reply) => {
    const reason = `no route ${req.method} ${req.url.split('?')[0]}`;
    noteOf(req).reason = reason;
    reply.code(404).send({ error: reason });
  });
  recordNotFound(app, inspector);
}

/**
 * Records every request that matched no route and was answered 404 (not GET or HEAD: a browser's),
 * when `isIngest(path)` says it is meant as ingest. The UI port uses it for POSTs outside /api, whose
 * 404 the API's own handler answers (its `{"error"}` is read back from the reply as the reason).
 */
export function recordNotFound(app: FastifyInstance, inspector: Inspector, isIngest: (path: string) => boolean = () => true): void {
  app.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode !== 404 || req.method === 'GET' || req.method === 'HEAD' || req.routeOptions.url) return;
    const path = req.url.split('?')[0];
    if (!isIngest(path)) return;
    const note = noteOf(req);
    note.reason ??= `no route ${req.method} ${path}`;
    recordHttp(inspector, req, reply, null);
  });
}

/** Whether a path on the UI port is outside the query API (`/api`, `/api/…`, any letter case). */
export function isOutsideApi(path: string): boolean {
  return !/^\/api(\/|$)/i.test(path);
}

const H2_PREFACE = 'PRI * HTTP/2.0';

/**
 * Records HTTP/2 prior-knowledge connections (an OTLP/gRPC exporter pointed at the OTLP/HTTP port):
 * Node's HTTP/1 parser refuses them before any route runs, so they are seen on `clientError`, by
 * the connection preface in the bytes the parser kept. Other client errors are left to fastify.
 */
export function inspectClientErrors(app: FastifyInstance, inspector: Inspector): void {
  app.server.on('clientError', (err: Error & { rawPacket?: unknown }, socket: { localPort?: number; remoteAddress?: string; remotePort?: number }) => {
    const raw = err.rawPacket;
    if (!Buffer.isBuffer(raw) || raw.subarray(0, H2_PREFACE.length).toString('latin1') !== H2_PREFACE) return;
    const reason = 'HTTP/2 connection preface on an HTTP/1.1 port (the connection was closed)';
    inspector.record({
      timestamp: inspector.nowSeconds(), transport: 'http', port: socket.localPort ?? (app.server.address() as { port?: number } | null)?.port ?? 0, path: H2_PREFACE, signal: null,
      encoding: null, compression: null, bytes: raw.length, inflatedBytes: null,
      peer: socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : null, userAgent: null,
      accepted: 0, rejected: 0, status: 400, reason,
      hint: hintFor({ transport: 'http', path: H2_PREFACE, status: 400, signal: null, reason }), durationMs: 0,
    });
  });
}
