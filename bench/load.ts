/**
 * @module bench/load: drives pre-encoded export requests at a TinyOlly over OTLP/gRPC (raw grpc-js
 * unary calls) or OTLP/HTTP protobuf (keep-alive POSTs) with N concurrent senders for a fixed time,
 * recording what was acknowledged and each export's latency.
 */
import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { patch, type Signal, type Template } from './payloads.js';

export type Transport = 'grpc' | 'http';

const GRPC_PATHS: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

/** Sends one encoded request; resolves with the items the server rejected (partial_success), rejects on any error. */
export interface Sender {
  send(body: Buffer): Promise<number>;
  close(): void;
}

/** partial_success's rejected count of an Export*ServiceResponse, read by the official decoder (not ours). */
function rejectedIn(signal: Signal, body: Uint8Array): number {
  if (body.length === 0) return 0;
  if (signal === 'traces') return Number(ProtobufTraceSerializer.deserializeResponse(body).partialSuccess?.rejectedSpans ?? 0);
  if (signal === 'logs') return Number(ProtobufLogsSerializer.deserializeResponse(body).partialSuccess?.rejectedLogRecords ?? 0);
  return Number(ProtobufMetricsSerializer.deserializeResponse(body).partialSuccess?.rejectedDataPoints ?? 0);
}

const identity = (b: Buffer): Buffer => b;

/**
 * gRPC unary Export calls over `channels` channels used in turn (default one shared by every sender,
 * as one exporter or Collector holds one connection).
 */
export function grpcSender(port: number, signal: Signal, channels = 1): Sender {
  const clients = Array.from({ length: Math.max(1, channels) }, () => new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    // Without a local pool, clients of one target share one connection.
    ...(channels > 1 ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
  }));
  const path = GRPC_PATHS[signal];
  let next = 0;
  return {
    send(body) {
      const client = clients[next++ % clients.length];
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(path, identity, identity, body, (err, res) => {
          if (err) reject(Object.assign(new Error(`grpc ${grpc.status[err.code] ?? err.code}: ${err.details}`), { code: `grpc:${grpc.status[err.code] ?? err.code}` }));
          else resolve(rejectedIn(signal, res!));
        });
      });
    },
    close: () => { for (const c of clients) c.close(); },
  };
}

/** Keep-alive HTTP/1.1 POSTs of application/x-protobuf, at most `sockets` connections. */
export function httpSender(port: number, signal: Signal, sockets: number): Sender {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return {
    send(body) {
      return new Promise((resolve, reject) => {
        const req = http.request({
          host: '127.0.0.1', port, method: 'POST', path: `/v1/${signal}`, agent,
          headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) {
              reject(Object.assign(new Error(`http ${res.statusCode}`), { code: `http:${res.statusCode}` }));
              return;
            }
            try {
              resolve(rejectedIn(signal, Buffer.concat(chunks)));
            } catch (err) {
              reject(err);
            }
          });
          res.on('error', reject);
        });
        req.on('error', (err) => reject(Object.assign(err, { code: `net:${(err as NodeJS.ErrnoException).code ?? 'error'}` })));
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** One acknowledged export: enough to find its items again through the API. */
export interface AckedSend {
  seq: number;
  template: number;
  /** Items accepted (sent minus partial_success rejections). */
  items: number;
  /** Metric point time of this send, ns. */
  timeNs: bigint;
}

export interface LoadOptions {
  sender: Sender;
  templates: Template[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  nonce: number;
  /** First sequence number (send ids must not repeat within one store). */
  seqStart: number;
  /** Metric point time of send seq: base + seq ms, so every send's points are distinct and ordered. */
  timeBaseMs: number;
  /** Stop early once this many traces were acknowledged (store fill). */
  stopAfterTraces?: number;
  /** Send at most this many exports. */
  maxSends?: number;
  /** Called after each acknowledged send (e.g. to send companion logs with the same ids). */
  onAck?: (a: AckedSend) => Promise<void>;
}

export interface LoadResult {
  /** In ack order, warm-up included. */
  acked: AckedSend[];
  ackedItems: number;
  ackedTraces: number;
  /** Items acknowledged by exports that ended inside the timed window. */
  windowItems: number;
  windowSeconds: number;
  /** Export latencies (ms) of the timed window. */
  latenciesMs: number[];
  rejectedItems: number;
  errors: Record<string, number>;
  nextSeq: number;
  /** Wall time of the timed window's start and end (ms since epoch). */
  windowStartMs: number;
  windowEndMs: number;
}

/** Runs `concurrency` senders, each one export at a time, through warm-up then the timed window. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const t0 = performance.now();
  const windowStart = t0 + o.warmupMs;
  const end = windowStart + o.durationMs;
  let seq = o.seqStart;
  const acked: AckedSend[] = [];
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let ackedItems = 0;
  let ackedTraces = 0;
  let windowItems = 0;
  let rejectedItems = 0;
  let windowEndActual = end;

  const worker = async () => {
    while (performance.now() < end && (o.stopAfterTraces === undefined || ackedTraces < o.stopAfterTraces)
      && (o.maxSends === undefined || seq - o.seqStart < o.maxSends)) {
      const s = seq++;
      const ti = s % o.templates.length;
      const t = o.templates[ti];
      const timeNs = BigInt(o.timeBaseMs + s) * 1_000_000n;
      const body = patch(t, o.nonce, s, timeNs);
      const start = performance.now();
      try {
        const rejected = await o.sender.send(body);
        const done = performance.now();
        const a: AckedSend = { seq: s, template: ti, items: t.items - rejected, timeNs };
        acked.push(a);
        ackedItems += a.items;
        ackedTraces += t.traces;
        rejectedItems += rejected;
        if (start >= windowStart && done <= end) {
          windowItems += a.items;
          latencies.push(done - start);
        } else if (start < windowStart && done > windowStart) {
          // Straddles the window start: count the share inside the window, not its latency.
          windowItems += a.items * ((done - windowStart) / (done - start));
        }
        if (o.onAck) await o.onAck(a);
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'error';
        errors[code] = (errors[code] ?? 0) + 1;
        // Back off a little so a refusing server is not spun against.
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  if (o.stopAfterTraces !== undefined || o.maxSends !== undefined) windowEndActual = Math.min(end, performance.now());
  const windowSeconds = Math.max(0.001, (windowEndActual - windowStart) / 1000);
  const wallNow = Date.now();
  const nowPerf = performance.now();
  return {
    acked,
    ackedItems,
    ackedTraces,
    windowItems,
    windowSeconds,
    latenciesMs: latencies,
    rejectedItems,
    errors,
    nextSeq: seq,
    windowStartMs: wallNow - (nowPerf - windowStart),
    windowEndMs: wallNow - (nowPerf - windowEndActual),
  };
}

/** What a case reports when no export completed inside its timed window. */
export const NO_COMPLETED_REQUESTS = 'no completed requests in the timed window';

/** Latency percentiles of a timed window, or null with the reason when nothing completed in it. */
export type Latency =
  | { completed: number; p50Ms: number; p99Ms: number; note?: undefined }
  | { completed: 0; p50Ms: null; p99Ms: null; note: string };

/**
 * p50 and p99 of the export latencies of a window. An empty window (a loaded machine, a short
 * window, a slow server) is reported as such: null percentiles and a note, never a number.
 */
export function latencyOf(latenciesMs: number[]): Latency {
  if (latenciesMs.length === 0) return { completed: 0, p50Ms: null, p99Ms: null, note: NO_COMPLETED_REQUESTS };
  return { completed: latenciesMs.length, p50Ms: quantile(latenciesMs, 0.5), p99Ms: quantile(latenciesMs, 0.99) };
}

/** The q-quantile (0..1) of a list of numbers (nearest rank); NaN for an empty list. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
