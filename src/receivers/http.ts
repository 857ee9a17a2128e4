/**
 * @module receivers/http: OTLP/HTTP as a fastify plugin (CONTRACT §2.2, §2.3): POST /v1/traces,
 * /v1/logs, /v1/metrics in protobuf, OTLP/JSON or the seed's simple JSON, optionally gzip.
 * It only decodes and answers; the Ingester does the rest. Registered on 4318 and on 5002.
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mapError, TinyOllyError } from '../errors.js';
import { secretMatcher } from '../secret.js';
import type { Ingester } from '../ingest/ingester.js';
import type { NormaliseOptions } from '../normalise/options.js';
import { decodeBody } from '../otlp/codecs.js';
import { exportResponseBody, statusBody } from '../otlp/response.js';
import type { Encoding, Signal } from '../otlp/types.js';
import { inspectHttpRoutes, noteOf } from '../inspect/http.js';
import type { Inspector } from '../inspect/inspector.js';
import type { UploadBudget, UploadReservation } from './upload-budget.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

export interface HttpReceiverOptions {
  ingester: Ingester;
  /** The §6 limits the codecs apply. */
  limits: NormaliseOptions;
  /** Body limit in bytes, compressed and after inflating. */
  maxBodyBytes: number;
  /** When set, requests must carry it in `x-otlp-api-key`. */
  apiKey?: string;
  /** CORS origins for browser exporters (`*` allowed). */
  corsOrigins?: string[];
  /** When set, every POST /v1/* is recorded in it (CONTRACT §8). */
  inspector?: Inspector;
  /** When set, bodies take their bytes from it as they arrive (overloaded beyond it), raw and inflated. */
  uploads?: UploadBudget;
  /**
   * When set, a body still arriving this long after it began is answered 408 and its connection
   * closed: for a listener whose server has no requestTimeout of its own (5002, where a long import
   * is legitimate, while a trickled OTLP body is not).
   */
  bodyTimeoutMs?: number;
}

const SIGNALS: Signal[] = ['traces', 'logs', 'metrics'];

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** Content codings we can undo; `identity` is none (RFC 9110 §8.4.1). */
const DECODERS: Record<string, (b: Buffer, o: zlib.ZlibOptions) => Promise<Buffer>> = { gzip: gunzip, 'x-gzip': gunzip, deflate: inflate };
/** At most this many codings in one Content-Encoding (a chain longer than that is no real client's). */
const MAX_CODINGS = 4;

/**
 * Undoes the Content-Encoding. RFC 9110 §8.4: the header lists the codings in the order they were
 * applied, so they are undone last first; `identity` and empty entries are no-ops; names ignore case.
 * Every step is capped at `max` bytes of output (413 beyond), an unknown coding is 415.
 */
export async function inflateBody(body: Buffer, contentEncoding: string | undefined, max: number): Promise<Buffer> {
  const codings = (contentEncoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  const unknown = codings.find((c) => !Object.hasOwn(DECODERS, c));
  if (unknown !== undefined) throw new TinyOllyError('unsupported_media_type', `unsupported Content-Encoding "${unknown}" (gzip, deflate and identity are)`);
  if (codings.length > MAX_CODINGS) throw new TinyOllyError('unsupported_media_type', `more than ${MAX_CODINGS} content codings`);
  let out = body;
  for (const enc of codings.reverse()) {
    try {
      out = await DECODERS[enc](out, { maxOutputLength: max });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new TinyOllyError('too_large', `body inflates past ${max} bytes`);
      }
      throw new TinyOllyError('invalid', `cannot inflate ${enc} body: ${(err as Error).message}`);
    }
  }
  return out;
}

/** How much of an oversized body is read and dropped before its 413 (CONTRACT §5), and for how long. */
export const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
export const DISCARD_MAX_MS = 10_000;

/**
 * Reads and drops the rest of a request body, up to `maxBytes` or `maxMs`, whichever comes first.
 * Resolves true when the body ended (the connection is clean and may carry the next request), false
 * when a bound was hit or the connection went away (the socket is then destroyed).
 * A client that writes the whole body before reading (Go's net/http, the Java SDK) would otherwise
 * find the connection closed under it and report "broken pipe" instead of the 413.
 */
export function discardRest(req: IncomingMessage, maxBytes = DISCARD_MAX_BYTES, maxMs = DISCARD_MAX_MS): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (clean: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (!clean) req.socket?.destroy();
      resolve(clean);
    };
    const onData = (chunk: Buffer) => { seen += chunk.length; if (seen > maxBytes) finish(false); };
    const onEnd = () => finish(true);
    const onClose = () => finish(req.complete);
    const timer = setTimeout(() => finish(false), maxMs);
    timer.unref();
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    req.resume();
  });
}

/** A body-parsing error fastify's way (statusCode), answered by the receiver's error handler. */
function bodyError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

/** Each request's share of the upload budget, released when its answer is sent or its connection goes. */
const reservations = new WeakMap<IncomingMessage, UploadReservation>();

/**
 * Reads a request body into one Buffer, at most `maxBytes` (413 beyond, judged from Content-Length
 * before anything is read, then from the bytes read). With a budget, the declared length is reserved
 * before the body is read and each byte past it as it arrives: when the budget is spent the body is
 * left unread and the answer is overloaded (429 with Retry-After), so a crowd of slow or large uploads
 * holds at most the budget, not each of its bodies.
 */
function readBody(
  req: FastifyRequest, payload: IncomingMessage, opts: HttpReceiverOptions, done: (err: Error | null, body?: Buffer) => void,
): void {
  const maxBytes = opts.maxBodyBytes;
  const budget = opts.uploads;
  const raw = req.headers['content-length'];
  const declared = raw === undefined ? undefined : Number(raw);
  if (declared !== undefined && declared > maxBytes) return done(bodyError(413, `body over ${maxBytes} bytes`));
  const reservation = budget ? reservations.get(req.raw) : undefined;
  if (reservation && declared !== undefined && Number.isFinite(declared) && !reservation.grow(declared)) {
    return done(new TinyOllyError('overloaded', 'too many bytes of uploads in flight; retry later'));
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let finished = false;
  const timer = opts.bodyTimeoutMs === undefined ? undefined
    : setTimeout(() => finish(bodyError(408, `body not received within ${opts.bodyTimeoutMs} ms`)), opts.bodyTimeoutMs);
  timer?.unref();
  const finish = (err: Error | null, body?: Buffer) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    payload.off('data', onData);
    payload.off('end', onEnd);
    payload.off('error', onError);
    done(err, body);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) return finish(bodyError(413, `body over ${maxBytes} bytes`));
    if (declared !== undefined && received > declared) return finish(bodyError(400, 'body longer than its Content-Length'));
    if (reservation && received > reservation.bytes && !reservation.grow(received - reservation.bytes)) {
      return finish(new TinyOllyError('overloaded', 'too many bytes of uploads in flight; retry later'));
    }
    chunks.push(chunk);
  };
  const onEnd = () => {
    if (declared !== undefined && received !== declared) return finish(bodyError(400, 'body shorter than its Content-Length'));
    finish(null, Buffer.concat(chunks, received));
  };
  const onError = (err: Error) => finish(err);
  payload.on('data', onData);
  payload.once('end', onEnd);
  payload.once('error', onError);
}

/** Sends an error answer in the request's encoding (google.rpc.Status; `{"error"}` for 401 JSON). */
function sendError(reply: FastifyReply, encoding: Encoding, err: unknown): FastifyReply {
  const m = mapError(err);
  noteOf(reply.request).reason = m.message;
  if (m.retryAfter !== undefined) reply.header('retry-after', String(m.retryAfter));
  reply.code(m.http).type(encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json');
  if (m.kind === 'unauthenticated' && encoding === 'json') return reply.send(JSON.stringify({ error: m.message }));
  return reply.send(statusBody(encoding, m.grpc, m.message));
}

/** Whether the origin may send (for CORS). */
function allowOrigin(origins: string[] | undefined, origin: string | undefined): string | undefined {
  if (!origins || !origin) return undefined;
  if (origins.includes('*')) return '*';
  return origins.includes(origin) ? origin : undefined;
}

/** Registers POST /v1/{traces,logs,metrics} (and CORS preflight when configured). */
export async function httpReceiver(app: FastifyInstance, opts: HttpReceiverOptions): Promise<void> {
  // Bodies are read raw here (any content type) and decoded by us; the limit answers 413.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (req, payload, done) => readBody(req, payload, opts, done));
  const uploads = opts.uploads;
  if (uploads) {
    // The share lives until the answer is sent or the connection goes ('close' of the response: either).
    app.addHook('onRequest', async (req, reply) => {
      const reservation = uploads.reserve();
      reservations.set(req.raw, reservation);
      reply.raw.once('close', () => reservation.release());
    });
  }

  const isApiKey = opts.apiKey === undefined ? undefined : secretMatcher(opts.apiKey);
  const inspector = opts.inspector;
  if (inspector) inspectHttpRoutes(app, inspector);

  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const encoding = encodingOf(req.headers['content-type']) ?? 'json';
    const overloaded = err instanceof TinyOllyError && err.kind === 'overloaded';
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || overloaded) {
      // Answer once the body is read (bounded) and dropped: then the client is reading, not writing, when it comes.
      if (await discardRest(req.raw)) reply.removeHeader('connection');
      return sendError(reply, encoding, overloaded ? err : new TinyOllyError('too_large', `body over ${opts.maxBodyBytes} bytes`));
    }
    if (err.statusCode === 408) {
      // As Node's own requestTimeout answers: 408, then the connection is closed (its body is still coming).
      reply.header('connection', 'close');
      reply.raw.once('finish', () => req.raw.socket?.end());
      return sendError(reply, encoding, new TinyOllyError('timeout', err.message));
    }
    if (err.statusCode === 415) return sendError(reply, 'json', new TinyOllyError('unsupported_media_type', err.message));
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, encoding, new TinyOllyError('invalid', err.message));
    }
    return sendError(reply, encoding, err);
  });

  if (opts.corsOrigins) {
    app.addHook('onRequest', async (req, reply) => {
      const allowed = allowOrigin(opts.corsOrigins, req.headers.origin);
      if (!allowed) return;
      reply.header('access-control-allow-origin', allowed);
      if (allowed !== '*') reply.header('vary', 'Origin');
    });
    for (const signal of SIGNALS) {
      app.options(`/v1/${signal}`, async (req, reply) => {
        reply.header('access-control-allow-methods', 'POST, OPTIONS');
        reply.header('access-control-allow-headers', 'content-type, content-encoding, x-otlp-api-key');
        reply.header('access-control-max-age', '600');
        return reply.code(204).send();
      });
    }
  }

  for (const signal of SIGNALS) {
    app.post(`/v1/${signal}`, async (req: FastifyRequest, reply: FastifyReply) => {
      const encoding = encodingOf(req.headers['content-type']);
      if (encoding === undefined) {
        return sendError(reply, 'json', new TinyOllyError('unsupported_media_type',
          'Content-Type must be application/x-protobuf or application/json'));
      }
      try {
        if (isApiKey && !isApiKey(req.headers['x-otlp-api-key'])) {
          throw new TinyOllyError('unauthenticated', 'missing or wrong x-otlp-api-key');
        }
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const body = await inflateBody(raw, req.headers['content-encoding'] as string | undefined, opts.maxBodyBytes);
        // The inflated copy is held while it is decoded: it takes its bytes from the budget too.
        const reservation = reservations.get(req.raw);
        if (body !== raw && reservation && !reservation.grow(body.length)) {
          throw new TinyOllyError('overloaded', 'too many bytes of uploads in flight; retry later');
        }
        const note = inspector ? noteOf(req) : undefined;
        if (note) { note.inflatedBytes = body.length; note.body = body; }
        const batch = decodeBody(encoding, signal, body, opts.limits);
        const result = await opts.ingester.export(batch, note);
        if (note) {
          if (batch.codec === 'seed-json') note.encoding = 'seed-json';
          note.accepted = result.accepted; note.rejected = result.rejected; note.reason = result.message; note.limited = result.limited;
        }
        if (batch.codec === 'seed-json') return reply.code(200).type('application/json').send(JSON.stringify({ status: 'ok', accepted: result.accepted }));
        return reply.code(200).type(encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json')
          .send(exportResponseBody(signal, encoding, result.rejected, result.message));
      } catch (err) {
        return sendError(reply, encoding, err);
      }
    });
  }
}

