/**
 * @module test/helpers/otel-sdk: the official OpenTelemetry JS SDK wired to a TinyOlly instance,
 * for each protocol (grpc, http/protobuf, http/json), with or without gzip. Tests send with it so that
 * our decoder is checked against an independent encoder.
 */
import { Metadata } from '@grpc/grpc-js';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TraceProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as TraceJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as LogGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as LogJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as MetricGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as MetricJson } from '@opentelemetry/exporter-metrics-otlp-http';

export type Protocol = 'grpc' | 'http/protobuf' | 'http/json';

export interface Target {
  grpcUrl: string;
  otlpHttpUrl: string;
}

export interface SdkOptions {
  protocol: Protocol;
  gzip?: boolean;
  serviceName: string;
  resource?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  temporality?: 'cumulative' | 'delta';
  /** The exporter's full URL instead of <otlpHttpUrl>/v1/<signal> (an exporter misconfigured on purpose). */
  url?: string;
  /** Metrics only: the meter provider's views. */
  views?: ViewOptions[];
  /** The resource's schema URL. */
  resourceSchemaUrl?: string;
  /** Batch spans and logs (the SDK's batch processors; sent on forceFlush) instead of one export per item. */
  batch?: boolean;
}

function exporterConfig(t: Target, o: SdkOptions, signal: 'traces' | 'logs' | 'metrics') {
  const compression = o.gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
  const url = o.url ?? (o.protocol === 'grpc' ? t.grpcUrl : `${t.otlpHttpUrl}/v1/${signal}`);
  if (o.protocol === 'grpc') {
    const metadata = new Metadata();
    for (const [k, v] of Object.entries(o.headers ?? {})) metadata.set(k, v);
    return { url, compression, metadata, timeoutMillis: 5000 };
  }
  return { url, compression, headers: o.headers, timeoutMillis: 5000 };
}

/** A tracer provider exporting each ended span at once (or in batches with `batch`). */
export function tracerProvider(t: Target, o: SdkOptions): BasicTracerProvider {
  const cfg = exporterConfig(t, o, 'traces');
  const exporter = o.protocol === 'grpc' ? new TraceGrpc(cfg) : o.protocol === 'http/protobuf' ? new TraceProto(cfg) : new TraceJson(cfg);
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': o.serviceName, ...o.resource }),
    spanProcessors: [o.batch ? new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, maxQueueSize: 100_000 }) : new SimpleSpanProcessor(exporter)],
  });
}

/** A logger provider exporting each record at once (or in batches with `batch`). */
export function loggerProvider(t: Target, o: SdkOptions): LoggerProvider {
  const cfg = exporterConfig(t, o, 'logs');
  const exporter = o.protocol === 'grpc' ? new LogGrpc(cfg) : o.protocol === 'http/protobuf' ? new LogProto(cfg) : new LogJson(cfg);
  return new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': o.serviceName, ...o.resource }),
    processors: [o.batch ? new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, maxQueueSize: 100_000 }) : new SimpleLogRecordProcessor({ exporter })],
  });
}

/** A meter provider whose reader exports on forceFlush() (the interval is long). */
export function meterProvider(t: Target, o: SdkOptions): MeterProvider {
  const cfg = exporterConfig(t, o, 'metrics');
  const temporalityPreference = o.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  const mcfg = { ...cfg, temporalityPreference };
  const exporter = o.protocol === 'grpc' ? new MetricGrpc(mcfg) : o.protocol === 'http/protobuf' ? new MetricProto(mcfg) : new MetricJson(mcfg);
  return new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': o.serviceName, ...o.resource }, o.resourceSchemaUrl ? { schemaUrl: o.resourceSchemaUrl } : undefined),
    views: o.views,
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000, exportTimeoutMillis: 5000 })],
  });
}
