/**
 * @module demo/backend: the `demo-backend` service (default port 8081): inventory, payment and a failing
 * ledger route, each with a child span, logs and metrics. Start it with `node --import tsx demo/backend.ts`.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { startTelemetry } from './telemetry.js';
import { createRequestMetrics, emitLog, portFrom, routeOf, serveUntilSignal, sleep } from './service-runtime.js';

/** The service.name this process reports. */
export const BACKEND_SERVICE_NAME = 'demo-backend';
/** Default listening port (DEMO_BACKEND_PORT overrides; 0 picks a free one). */
export const DEFAULT_BACKEND_PORT = 8081;
/** Simulated work is clamped to this, whatever the caller asks. */
export const MAX_DELAY_MS = 2_000;
/** Above this a query counts as slow and logs a WARN. */
export const SLOW_QUERY_MS = 250;

const telemetry = startTelemetry(BACKEND_SERVICE_NAME);
// Required after the SDK started, so @opentelemetry/instrumentation-http has patched it.
const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
const { tracer, logger } = telemetry;
const requestMetrics = createRequestMetrics(telemetry.meter);

const stock = new Map<string, number>([
  ['widget', 120],
  ['gadget', 45],
  ['bulk', 900],
]);
telemetry.meter
  .createObservableGauge('demo.inventory.stock', { description: 'Units in stock per item', unit: '{unit}' })
  .addCallback((result) => {
    for (const [item, units] of stock) result.observe(units, { 'demo.item': item });
  });

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function delayFrom(url: URL): number {
  const raw = Number(url.searchParams.get('delay_ms') ?? '5');
  return Number.isFinite(raw) ? Math.min(Math.max(Math.round(raw), 0), MAX_DELAY_MS) : 5;
}

/** Runs `work` in an INTERNAL child span of the active server span; ends it, marking errors. */
async function inSpan<T>(name: string, attributes: Record<string, string | number>, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

async function inventory(url: URL, res: ServerResponse): Promise<number> {
  const item = (url.searchParams.get('item') ?? 'widget').slice(0, 32);
  const delayMs = delayFrom(url);
  const units = await inSpan('inventory.lookup', { 'db.system.name': 'demo-memory', 'db.operation.name': 'SELECT', 'demo.item': item }, async () => {
    await sleep(delayMs);
    return stock.get(item) ?? 0;
  });
  if (delayMs > SLOW_QUERY_MS) {
    emitLog(logger, 'WARN', `slow inventory query for ${item}: ${delayMs} ms`, { 'demo.item': item, 'demo.delay_ms': delayMs });
  } else {
    emitLog(logger, 'INFO', `inventory lookup for ${item}`, { 'demo.item': item, 'demo.units': units });
  }
  send(res, 200, { item, units });
  return 200;
}

async function payment(url: URL, res: ServerResponse): Promise<number> {
  const amount = Math.min(Math.max(Number(url.searchParams.get('amount') ?? '10') || 10, 0), 1e6);
  const id = await inSpan('payment.authorize', { 'demo.payment.amount': amount }, async () => {
    await sleep(10 + Math.round(Math.random() * 20));
    return `pay-${Math.random().toString(16).slice(2, 10)}`;
  });
  // Each sale takes a widget from stock; an empty shelf is refilled, so the gauge moves but stays bounded.
  const left = (stock.get('widget') ?? 0) - 1;
  stock.set('widget', left > 0 ? left : 120);
  emitLog(logger, 'INFO', `payment ${id} authorised`, { 'demo.payment.id': id, 'demo.payment.amount': amount });
  send(res, 200, { payment: id, status: 'authorised' });
  return 200;
}

async function ledgerFailure(res: ServerResponse): Promise<number> {
  try {
    await inSpan('ledger.write', { 'db.system.name': 'demo-memory', 'db.operation.name': 'INSERT' }, async () => {
      await sleep(15);
      throw new Error('ledger unavailable: connection reset by peer');
    });
  } catch (err) {
    // The server span (made by the http instrumentation) gets the exception event too.
    const server = trace.getActiveSpan();
    server?.recordException(err as Error);
    server?.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    emitLog(logger, 'ERROR', `ledger write failed: ${(err as Error).message}`, {
      'exception.type': (err as Error).name,
      'exception.message': (err as Error).message,
    });
  }
  send(res, 500, { error: 'ledger unavailable' });
  return 500;
}

const ROUTES = new Set(['/healthz', '/inventory', '/payment', '/ledger']);

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://backend.local');
  const done = requestMetrics.start(routeOf(url.pathname, ROUTES, req.method));
  let status = 500;
  try {
    if (req.method !== 'GET') {
      send(res, (status = 405), { error: 'GET only' });
    } else if (url.pathname === '/healthz') {
      send(res, (status = 200), { status: 'ok' });
    } else if (url.pathname === '/inventory') {
      status = await inventory(url, res);
    } else if (url.pathname === '/payment') {
      status = await payment(url, res);
    } else if (url.pathname === '/ledger') {
      status = await ledgerFailure(res);
    } else {
      send(res, (status = 404), { error: 'not found' });
    }
  } catch (err) {
    emitLog(logger, 'ERROR', `unhandled: ${(err as Error).message}`);
    if (!res.headersSent) send(res, 500, { error: 'internal error' });
  } finally {
    done(status);
  }
}

const server = http.createServer((req, res) => void route(req, res));
serveUntilSignal(
  server,
  process.env.DEMO_HOST ?? '127.0.0.1',
  portFrom(process.env.DEMO_BACKEND_PORT, DEFAULT_BACKEND_PORT, 'DEMO_BACKEND_PORT'),
  telemetry,
);
