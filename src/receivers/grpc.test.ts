/**
 * OTLP/gRPC receiver through a real grpc-js client on port 0: Export with and without gzip,
 * partial_success, status codes of CONTRACT §2.1, server reflection (v1, v1alpha) and health.
 */
import * as crypto from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { decodeStatusDetails, rawGrpcCall } from '../../test/helpers/raw-grpc.js';
import { waitFor } from '../../test/helpers/start-tinyolly.js';
import { Ingester } from '../ingest/ingester.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../normalise/options.js';
import { decodeExportResponseProtobuf, encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import { fakeStore, UNAVAILABLE, type FakeStore } from '../../test/helpers/fake-store.js';
import { bindGrpcServer, createGrpcServer, shutdownGrpcServer } from './grpc.js';

// A pass-through spy, to see that the API key is compared in constant time.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const MAX = 256 * 1024;
const TRACE_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
let store: FakeStore;
let server: grpc.Server;
let address: string;

beforeAll(async () => {
  store = fakeStore();
  server = createGrpcServer({ ingester: new Ingester(store, { maxInFlight: 64 }), limits: DEFAULT_NORMALISE_OPTIONS, maxMessageBytes: MAX });
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

describe('API key (CONTRACT §6)', () => {
  it('compares x-otlp-api-key in constant time: UNAUTHENTICATED for a wrong, longer, shorter or missing key', async () => {
    const keyed = createGrpcServer({ ingester: new Ingester(store, { maxInFlight: 64 }), limits: DEFAULT_NORMALISE_OPTIONS, maxMessageBytes: MAX, apiKey: 'k3y' });
    const at = `127.0.0.1:${await bindGrpcServer(keyed, '127.0.0.1', 0)}`;
    const send = (key: string | undefined, traceByte: number) => new Promise<void>((resolve, reject) => {
      const client = new grpc.Client(at, grpc.credentials.createInsecure());
      const md = new grpc.Metadata();
      if (key !== undefined) md.set('x-otlp-api-key', key);
      client.makeUnaryRequest(TRACE_PATH, (b: Buffer) => b, (b: Buffer) => b, spans(traceByte, 1), md, (err) => {
        client.close();
        if (err) reject(err); else resolve();
      });
    });
    try {
      const spy = vi.mocked(crypto.timingSafeEqual);
      spy.mockClear();
      for (const key of ['k3x', 'k3y!', 'k', 'K3Y', undefined]) {
        await expect(send(key, 0x41), String(key)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      }
      expect(spy.mock.calls.length).toBeGreaterThanOrEqual(4);
      expect(await store.getTrace('41'.repeat(16))).toBeFalsy();
      await send('k3y', 0x42);
      expect(await store.getTrace('42'.repeat(16))).toHaveLength(1);
    } finally {
      await shutdownGrpcServer(keyed, 1000);
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

/** The RetryInfo delays (seconds) in an error's grpc-status-details-bin trailer, and the Status around them; undefined without the trailer. */
function retryInfoOf(err: grpc.ServiceError): { code: number; message: string; delays: number[] } | undefined {
  const [bin] = err.metadata?.get('grpc-status-details-bin') ?? [];
  return bin === undefined ? undefined : decodeStatusDetails(bin as Buffer);
}

function exportTo(addr: string, body: Buffer, options: grpc.ChannelOptions = {}): Promise<Buffer> {
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), options);
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(TRACE_PATH, (b: Buffer) => b, (b: Buffer) => b, body, (err, res) => {
      client.close();
      if (err) reject(err); else resolve(res!);
    });
  });
}

describe('retryable refusals carry google.rpc.RetryInfo (CONTRACT §2.1)', () => {
  let busyStore: FakeStore;
  let busy: grpc.Server;
  let busyAddress: string;
  beforeAll(async () => {
    busyStore = fakeStore();
    busy = createGrpcServer({ ingester: new Ingester(busyStore, { maxInFlight: 1 }), limits: DEFAULT_NORMALISE_OPTIONS, maxMessageBytes: MAX });
    busyAddress = `127.0.0.1:${await bindGrpcServer(busy, '127.0.0.1', 0)}`;
  });
  afterAll(async () => { await shutdownGrpcServer(busy, 1000); await busyStore.close(); });

  it('overloaded: RESOURCE_EXHAUSTED with RetryInfo (retry_delay >= 1 s) in a Status matching the call; nothing of the refused export is stored', async () => {
    let release!: () => void;
    busyStore.hold = new Promise<void>((r) => { release = r; });
    const first = exportTo(busyAddress, spans(0x21, 1));
    await waitFor(() => busyStore.writes >= 1);
    const refused = await exportTo(busyAddress, spans(0x22, 2)).then(() => undefined, (e: grpc.ServiceError) => e);
    release();
    busyStore.hold = undefined;
    await first;
    expect(refused?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const info = retryInfoOf(refused!);
    expect(info).toBeDefined();
    expect(info!.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(info!.message).toBe(refused!.details);
    expect(info!.delays).toHaveLength(1);
    expect(info!.delays[0]).toBeGreaterThanOrEqual(1);
    expect(await busyStore.getTrace('21'.repeat(16))).toHaveLength(1);
    expect(await busyStore.getTrace('22'.repeat(16))).toBeUndefined();
    // Retrying after the delay succeeds.
    await exportTo(busyAddress, spans(0x22, 2));
    expect(await busyStore.getTrace('22'.repeat(16))).toHaveLength(2);
  });

  it('a message over the size limit: RESOURCE_EXHAUSTED without RetryInfo (retrying cannot help), plain and gzip', async () => {
    const big = spans(0x23, 1, [{ traceId: Buffer.alloc(16, 0x23), spanId: Buffer.alloc(8, 5), name: 'x'.repeat(MAX) }]);
    for (const options of [{}, { 'grpc.default_compression_algorithm': 2 }]) {
      const err = await exportTo(busyAddress, big, options).then(() => undefined, (e: grpc.ServiceError) => e);
      expect(err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(retryInfoOf(err!)?.delays ?? []).toEqual([]);
    }
    expect(await busyStore.getTrace('23'.repeat(16))).toBeUndefined();
  });

  it('store unavailable: UNAVAILABLE, also with RetryInfo; a malformed message: INVALID_ARGUMENT without', async () => {
    busyStore.failWith = UNAVAILABLE();
    try {
      const err = await exportTo(busyAddress, spans(0x24, 1)).then(() => undefined, (e: grpc.ServiceError) => e);
      expect(err?.code).toBe(grpc.status.UNAVAILABLE);
      expect(retryInfoOf(err!)?.delays[0]).toBeGreaterThanOrEqual(1);
    } finally {
      busyStore.failWith = undefined;
    }
    const bad = await exportTo(busyAddress, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])).then(() => undefined, (e: grpc.ServiceError) => e);
    expect(bad?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(retryInfoOf(bad!)).toBeUndefined();
  });
});

describe('health follows the store (CONTRACT §6)', () => {
  const HEALTH_NAMES = ['', 'opentelemetry.proto.collector.trace.v1.TraceService', 'opentelemetry.proto.collector.logs.v1.LogsService', 'opentelemetry.proto.collector.metrics.v1.MetricsService'];
  let flaky: FakeStore;
  let tracked: grpc.Server;
  let healthClient: any;
  beforeAll(async () => {
    flaky = fakeStore();
    tracked = createGrpcServer({
      ingester: new Ingester(flaky, { maxInFlight: 64 }), limits: DEFAULT_NORMALISE_OPTIONS, maxMessageBytes: MAX,
      storeReady: () => flaky.ping(), healthPollMs: 50,
    });
    const port = await bindGrpcServer(tracked, '127.0.0.1', 0);
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoPath, { enums: String })) as any;
    healthClient = new pkg.grpc.health.v1.Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => { healthClient.close(); await shutdownGrpcServer(tracked, 1000); await flaky.close(); });

  const check = (service: string): Promise<string> => new Promise((resolve, reject) =>
    healthClient.Check({ service }, (e: Error | null, r: { status: string }) => (e ? reject(e) : resolve(r.status))));
  const allAre = async (status: string) => (await Promise.all(HEALTH_NAMES.map(check))).every((s) => s === status);

  it('Check and Watch say NOT_SERVING while the store is down and SERVING once it answers again, for "" and the three OTLP services', async () => {
    await waitFor(() => allAre('SERVING'));
    const seen: string[] = [];
    const watch = healthClient.Watch({ service: '' });
    watch.on('data', (r: { status: string }) => seen.push(r.status));
    watch.on('error', () => { /* cancelled at the end */ });
    await waitFor(() => seen.at(-1) === 'SERVING');

    flaky.failWith = UNAVAILABLE();
    await waitFor(() => allAre('NOT_SERVING'));
    await waitFor(() => seen.at(-1) === 'NOT_SERVING');

    flaky.failWith = undefined;
    await waitFor(() => allAre('SERVING'));
    await waitFor(() => seen.at(-1) === 'SERVING');
    watch.cancel();
    // Watch hears of changes only, not of every poll.
    expect(seen).toEqual(['SERVING', 'NOT_SERVING', 'SERVING']);
  });
});

describe('message compression as the gRPC spec has it (raw HTTP/2 frames)', () => {
  const rawCall = (headers: Record<string, string>, flag: number, payload: Buffer) => rawGrpcCall(address, TRACE_PATH, headers, flag, payload);

  it('a compressed flag on bytes that are not gzip: INVALID_ARGUMENT, nothing stored', async () => {
    const r = await rawCall({ 'grpc-encoding': 'gzip' }, 1, spans(0x31, 1));
    expect(r.status).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await store.getTrace('31'.repeat(16))).toBeUndefined();
  });

  it.each(['GZIP', 'Gzip', 'gzip'])('grpc-encoding: %s is gzip (content codings ignore case)', async (encoding) => {
    const id = { GZIP: 0x32, Gzip: 0x33, gzip: 0x34 }[encoding]!;
    const r = await rawCall({ 'grpc-encoding': encoding }, 1, zlib.gzipSync(spans(id, 2)));
    expect(r.status).toBe(grpc.status.OK);
    expect(await store.getTrace(id.toString(16).repeat(16))).toHaveLength(2);
  });

  it('deflate is accepted too', async () => {
    const r = await rawCall({ 'grpc-encoding': 'deflate' }, 1, zlib.deflateSync(spans(0x35, 1)));
    expect(r.status).toBe(grpc.status.OK);
    expect(await store.getTrace('35'.repeat(16))).toHaveLength(1);
  });

  it.each([[{}, 'no grpc-encoding'], [{ 'grpc-encoding': 'identity' }, 'grpc-encoding identity']] as [Record<string, string>, string][])(
    'a compressed flag with %j is ill-constructed: INTERNAL naming the Compressed-Flag, not taken as plain (%s)', async (headers) => {
      const plain = await rawCall(headers, 1, spans(0x36, 1));
      expect(plain.status).toBe(grpc.status.INTERNAL);
      expect(plain.message).toMatch(/Compressed-Flag/);
      const gz = await rawCall(headers, 1, zlib.gzipSync(spans(0x36, 1)));
      expect(gz.status).toBe(grpc.status.INTERNAL);
      expect(await store.getTrace('36'.repeat(16))).toBeUndefined();
    });

  it('an unsupported encoding: UNIMPLEMENTED naming the supported ones, which grpc-accept-encoding lists without it', async () => {
    const r = await rawCall({ 'grpc-encoding': 'snappy' }, 1, spans(0x37, 1));
    expect(r.status).toBe(grpc.status.UNIMPLEMENTED);
    expect(r.message).toMatch(/snappy.*gzip/);
    expect(r.accept ?? '').not.toContain('snappy');
  });

  it('flag 0 is plain whatever grpc-encoding says; a flag other than 0 or 1 is INTERNAL', async () => {
    expect((await rawCall({ 'grpc-encoding': 'gzip' }, 0, spans(0x38, 1))).status).toBe(grpc.status.OK);
    expect(await store.getTrace('38'.repeat(16))).toHaveLength(1);
    expect((await rawCall({ 'grpc-encoding': 'gzip' }, 2, zlib.gzipSync(spans(0x39, 1)))).status).toBe(grpc.status.INTERNAL);
  });

  it('gzip that inflates past the limit: RESOURCE_EXHAUSTED, and the server keeps serving', async () => {
    const r = await rawCall({ 'grpc-encoding': 'gzip' }, 1, zlib.gzipSync(Buffer.alloc(MAX + 1)));
    expect(r.status).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect((await rawCall({}, 0, spans(0x3a, 1))).status).toBe(grpc.status.OK);
  });
});
