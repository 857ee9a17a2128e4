import { describe, expect, it } from 'vitest';
import { sdkOf } from './user-agent.js';

describe('sdkOf (CONTRACT §8: userAgent mapped to the SDK)', () => {
  it('reads the OpenTelemetry JS exporters over HTTP and gRPC', () => {
    expect(sdkOf('OTel-OTLP-Exporter-JavaScript/0.203.0')).toEqual({ name: 'OTel-OTLP-Exporter-JavaScript', language: 'javascript', version: '0.203.0' });
    expect(sdkOf('OTel-OTLP-Exporter-JavaScript/0.203.0 grpc-node-js/1.13.4')).toEqual({ name: 'OTel-OTLP-Exporter-JavaScript', language: 'javascript', version: '0.203.0' });
  });
  it('reads the other SDKs', () => {
    expect(sdkOf('OTel-OTLP-Exporter-Python/1.27.0')).toMatchObject({ language: 'python', version: '1.27.0' });
    expect(sdkOf('OTel-OTLP-Exporter-Java/1.55.0')).toMatchObject({ language: 'java', version: '1.55.0' });
    expect(sdkOf('OTel-OTLP-Exporter-Dotnet/1.9.0')).toMatchObject({ language: 'dotnet', version: '1.9.0' });
    expect(sdkOf('OTel OTLP Exporter Go/1.31.0')).toEqual({ name: 'OTel OTLP Exporter Go', language: 'go', version: '1.31.0' });
    expect(sdkOf('OTel Go OTLP over gRPC trace exporter/1.31.0 grpc-go/1.67.1')).toMatchObject({ language: 'go', version: '1.31.0' });
  });
  it('reads the Collector', () => {
    expect(sdkOf('OpenTelemetry Collector Contrib/0.112.0 (linux/amd64)')).toEqual({ name: 'OpenTelemetry Collector Contrib', language: 'go', version: '0.112.0' });
    expect(sdkOf('OpenTelemetry Collector/0.112.0 (darwin/arm64) grpc-go/1.67.1')).toMatchObject({ name: 'OpenTelemetry Collector', version: '0.112.0' });
  });
  it('falls back to the gRPC library, and is null for anything else', () => {
    expect(sdkOf('grpc-go/1.67.1')).toEqual({ name: 'grpc-go', language: 'go', version: '1.67.1' });
    expect(sdkOf('curl/8.5.0')).toBeNull();
    expect(sdkOf(undefined)).toBeNull();
    expect(sdkOf('x'.repeat(100_000))).toBeNull();
  });
});
