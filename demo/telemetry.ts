/**
 * @module demo/telemetry: one OpenTelemetry JS SDK per demo process (traces, logs, metrics over OTLP).
 * Endpoint and headers come from the standard OTEL_EXPORTER_OTLP_* variables; the services live elsewhere.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { logs, type Logger } from '@opentelemetry/api-logs';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';

/** OTLP transports the demo can use, named as OTEL_EXPORTER_OTLP_PROTOCOL names them. */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** What a demo service gets back: its tracer, meter and logger, and a shutdown that flushes all three. */
export interface DemoTelemetry {
  serviceName: string;
  protocol: OtlpProtocol;
  tracer: Tracer;
  meter: Meter;
  logger: Logger;
  /** Flushes spans, logs and a last metric collection, then stops the SDK. Never throws; safe to call twice. */
  shutdown(): Promise<void>;
}

/** Metrics are exported this often, so charts fill within seconds. */
export const METRIC_EXPORT_INTERVAL_MS = 2_000;
/** Spans and logs wait at most this long in their batch before export. */
export const BATCH_DELAY_MS = 500;

/**
 * Reads OTEL_EXPORTER_OTLP_PROTOCOL: `http/protobuf` (default), `http/json` or `grpc`.
 * Throws on any other value, so a typo fails at start-up instead of silently exporting nothing.
 */
export function protocolFromEnv(env: Record<string, string | undefined>): OtlpProtocol {
  const raw = (env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim().toLowerCase();
  if (raw === 'http/protobuf' || raw === 'http/json' || raw === 'grpc') return raw;
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf, http/json or grpc, not '${raw}'`);
}

function makeExporters(protocol: OtlpProtocol): {
  spans: SpanExporter;
  logs: LogRecordExporter;
  metrics: PushMetricExporter;
} {
  // No url is passed: each exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and the per-signal
  // variants, headers, compression) itself, defaulting to localhost:4318 / :4317, as users expect.
  switch (protocol) {
    case 'http/json':
      return { spans: new JsonTraceExporter(), logs: new JsonLogExporter(), metrics: new JsonMetricExporter() };
    case 'grpc':
      return { spans: new GrpcTraceExporter(), logs: new GrpcLogExporter(), metrics: new GrpcMetricExporter() };
    default:
      return { spans: new ProtoTraceExporter(), logs: new ProtoLogExporter(), metrics: new ProtoMetricExporter() };
  }
}

/**
 * Starts the SDK for one service: http instrumentation (server and client spans, W3C trace context
 * propagation), batch span and log processors with a short delay, a periodic metric reader.
 * Call it before the first `require('node:http')` so the http module gets patched.
 */
export function startTelemetry(serviceName: string, env: Record<string, string | undefined> = process.env): DemoTelemetry {
  const protocol = protocolFromEnv(env);
  const exporters = makeExporters(protocol);
  const sdk = new NodeSDK({
    serviceName,
    resource: resourceFromAttributes({
      'service.namespace': 'tinyolly-demo',
      'service.version': '0.1.0',
      'deployment.environment.name': 'demo',
    }),
    spanProcessors: [new BatchSpanProcessor(exporters.spans, { scheduledDelayMillis: BATCH_DELAY_MS })],
    logRecordProcessors: [new BatchLogRecordProcessor({ exporter: exporters.logs, scheduledDelayMillis: BATCH_DELAY_MS })],
    metricReaders: [
      new PeriodicExportingMetricReader({
        exporter: exporters.metrics,
        exportIntervalMillis: METRIC_EXPORT_INTERVAL_MS,
        exportTimeoutMillis: METRIC_EXPORT_INTERVAL_MS,
      }),
    ],
    instrumentations: [
      new HttpInstrumentation({
        // The OTLP/HTTP exporters' own requests are not the demo's traffic.
        ignoreOutgoingRequestHook: (request) => /^\/v1\/(traces|logs|metrics)\b/.test(request.path ?? ''),
      }),
    ],
  });
  sdk.start();

  let stopping: Promise<void> | undefined;
  return {
    serviceName,
    protocol,
    tracer: trace.getTracer(serviceName, '0.1.0'),
    meter: metrics.getMeter(serviceName, '0.1.0'),
    logger: logs.getLogger(serviceName, '0.1.0'),
    shutdown() {
      stopping ??= sdk.shutdown().catch((err: unknown) => {
        process.stderr.write(`${serviceName}: telemetry shutdown failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      });
      return stopping;
    },
  };
}
