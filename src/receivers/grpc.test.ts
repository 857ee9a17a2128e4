/**
 * OTLP/gRPC receiver through a real grpc-js client on port 0: Export with and without gzip,
 * partial_success, status codes of CONTRACT §2.1, server reflection (v1, v1alpha) and health.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { Ingester } from '../ingest/ingester.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../normalise/options.js';
import { decodeExportResponseProtobuf, encodeRequestProtobuf } from '../otlp/protobuf.js';
import { fakeStore, UNAVAILABLE, type FakeStore } from '../../test/helpers/fake-store.js';
import { bindGrpcServer, createGrpcServer, shutdownGrpcServer } from './grpc.js';

const MAX = 256 * 1024;
const TRACE_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
let store: FakeStore;
let server: grpc.Server;
let address: string;

beforeAll(async () => {
  store = fakeStore();
  server = createGrpcServer({ ingester: new Ingester(store, { ...DEFAULT_NORMALISE_OPTIONS, maxInFlight: 64 }), maxMessageBytes: MAX });
  address = `127.0.0.1:${await bindGrpcServer(server, '127.0.0.1', 0)}`;
});
afterAll(async () => { await shutdownGrpcServer(server, 1000); await store.close(); });

function exportRaw(body: Buffer, options: grpc.ChannelOptions = {}): Promise<Buffer> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), options);
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(TRACE_PATH, (b: Buffer) => b, (b: Buffer) => b, body, (err, res) => {
      client.close();
      if (err) reject(err); else resolve(res!);
    });
  });
}

function spans(traceByte: number, count: number, extra: object[] = []) {
  return Buffer.from(encodeRequestProtobuf('traces', {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'grpc-svc' } }] },
      scopeSpans: [{ spans: [...Array.from({ length: count }, (_, i) => ({ traceId: Buffer.alloc(16, traceByte), spanId: Buffer.alloc(8, i + 1), name: `s${i}` })), ...extra] }],
    }],
  }));
}

describe('Export', () => {
  it('stores spans and answers an empty response', async () => {
    const res = await exportRaw(spans(1, 3));
    expect(decodeExportResponseProtobuf('traces', res)).toEqual({});
    expect(await store.getTrace('01'.repeat(16))).toHaveLength(3);
  });

  it('accepts gzip-compressed messages', async () => {
    await exportRaw(spans(2, 2), { 'grpc.default_compression_algorithm': 2 });
    expect(await store.getTrace('02'.repeat(16))).toHaveLength(2);
  });

  it('reports rejected spans in partial_success', async () => {
    const res = await exportRaw(spans(3, 1, [{ name: 'no ids' }]));
    expect(decodeExportResponseProtobuf('traces', res)).toMatchObject({ partialSuccess: { rejectedSpans: 1 } });
  });

  it('answers INVALID_ARGUMENT for a malformed message and keeps serving', async () => {
    await expect(exportRaw(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(await store.getTrace('01'.repeat(16))).toHaveLength(3);
    await exportRaw(spans(4, 1));
    expect(await store.getTrace('04'.repeat(16))).toHaveLength(1);
  });

  it('answers RESOURCE_EXHAUSTED for a message over the limit, also when it only inflates past it', async () => {
    const big = spans(5, 1, [{ traceId: Buffer.alloc(16, 5), spanId: Buffer.alloc(8, 5), name: 'x'.repeat(MAX) }]);
    await expect(exportRaw(big)).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    await expect(exportRaw(big, { 'grpc.default_compression_algorithm': 2 })).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
  });

  it('answers UNAVAILABLE while the store is down', async () => {
    store.failWith = UNAVAILABLE();
    try {
      await expect(exportRaw(spans(6, 1))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    } finally {
      store.failWith = undefined;
    }
  });
});

describe('reflection and health', () => {
  const require = createRequire(import.meta.url);
  const reflectionDir = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');

  it.each(['v1', 'v1alpha'])('lists the OTLP services through reflection %s', async (version) => {
    const def = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [reflectionDir] });
    const pkg = grpc.loadPackageDefinition(def) as any;
    const Ctor = pkg.grpc.reflection[version].ServerReflection;
    const client = new Ctor(address, grpc.credentials.createInsecure());
    const names: string[] = await new Promise((resolve, reject) => {
      const call = client.ServerReflectionInfo();
      call.on('data', (msg: any) => { resolve(msg.listServicesResponse.service.map((s: any) => s.name)); call.end(); });
      call.on('error', reject);
      call.write({ listServices: '' });
    });
    client.close();
    expect(names).toEqual(expect.arrayContaining([
      'opentelemetry.proto.collector.trace.v1.TraceService',
      'opentelemetry.proto.collector.logs.v1.LogsService',
      'opentelemetry.proto.collector.metrics.v1.MetricsService',
      'grpc.health.v1.Health',
    ]));
  });

  it('serves the file descriptors of an OTLP service (what grpcurl describe asks)', async () => {
    const def = protoLoader.loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [reflectionDir] });
    const pkg = grpc.loadPackageDefinition(def) as any;
    const client = new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
    const files: Buffer[] = await new Promise((resolve, reject) => {
      const call = client.ServerReflectionInfo();
      call.on('data', (msg: any) => { resolve(msg.fileDescriptorResponse?.fileDescriptorProto ?? []); call.end(); });
      call.on('error', reject);
      call.write({ fileContainingSymbol: 'opentelemetry.proto.collector.trace.v1.TraceService' });
    });
    client.close();
    expect(files.length).toBeGreaterThan(0);
    expect(Buffer.concat(files).toString('latin1')).toContain('ExportTraceServiceRequest');
  });

  it('answers SERVING to grpc.health.v1.Health/Check', async () => {
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoPath, { enums: String })) as any;
    const client = new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
    const res: any = await new Promise((resolve, reject) => client.Check({ service: '' }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))));
    client.close();
    expect(res.status).toBe('SERVING');
  });
});
