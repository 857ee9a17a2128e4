/**
 * @module demo/service-runtime: what both demo services share: request metrics, severity-tagged logs,
 * the listen / ready-line / graceful-stop cycle. The routes themselves live in frontend.ts and backend.ts.
 */
import type { Server } from 'node:http';
import { trace, type Attributes, type Meter } from '@opentelemetry/api';
import { SeverityNumber, type Logger } from '@opentelemetry/api-logs';
import type { DemoTelemetry } from './telemetry.js';

/** Severities the demo emits, with their OTLP numbers. */
export const SEVERITIES = {
  DEBUG: SeverityNumber.DEBUG,
  INFO: SeverityNumber.INFO,
  WARN: SeverityNumber.WARN,
  ERROR: SeverityNumber.ERROR,
} as const;

/** A severity name the demo uses. */
export type DemoSeverity = keyof typeof SEVERITIES;

/**
 * Emits one log record through the logs SDK. Called inside an active span, the record carries that
 * span's trace and span ids (the SDK reads the active context), which is what correlates logs to traces.
 */
export function emitLog(logger: Logger, severity: DemoSeverity, body: string, attributes: Attributes = {}): void {
  logger.emit({ severityNumber: SEVERITIES[severity], severityText: severity, body, attributes });
}

/** Per-request instruments: a counter, a latency histogram (ms) and an in-flight observable gauge. */
export interface RequestMetrics {
  /** Marks a request as started; the returned function records its outcome exactly once. */
  start(route: string): (statusCode: number) => void;
}

/**
 * Creates `demo.requests` (monotonic sum), `demo.request.duration` (histogram, ms) and
 * `demo.inflight_requests` (observable gauge) on the given meter.
 */
export function createRequestMetrics(meter: Meter): RequestMetrics {
  const requests = meter.createCounter('demo.requests', {
    description: 'Requests handled by the demo service',
    unit: '{request}',
  });
  const duration = meter.createHistogram('demo.request.duration', {
    description: 'Time to answer a request',
    unit: 'ms',
    advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100, 250, 500, 1000, 2500] },
  });
  const inflight = meter.createObservableGauge('demo.inflight_requests', {
    description: 'Requests being handled at collection time',
    unit: '{request}',
  });
  let current = 0;
  inflight.addCallback((result) => result.observe(current));
  return {
    start(route) {
      const startedAt = performance.now();
      current += 1;
      let done = false;
      return (statusCode) => {
        if (done) return;
        done = true;
        current -= 1;
        const attributes = { 'http.route': route, 'http.response.status_code': statusCode };
        requests.add(1, attributes);
        duration.record(performance.now() - startedAt, attributes);
      };
    },
  };
}

/**
 * Picks the route label for a path: the path itself when it is one of `known`, else `other`, so
 * arbitrary request paths never become metric series. Names the active SERVER span `GET <route>`
 * (the http instrumentation only knows the method) and sets `http.route`.
 */
export function routeOf(pathname: string, known: ReadonlySet<string>, method: string | undefined): string {
  const route = known.has(pathname) ? pathname : 'other';
  const span = trace.getActiveSpan();
  // Only GET is served; other methods keep the instrumentation's name (they answer 405).
  if (span && route !== 'other' && method === 'GET') {
    span.updateName(`GET ${route}`);
    span.setAttribute('http.route', route);
  }
  return route;
}

/** Waits `ms` milliseconds (the demo's simulated work). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads a port from an env value: an integer 0..65535, or `fallback` when unset. Throws otherwise. */
export function portFrom(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, not '${raw}'`);
  return port;
}

/** How long a service waits for in-flight requests and the final telemetry flush before it gives up. */
export const STOP_TIMEOUT_MS = 5_000;

/**
 * Listens on host:port, prints `<service> listening {"port":N}` once bound (run.ts waits for it), and on
 * SIGINT/SIGTERM stops accepting, flushes and shuts the SDK down, then exits 0 (1 if that took too long).
 */
export function serveUntilSignal(server: Server, host: string, port: number, telemetry: DemoTelemetry): void {
  server.listen(port, host, () => {
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    process.stdout.write(`${telemetry.serviceName} listening ${JSON.stringify({ port: bound })}\n`);
  });
  server.on('error', (err) => {
    process.stderr.write(`${telemetry.serviceName}: ${err.message}\n`);
    void telemetry.shutdown().finally(() => process.exit(1));
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${telemetry.serviceName}: ${signal}, flushing telemetry\n`);
    setTimeout(() => process.exit(1), STOP_TIMEOUT_MS).unref();
    // Let in-flight requests finish (bounded) so their spans are complete, then flush.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    void Promise.race([closed, sleep(STOP_TIMEOUT_MS / 2)])
      .then(() => server.closeAllConnections())
      .then(() => telemetry.shutdown())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
