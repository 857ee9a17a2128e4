/**
 * @module demo/frontend: the `demo-frontend` service (default port 8080). Its /api/* routes call
 * demo-backend over instrumented HTTP, so each request becomes one trace across both services.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { startTelemetry } from './telemetry.js';
import { createRequestMetrics, emitLog, portFrom, routeOf, serveUntilSignal } from './service-runtime.js';

/** The service.name this process reports. */
export const FRONTEND_SERVICE_NAME = 'demo-frontend';
/** Default listening port (DEMO_FRONTEND_PORT overrides; 0 picks a free one). */
export const DEFAULT_FRONTEND_PORT = 8080;
/** A backend call slower than this logs a WARN. */
export const SLOW_CALL_MS = 250;
/** A backend call is abandoned after this long. */
export const BACKEND_TIMEOUT_MS = 5_000;
/** Backend replies are read up to this many bytes. */
const MAX_REPLY_BYTES = 64 * 1024;

const telemetry = startTelemetry(FRONTEND_SERVICE_NAME);
// Required after the SDK started, so @opentelemetry/instrumentation-http has patched it: client
// calls then carry `traceparent` and become CLIENT spans under the current SERVER span.
const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
const { tracer, logger } = telemetry;
const requestMetrics = createRequestMetrics(telemetry.meter);
const backendUrl = new URL(process.env.DEMO_BACKEND_URL ?? 'http://127.0.0.1:8081');

interface BackendReply {
  status: number;
  body: unknown;
  durationMs: number;
}

/** GETs a backend path. Network failures reject; HTTP errors resolve with their status. */
function callBackend(path: string): Promise<BackendReply> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, backendUrl), { timeout: BACKEND_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
      });
      res.on('end', () => {
        let body: unknown = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = null;
        }
        resolve({ status: res.statusCode ?? 0, body, durationMs: performance.now() - startedAt });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`backend timed out after ${BACKEND_TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Fails the current server span with an exception event and an ERROR log, answers 502. */
function fail(res: ServerResponse, err: Error): number {
  const span = trace.getActiveSpan();
  span?.recordException(err);
  span?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  emitLog(logger, 'ERROR', `request failed: ${err.message}`, {
    'exception.type': err.name,
    'exception.message': err.message,
  });
  send(res, 502, { error: err.message });
  return 502;
}

async function product(res: ServerResponse, delayMs: number): Promise<number> {
  const reply = await callBackend(`/inventory?item=${delayMs > SLOW_CALL_MS ? 'bulk' : 'widget'}&delay_ms=${delayMs}`);
  if (reply.status !== 200) return fail(res, new Error(`inventory answered ${reply.status}`));
  if (reply.durationMs > SLOW_CALL_MS) {
    emitLog(logger, 'WARN', `slow backend call: inventory took ${Math.round(reply.durationMs)} ms`, {
      'demo.backend.duration_ms': Math.round(reply.durationMs),
    });
  } else {
    emitLog(logger, 'INFO', 'product page served', { 'demo.backend.duration_ms': Math.round(reply.durationMs) });
  }
  send(res, 200, { product: reply.body });
  return 200;
}

async function checkout(res: ServerResponse): Promise<number> {
  // An INTERNAL span groups the two backend calls, so the waterfall shows three levels.
  return tracer.startActiveSpan('checkout.process', async (span) => {
    try {
      const stockReply = await callBackend('/inventory?item=gadget&delay_ms=20');
      if (stockReply.status !== 200) return fail(res, new Error(`inventory answered ${stockReply.status}`));
      const amount = 5 + Math.round(Math.random() * 95);
      span.setAttribute('demo.payment.amount', amount);
      const payReply = await callBackend(`/payment?amount=${amount}`);
      if (payReply.status !== 200) return fail(res, new Error(`payment answered ${payReply.status}`));
      emitLog(logger, 'INFO', `checkout complete for ${amount}`, { 'demo.payment.amount': amount });
      send(res, 200, { checkout: 'ok', payment: payReply.body });
      return 200;
    } finally {
      span.end();
    }
  });
}

async function ledger(res: ServerResponse): Promise<number> {
  const reply = await callBackend('/ledger');
  if (reply.status >= 500) {
    emitLog(logger, 'WARN', `backend ledger answered ${reply.status}, giving up`, { 'http.response.status_code': reply.status });
    return fail(res, new Error(`ledger write failed upstream (${reply.status})`));
  }
  send(res, 200, { ledger: reply.body });
  return 200;
}

const INDEX = {
  service: FRONTEND_SERVICE_NAME,
  routes: ['/api/fast', '/api/slow', '/api/checkout', '/api/fail', '/healthz'],
};

const ROUTES = new Set(['/', ...INDEX.routes]);

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://frontend.local');
  const done = requestMetrics.start(routeOf(url.pathname, ROUTES, req.method));
  let status = 500;
  try {
    if (req.method !== 'GET') status = (send(res, 405, { error: 'GET only' }), 405);
    else if (url.pathname === '/' || url.pathname === '/healthz') status = (send(res, 200, INDEX), 200);
    else if (url.pathname === '/api/fast') status = await product(res, 5 + Math.round(Math.random() * 20));
    else if (url.pathname === '/api/slow') status = await product(res, 300 + Math.round(Math.random() * 300));
    else if (url.pathname === '/api/checkout') status = await checkout(res);
    else if (url.pathname === '/api/fail') status = await ledger(res);
    else status = (send(res, 404, { error: 'not found', ...INDEX }), 404);
  } catch (err) {
    status = res.headersSent ? status : fail(res, err as Error);
  } finally {
    done(status);
  }
}

const server = http.createServer((req, res) => void route(req, res));
serveUntilSignal(
  server,
  process.env.DEMO_HOST ?? '127.0.0.1',
  portFrom(process.env.DEMO_FRONTEND_PORT, DEFAULT_FRONTEND_PORT, 'DEMO_FRONTEND_PORT'),
  telemetry,
);
