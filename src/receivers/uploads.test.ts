/**
 * Uploads in progress are bounded (issue 11), on the real listeners of start(): the bytes held across
 * every OTLP port and transport (429 with Retry-After / RESOURCE_EXHAUSTED with RetryInfo beyond,
 * decided before the body is buffered), a body trickled in is cut after the request timeout, and each
 * port takes at most so many connections. Small scale: a 1 MiB budget, a 1 s timeout, 3 connections.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { start, type Running } from '../app.js';
import { DEFAULT_CONFIG, type Config } from '../config.js';
import { encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import { rawRequest } from '../../test/helpers/raw-http.js';
import { decodeStatusDetails, grpcFrame, openRawGrpcCall, rawGrpcCall } from '../../test/helpers/raw-grpc.js';
import { waitFor } from '../../test/helpers/start-tinyolly.js';

const TRACE_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const KIB = 1024;

let app: Running | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await app?.close();
  app = undefined;
});

async function startWith(overrides: Partial<Config>): Promise<Running> {
  app = await start({ ...DEFAULT_CONFIG, host: '127.0.0.1', grpcPort: 0, httpPort: 0, uiPort: 0, ...overrides });
  return app;
}

/** An OTLP/JSON trace export of about `bytes` bytes (one span, a long attribute). */
function jsonExport(bytes: number, spanId = 'b7ad6b7169203331'): Buffer {
  return Buffer.from(JSON.stringify({
    resourceSpans: [{ scopeSpans: [{ spans: [{
      traceId: '0af7651916cd43dd8448eb211c80319c', spanId, name: 'upload',
      startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000',
      attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(bytes) } }],
    }] }] }],
  }));
}

/** An ExportTraceServiceRequest of about `bytes` bytes. */
function protobufExport(bytes: number): Buffer {
  return Buffer.from(encodeRequestProtobuf('traces', {
    resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, 9), name: 'n'.repeat(bytes) }] }] }],
  }));
}

/**
 * Starts a POST whose headers declare `length` bytes and writes only `first` of them; the request stays
 * open. `gone()` says whether the server refused or closed it (it may, if another request won the budget first).
 */
function holdUpload(port: number, length: number, first: Buffer): { destroy(): void; gone(): boolean } {
  let gone = false;
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent: false,
    headers: { 'content-type': 'application/json', 'content-length': String(length) } });
  req.on('error', () => { gone = true; });
  req.on('response', (res) => { gone = true; res.resume(); });
  req.on('close', () => { gone = true; });
  req.write(first);
  cleanups.push(() => req.destroy());
  return { destroy: () => req.destroy(), gone: () => gone };
}

/** A chunked POST (no Content-Length) of `body`, written in 64 KiB pieces; resolves with the status. */
function chunkedPost(port: number, body: Buffer): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent: false,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 64 * KIB) req.write(body.subarray(i, i + 64 * KIB));
    req.end();
  });
}

describe('bytes in flight across all uploads', () => {
  it.each(['http', 'ui'] as const)('on the %s port: a body that does not fit beside the ones arriving is 429 with Retry-After, declared or chunked; once they go it fits', async (portName) => {
    const running = await startWith({ maxInFlightMb: 1 });
    const port = running.ports[portName];
    // Another upload, on the other OTLP/HTTP port, has declared 900 KiB: the budget is shared.
    const other = portName === 'http' ? running.ports.ui : running.ports.http;
    let held = holdUpload(other, 900 * KIB, Buffer.from('{'));
    const body = jsonExport(300 * KIB);
    // The held request reserves once the server reads its headers: poll until a new one is refused
    // (holding again should the held one have lost the race).
    const refused = await waitFor(async () => {
      if (held.gone()) held = holdUpload(other, 900 * KIB, Buffer.from('{'));
      const r = await rawRequest(port, 'POST', '/v1/traces', { 'content-type': 'application/json' }, body);
      return r.status === 429 ? r : undefined;
    }, 20_000);
    expect(refused.headers['retry-after']).toBe('1');
    const chunked = await chunkedPost(port, body);
    expect(chunked).toEqual({ status: 429, retryAfter: '1' });

    held.destroy();
    await waitFor(async () => (await rawRequest(port, 'POST', '/v1/traces', { 'content-type': 'application/json' }, body)).status === 200, 20_000);
  });

  it('a body bigger than the whole budget is still taken when it is alone', async () => {
    const running = await startWith({ maxInFlightMb: 1 });
    const r = await rawRequest(running.ports.http, 'POST', '/v1/traces', { 'content-type': 'application/json' }, jsonExport(1500 * KIB));
    expect(r.status).toBe(200);
  });

  it('gRPC: a message that does not fit beside an upload in progress is RESOURCE_EXHAUSTED with RetryInfo', async () => {
    const running = await startWith({ maxInFlightMb: 1 });
    const address = `127.0.0.1:${running.ports.grpc}`;
    // A call whose message declares 1 MiB and has sent 900 KiB of it, left open (again, should it lose the race).
    const hold = () => {
      const call = openRawGrpcCall(address, TRACE_PATH);
      cleanups.push(call.close);
      call.stream.write(grpcFrame(0, Buffer.alloc(900 * KIB), 1024 * KIB));
      let gone = false;
      void call.answer.then(() => { gone = true; });
      return { close: call.close, gone: () => gone };
    };
    let open = hold();
    const message = protobufExport(300 * KIB);
    const refused = await waitFor(async () => {
      if (open.gone()) open = hold();
      const r = await rawGrpcCall(address, TRACE_PATH, {}, 0, message);
      return r.status === 8 ? r : undefined;
    }, 20_000);
    expect(refused.details).toBeDefined();
    const details = decodeStatusDetails(refused.details!);
    expect(details.code).toBe(8);
    expect(details.delays[0]).toBeGreaterThanOrEqual(1);

    open.close();
    await waitFor(async () => (await rawGrpcCall(address, TRACE_PATH, {}, 0, message)).status === 0, 20_000);
  });
});

/** Opens a connection and sends headers declaring a body, then one byte every 200 ms; resolves with what came back once the server closed it. */
function trickle(port: number, path = '/v1/traces'): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setInterval(() => { if (!socket.destroyed) socket.write('x'); }, 200);
    cleanups.push(() => { clearInterval(timer); socket.destroy(); });
    socket.on('data', (d) => { answer += d; });
    socket.on('error', () => { /* reset by the server */ });
    socket.on('close', () => { clearInterval(timer); resolve(answer); });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
  });
}

describe('slow bodies are cut', () => {
  it.each(['http', 'ui'] as const)('on the %s port: a body trickled in is answered 408 and its connection closed', async (portName) => {
    const running = await startWith({ requestTimeoutSeconds: 1 });
    const answer = await waitFor(() => Promise.race([trickle(running.ports[portName]), new Promise<undefined>((r) => setTimeout(r, 30_000))]), 31_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('gRPC: a message trickled in is cut with DEADLINE_EXCEEDED', async () => {
    const running = await startWith({ requestTimeoutSeconds: 1 });
    const open = openRawGrpcCall(`127.0.0.1:${running.ports.grpc}`, TRACE_PATH);
    cleanups.push(open.close);
    open.stream.write(grpcFrame(0, Buffer.alloc(0), 100_000));
    const timer = setInterval(() => { if (!open.stream.destroyed) open.stream.write(Buffer.from('x')); }, 200);
    cleanups.push(() => clearInterval(timer));
    const answer = await Promise.race([open.answer, new Promise<undefined>((r) => setTimeout(r, 30_000))]);
    expect(answer?.status).toBe(4);
  });
});

/** Resolves true if the server closes this new connection (it was over the limit), false if it stays open while a request on it is answered. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    socket.on('error', () => resolve(true));
    socket.on('close', () => resolve(true));
    socket.on('data', () => resolve(false));
    socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
  });
}

describe('connections per port', () => {
  it.each(['http', 'ui', 'grpc'] as const)('on the %s port: connections past the limit are closed, the ones within it serve', async (portName) => {
    const running = await startWith({ maxConnections: 3 });
    const port = running.ports[portName];
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => { /* closed at the end */ });
      cleanups.push(() => s.destroy());
      await new Promise((r) => s.once('connect', r));
      sockets.push(s);
    }
    // The server counts a connection once it accepted it: poll until the next one is closed.
    await waitFor(() => connectionRefused(port), 20_000);
    for (const s of sockets) s.destroy();
    if (portName !== 'grpc') {
      await waitFor(async () => (await rawRequest(port, 'GET', '/healthz')).status === 200, 20_000);
    }
  });
});
