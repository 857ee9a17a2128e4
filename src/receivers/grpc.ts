/**
 * @module receivers/grpc: OTLP/gRPC (CONTRACT §2.1): the three collector services' unary Export,
 * server reflection (v1 and v1alpha) and grpc.health.v1.Health. Messages arrive as raw bytes and
 * are decoded once by otlp/, so a malformed message answers INVALID_ARGUMENT rather than INTERNAL.
 * Retryable refusals carry google.rpc.RetryInfo; health follows the store's ping.
 */
import type { EventEmitter } from 'node:events';
import type { Http2Session } from 'node:http2';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import protobuf from 'protobufjs';
import { GRPC, mapError, TinyOllyError } from '../errors.js';
import { secretMatcher } from '../secret.js';
import type { ExportResult, Ingester } from '../ingest/ingester.js';
import { encodeExportResponseProtobuf, PROTO_DIR, SERVICE_PROTO_FILES } from '../otlp/protobuf.js';
import type { Signal } from '../otlp/types.js';
import { decodeBody } from '../otlp/codecs.js';
import type { NormaliseOptions } from '../normalise/options.js';
import { hintFor } from '../inspect/hints.js';
import type { InspectContext, Inspector } from '../inspect/inspector.js';
import type { UploadBudget } from './upload-budget.js';

export interface GrpcReceiverOptions {
  ingester: Ingester;
  /** The §6 limits the protobuf codec applies. */
  limits: NormaliseOptions;
  /** Largest message accepted, after decompression. */
  maxMessageBytes: number;
  /** When set, Export calls must carry it in `x-otlp-api-key` metadata. */
  apiKey?: string;
  /**
   * Whether the store answers (never rejects). Health says NOT_SERVING while it answers false and
   * SERVING once it answers again (CONTRACT §6); polled every `healthPollMs`. Unset: always SERVING.
   */
  storeReady?: () => Promise<boolean>;
  /** How often storeReady is asked (default 1000 ms). */
  healthPollMs?: number;
  /** When set, every Export call is recorded in it (CONTRACT §8); `port` is the bound port. */
  inspector?: Inspector;
  port?: () => number;
  /** When set, the messages' bytes are taken from it frame by frame as they arrive (overloaded beyond). */
  uploads?: UploadBudget;
  /** A call whose message has not fully arrived this long after it began is cut (DEADLINE_EXCEEDED). */
  uploadTimeoutMs?: number;
  /** Connections open at once on the port; further ones are closed as they come. */
  maxConnections?: number;
}

const SERVICES: { signal: Signal; path: string }[] = [
  { signal: 'traces', path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export' },
  { signal: 'logs', path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export' },
  { signal: 'metrics', path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export' },
];

const identity = (b: Buffer): Buffer => b;

interface GrpcServerWithHttp2 {
  http2Servers?: Map<{ maxConnections?: number }, unknown>;
}

/** The connection cap each server is to get once bound (createGrpcServer → bindGrpcServer). */
const connectionCaps = new WeakMap<grpc.Server, number>();

/** Caps the connections of every HTTP/2 server grpc-js bound (net.Server's own maxConnections). */
function limitConnections(server: grpc.Server, max: number): void {
  const servers = (server as unknown as GrpcServerWithHttp2).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const h2 of servers.keys()) h2.maxConnections = max;
}

/** HTTP/2 flow-control windows: per stream (SETTINGS) and per connection. */
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
const SESSION_WINDOW_BYTES = 16 * 1024 * 1024;

interface GrpcServerInternals {
  commonServerOptions?: { settings?: Record<string, unknown> };
  http2Servers?: Map<EventEmitter, unknown>;
}

/**
 * grpc-js creates its HTTP/2 servers with Node's default 64 KiB windows and no option to raise them,
 * so one exporter connection stalls on window updates while an export is decoded (measured: 35k vs
 * 59k spans/s on one connection). These reach into grpc-js' server to widen them; each step checks
 * the field it needs and does nothing if a future grpc-js lays it out differently.
 */
function widenStreamWindow(server: grpc.Server): void {
  const internals = server as unknown as GrpcServerInternals;
  const common = internals.commonServerOptions;
  if (common && typeof common === 'object') common.settings = { ...common.settings, initialWindowSize: STREAM_WINDOW_BYTES };
}

function widenSessionWindows(server: grpc.Server): void {
  const servers = (server as unknown as GrpcServerInternals).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const h2 of servers.keys()) {
    h2.on('session', (session: Http2Session) => {
      try {
        session.setLocalWindowSize(SESSION_WINDOW_BYTES);
      } catch { /* a session closing already keeps the default window */ }
    });
  }
}

/** gRPC codes used only here (grpc/grpc doc/statuscodes.md). */
const UNIMPLEMENTED = 12;

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

/** What a server-side call of grpc-js holds that the message decompression below replaces. */
interface BaseCallInternals {
  incomingEncoding?: unknown;
  decompressMessage?: (message: Buffer, encoding: string) => Buffer | Promise<Buffer>;
  nextCall?: unknown;
}

/**
 * Decompression of one length-prefixed message as the gRPC spec has it (grpc/grpc doc/compression.md,
 * PROTOCOL-HTTP2.md): flag 0 is plain; flag 1 with no `grpc-encoding` (or `identity`) is an
 * ill-constructed message (INTERNAL); an encoding we do not support is UNIMPLEMENTED, naming the ones we
 * do; content codings compare case-insensitively (`GZIP` is gzip, as in HTTP); bytes that do not
 * inflate are undecodable (INVALID_ARGUMENT, CONTRACT §2.1); inflating past the limit is RESOURCE_EXHAUSTED.
 * Rejections are the `{code, details}` objects grpc-js sends as the call's status.
 */
export async function decompressGrpcMessage(message: Buffer, encodingHeader: string, maxBytes: number): Promise<Buffer> {
  const flag = message[0];
  const contents = message.subarray(5);
  if (flag === 0) return contents;
  if (flag !== 1) throw { code: GRPC.INTERNAL, details: `invalid Compressed-Flag ${flag} (must be 0 or 1)` };
  const encoding = encodingHeader.trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') {
    throw { code: GRPC.INTERNAL, details: 'invalid Compressed-Flag: message marked compressed without a grpc-encoding other than identity' };
  }
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw { code: UNIMPLEMENTED, details: `message compressed with unsupported encoding "${encodingHeader}"; supported: identity, gzip, deflate` };
  }
  try {
    return await (encoding === 'gzip' ? gunzip : inflate)(contents, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw { code: GRPC.RESOURCE_EXHAUSTED, details: `message inflates to more than ${maxBytes} bytes` };
    }
    throw { code: GRPC.INVALID_ARGUMENT, details: `message marked ${encoding} does not inflate: ${(err as Error).message}` };
  }
}

/**
 * A server interceptor that puts decompressGrpcMessage in place of grpc-js' own on the call it wraps
 * (grpc-js takes a compressed flag without grpc-encoding as plain, answers INTERNAL for bytes that do
 * not inflate and UNIMPLEMENTED for `GZIP`, and has no option to change it). The interceptor runs
 * before any message of the call is read. It reaches into grpc-js' call object, checking each field it
 * needs: a future grpc-js laid out differently keeps its own behaviour (and the tests say so).
 */
function specCompression(maxBytes: number): grpc.ServerInterceptor {
  return (_method, call) => {
    let c: BaseCallInternals | undefined = call as unknown as BaseCallInternals;
    for (let depth = 0; c && depth < 8; depth++) {
      if (typeof c.decompressMessage === 'function' && typeof c.incomingEncoding === 'string') {
        const base = c;
        base.decompressMessage = (message: Buffer) => decompressGrpcMessage(message, String(base.incomingEncoding), maxBytes);
        break;
      }
      c = c.nextCall as BaseCallInternals | undefined;
    }
    return new grpc.ServerInterceptingCall(call);
  };
}

/** What the upload bound below reaches in grpc-js' base server call. */
interface BaseCallStream {
  handleDataFrame?: (data: Buffer) => void;
  handleEndEvent?: () => void;
  sendStatus?: (status: Partial<grpc.StatusObject>) => void;
  stream?: { once(event: 'close', listener: () => void): void };
  nextCall?: unknown;
}

/**
 * A server interceptor bounding uploads in progress: each HTTP/2 data frame of a call takes its bytes
 * from the shared budget before grpc-js buffers it, and when the budget is spent the call is answered
 * overloaded (RESOURCE_EXHAUSTED with RetryInfo, the sender retries) and its further frames are
 * dropped; the share is given back when the stream closes. A message still arriving `timeoutMs` after
 * its call began is cut with DEADLINE_EXCEEDED (a slow trickle would otherwise hold it for ever).
 * Like specCompression it reaches into grpc-js' call, checking each field; absent, it does nothing.
 */
function boundUploads(budget: UploadBudget | undefined, timeoutMs: number | undefined): grpc.ServerInterceptor {
  return (_method, call) => {
    let c: BaseCallStream | undefined = call as unknown as BaseCallStream;
    for (let depth = 0; c && depth < 8; depth++) {
      if (typeof c.handleDataFrame === 'function' && typeof c.handleEndEvent === 'function' && typeof c.sendStatus === 'function' && c.stream) {
        const base = c;
        const onData = base.handleDataFrame!.bind(base);
        const onEnd = base.handleEndEvent!.bind(base);
        const reservation = budget?.reserve();
        let refused = false;
        const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
          refused = true;
          base.sendStatus!(errorStatus(new TinyOllyError('timeout', `message not received within ${timeoutMs} ms`)));
        }, timeoutMs);
        timer?.unref();
        base.stream!.once('close', () => { clearTimeout(timer); reservation?.release(); });
        base.handleDataFrame = (data: Buffer) => {
          if (refused) return;
          if (reservation && !reservation.grow(data.length)) {
            refused = true;
            clearTimeout(timer);
            base.sendStatus!(errorStatus(new TinyOllyError('overloaded', 'too many bytes of uploads in flight; retry later')));
            return;
          }
          onData(data);
        };
        base.handleEndEvent = () => { clearTimeout(timer); onEnd(); };
        break;
      }
      c = c.nextCall as BaseCallStream | undefined;
    }
    return new grpc.ServerInterceptingCall(call);
  };
}

const TYPE_URL_RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * The `grpc-status-details-bin` trailer value: a google.rpc.Status with the call's code and message and
 * one google.rpc.RetryInfo detail (`retry_delay` = seconds). Written with protobufjs' Writer: the three
 * small messages (Status, Any, RetryInfo{Duration}) by their field numbers.
 */
export function statusDetailsWithRetryInfo(code: number, message: string, retryDelaySeconds: number): Buffer {
  const duration = protobuf.Writer.create().uint32(8).int64(retryDelaySeconds).finish(); // Duration.seconds = 1
  const retryInfo = protobuf.Writer.create().uint32(10).bytes(duration).finish(); // RetryInfo.retry_delay = 1
  const any = protobuf.Writer.create().uint32(10).string(TYPE_URL_RETRY_INFO).uint32(18).bytes(retryInfo).finish(); // type_url = 1, value = 2
  const status = protobuf.Writer.create();
  if (code !== 0) status.uint32(8).int32(code); // code = 1
  if (message) status.uint32(18).string(message); // message = 2
  status.uint32(26).bytes(any); // details = 3
  return Buffer.from(status.finish());
}

/**
 * The status of a failed export. A retryable refusal (overloaded, store unavailable: the kinds with a
 * Retry-After) carries RetryInfo, without which the OTLP spec makes RESOURCE_EXHAUSTED non-retryable
 * and the Collector drops the batch (CONTRACT §2.1); everything else (a message too large too) has none.
 */
function errorStatus(err: unknown): Partial<grpc.StatusObject> {
  const m = mapError(err);
  if (m.retryAfter === undefined) return { code: m.grpc, details: m.message };
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', statusDetailsWithRetryInfo(m.grpc, m.message, Math.max(1, m.retryAfter)));
  return { code: m.grpc, details: m.message, metadata };
}

const HEALTH_SERVICES = [
  '',
  'opentelemetry.proto.collector.trace.v1.TraceService',
  'opentelemetry.proto.collector.logs.v1.LogsService',
  'opentelemetry.proto.collector.metrics.v1.MetricsService',
];

/** Stops each server's health polling (shutdownGrpcServer calls it). */
const stopHealthPolling = new WeakMap<grpc.Server, () => void>();

/**
 * Polls `ready` (one call at a time) and sets every health service to SERVING or NOT_SERVING when that
 * changes (setStatus notifies every Watch stream, which should hear of changes only).
 */
function trackStoreHealth(server: grpc.Server, health: HealthImplementation, ready: () => Promise<boolean>, everyMs: number): void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let last = false; // the initial status map says NOT_SERVING until the store first answers
  const poll = (): void => {
    ready().catch(() => false).then((ok) => {
      if (stopped) return;
      if (ok !== last) for (const name of HEALTH_SERVICES) health.setStatus(name, ok ? 'SERVING' : 'NOT_SERVING');
      last = ok;
      timer = setTimeout(poll, everyMs);
      timer.unref();
    });
  };
  stopHealthPolling.set(server, () => { stopped = true; clearTimeout(timer); });
  poll();
}

const CODE_NAMES = Object.fromEntries(Object.entries(grpc.status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k])) as Record<number, string>;

/** Metadata of the Export calls whose handler ran (and recorded them); the rest were refused before it. */
const handledCalls = new WeakSet<grpc.Metadata>();

/**
 * An interceptor recording Export calls grpc-js refused before the handler ran (a message over the
 * limit, one that does not inflate): it sees every status sent, and skips the calls the handler recorded.
 */
function inspectRefusals(inspector: Inspector, port: () => number): grpc.ServerInterceptor {
  const signals = new Map(SERVICES.map((s) => [s.path, s.signal]));
  return (method, call) => {
    const signal = signals.get(method.path);
    if (!signal) return new grpc.ServerInterceptingCall(call);
    let metadata: grpc.Metadata | undefined;
    const timestamp = inspector.nowSeconds();
    const onStatus = (status: { code: number; details?: string }): void => {
        if (status.code !== GRPC.OK && !(metadata && handledCalls.has(metadata))) {
          const first = (key: string): string | null => { const v = metadata?.get(key)[0]; return v === undefined ? null : String(v); };
          const code = CODE_NAMES[status.code] ?? String(status.code);
          const enc = (first('grpc-encoding') ?? '').toLowerCase();
          try {
            inspector.record({
              timestamp, transport: 'grpc', port: port(), path: method.path, signal, encoding: 'protobuf',
              compression: enc === 'gzip' ? 'gzip' : enc === 'deflate' ? 'deflate' : null, bytes: null, inflatedBytes: null,
              peer: null, userAgent: first('user-agent'), accepted: 0, rejected: 0, status: code, reason: status.details ?? null,
              hint: hintFor({ transport: 'grpc', path: method.path, status: code, signal, reason: status.details ?? null }),
              durationMs: (inspector.nowSeconds() - timestamp) * 1000,
            });
          } catch { /* recording never fails a call */ }
        }
    };
    // grpc-js' base call sends its own refusals (message too large, not inflating) to itself, past any
    // interceptor's responder: its sendStatus is wrapped instead, found as specCompression finds it.
    let c: (BaseCallInternals & { sendStatus?: (s: { code: number; details?: string }) => void }) | undefined = call as unknown as BaseCallInternals;
    for (let depth = 0; c && depth < 8; depth++) {
      if (typeof c.decompressMessage === 'function' && typeof c.sendStatus === 'function') {
        const base = c;
        const send = base.sendStatus!.bind(base);
        base.sendStatus = (status) => { onStatus(status); send(status); };
        break;
      }
      c = c.nextCall as BaseCallInternals | undefined;
    }
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => next({ onReceiveMetadata: (md, nextMd) => { metadata = md; nextMd(md); } }),
    });
  };
}

/** Wraps an Export callback so the call is recorded in the inspector when it is answered. */
function recorded(
  inspector: Inspector, port: number, path: string, signal: Signal, call: grpc.ServerUnaryCall<Buffer, Buffer>,
  callback: grpc.sendUnaryData<Buffer>, ctx: InspectContext,
): { callback: grpc.sendUnaryData<Buffer>; done: (r: ExportResult) => void } {
  handledCalls.add(call.metadata);
  const startedMs = performance.now();
  const timestamp = inspector.nowSeconds();
  let result: ExportResult | undefined;
  const first = (key: string): string | null => { const v = call.metadata.get(key)[0]; return v === undefined ? null : String(v); };
  const wrapped: grpc.sendUnaryData<Buffer> = (err, value) => {
    const e = err as Partial<grpc.StatusObject> | null;
    const status = e ? CODE_NAMES[e.code ?? GRPC.INTERNAL] ?? String(e.code) : 'OK';
    const reason = e ? e.details ?? null : result?.message ?? null;
    const encoding = (first('grpc-encoding') ?? '').toLowerCase();
    const compression = encoding === 'gzip' ? 'gzip' : encoding === 'deflate' ? 'deflate' : null;
    try {
      inspector.record({
        timestamp, transport: 'grpc', port, path, signal, encoding: 'protobuf', compression,
        bytes: compression ? null : call.request?.length ?? null, inflatedBytes: call.request?.length ?? null,
        peer: call.getPeer?.() ?? null, userAgent: first('user-agent'), services: ctx.services,
        accepted: result?.accepted ?? 0, rejected: result?.rejected ?? 0, status, reason,
        hint: hintFor({ transport: 'grpc', path, status, signal, reason, apiKeySent: call.metadata.get('x-otlp-api-key').length > 0, limited: result?.limited,
          accepted: result?.accepted, rejected: result?.rejected }),
        durationMs: performance.now() - startedMs,
      });
    } catch { /* recording never fails an export */ }
    callback(err, value);
  };
  return { callback: wrapped, done: (r) => { result = r; } };
}

/** A grpc-js server with the OTLP services, reflection and health registered (not yet bound). */
export function createGrpcServer(opts: GrpcReceiverOptions): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxMessageBytes,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
    interceptors: [specCompression(opts.maxMessageBytes),
      ...(opts.uploads || opts.uploadTimeoutMs !== undefined ? [boundUploads(opts.uploads, opts.uploadTimeoutMs)] : []),
      ...(opts.inspector ? [inspectRefusals(opts.inspector, opts.port ?? (() => 0))] : [])],
  });
  widenStreamWindow(server);
  if (opts.maxConnections !== undefined) connectionCaps.set(server, opts.maxConnections);
  const isApiKey = opts.apiKey === undefined ? undefined : secretMatcher(opts.apiKey);
  for (const { signal, path } of SERVICES) {
    const definition: grpc.ServiceDefinition = {
      Export: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    };
    const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, answer) => {
      const ctx: InspectContext = {};
      const rec = opts.inspector ? recorded(opts.inspector, opts.port?.() ?? 0, path, signal, call, answer, ctx) : undefined;
      const callback = rec ? rec.callback : answer;
      if (isApiKey && !isApiKey(call.metadata.get('x-otlp-api-key')[0])) {
        callback({ code: GRPC.UNAUTHENTICATED, details: 'missing or wrong x-otlp-api-key' });
        return;
      }
      let pending: Promise<ExportResult>;
      try {
        pending = opts.ingester.export(decodeBody('protobuf', signal, call.request, opts.limits), rec ? ctx : undefined);
      } catch (err) {
        callback(errorStatus(err));
        return;
      }
      pending.then(
        (r) => { rec?.done(r); callback(null, Buffer.from(encodeExportResponseProtobuf(signal, r.rejected, r.message))); },
        (err) => callback(errorStatus(err)),
      );
    };
    server.addService(definition, { Export: handler });
  }

  const packageDefinition = protoLoader.loadSync([...SERVICE_PROTO_FILES, healthProtoPath], {
    includeDirs: [PROTO_DIR],
  });
  new ReflectionService(packageDefinition).addToServer(server);
  const initial = opts.storeReady ? 'NOT_SERVING' : 'SERVING';
  const health = new HealthImplementation(Object.fromEntries(HEALTH_SERVICES.map((name) => [name, initial])));
  health.addToServer(server);
  if (opts.storeReady) trackStoreHealth(server, health, opts.storeReady, opts.healthPollMs ?? 1000);
  return server;
}

/** Binds the server; resolves with the bound port (port 0 picks a free one). */
export function bindGrpcServer(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) return reject(err);
      widenSessionWindows(server);
      const cap = connectionCaps.get(server);
      if (cap !== undefined) limitConnections(server, cap);
      resolve(bound);
    });
  });
}

/** Stops accepting, lets in-flight calls finish (up to `graceMs`), then forces the rest closed. */
export function shutdownGrpcServer(server: grpc.Server, graceMs: number): Promise<void> {
  stopHealthPolling.get(server)?.();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, graceMs);
    timer.unref();
    server.tryShutdown(() => { clearTimeout(timer); resolve(); });
  });
}

