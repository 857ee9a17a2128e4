/**
 * @module receivers/grpc: OTLP/gRPC (CONTRACT §2.1): the three collector services' unary Export,
 * server reflection (v1 and v1alpha) and grpc.health.v1.Health. Messages arrive as raw bytes and
 * are decoded once by otlp/, so a malformed message answers INVALID_ARGUMENT rather than INTERNAL.
 */
import type { EventEmitter } from 'node:events';
import type { Http2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { GRPC, mapError } from '../errors.js';
import type { ExportResult, Ingester } from '../ingest/ingester.js';
import {
  encodeExportResponseProtobuf, PROTO_DIR,
  SERVICE_PROTO_FILES,
} from '../otlp/protobuf.js';
import type { Signal } from '../otlp/types.js';

export interface GrpcReceiverOptions {
  ingester: Ingester;
  /** Largest message accepted, after decompression. */
  maxMessageBytes: number;
  /** When set, Export calls must carry it in `x-otlp-api-key` metadata. */
  apiKey?: string;
}

const SERVICES: { signal: Signal; path: string }[] = [
  { signal: 'traces', path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export' },
  { signal: 'logs', path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export' },
  { signal: 'metrics', path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export' },
];

const identity = (b: Buffer): Buffer => b;

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

function exportSignal(ingester: Ingester, signal: Signal, body: Buffer): Promise<ExportResult> {
  if (signal === 'traces') return ingester.exportTracesProtobuf(body);
  if (signal === 'logs') return ingester.exportLogsProtobuf(body);
  return ingester.exportMetricsProtobuf(body);
}

/** A grpc-js server with the OTLP services, reflection and health registered (not yet bound). */
export function createGrpcServer(opts: GrpcReceiverOptions): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxMessageBytes,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
  });
  widenStreamWindow(server);
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
    const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
      if (opts.apiKey !== undefined && call.metadata.get('x-otlp-api-key')[0] !== opts.apiKey) {
        callback({ code: GRPC.UNAUTHENTICATED, details: 'missing or wrong x-otlp-api-key' });
        return;
      }
      let pending: Promise<ExportResult>;
      try {
        pending = exportSignal(opts.ingester, signal, call.request);
      } catch (err) {
        const m = mapError(err);
        callback({ code: m.grpc, details: m.message });
        return;
      }
      pending.then(
        (r) => callback(null, Buffer.from(encodeExportResponseProtobuf(signal, r.rejected, r.message))),
        (err) => {
          const m = mapError(err);
          callback({ code: m.grpc, details: m.message });
        },
      );
    };
    server.addService(definition, { Export: handler });
  }

  const packageDefinition = protoLoader.loadSync([...SERVICE_PROTO_FILES, healthProtoPath], {
    includeDirs: [PROTO_DIR],
  });
  new ReflectionService(packageDefinition).addToServer(server);
  const health = new HealthImplementation({
    '': 'SERVING',
    'opentelemetry.proto.collector.trace.v1.TraceService': 'SERVING',
    'opentelemetry.proto.collector.logs.v1.LogsService': 'SERVING',
    'opentelemetry.proto.collector.metrics.v1.MetricsService': 'SERVING',
  });
  health.addToServer(server);
  return server;
}

/** Binds the server; resolves with the bound port (port 0 picks a free one). */
export function bindGrpcServer(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) return reject(err);
      widenSessionWindows(server);
      resolve(bound);
    });
  });
}

/** Stops accepting, lets in-flight calls finish (up to `graceMs`), then forces the rest closed. */
export function shutdownGrpcServer(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, graceMs);
    timer.unref();
    server.tryShutdown(() => { clearTimeout(timer); resolve(); });
  });
}

