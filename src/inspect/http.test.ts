/**
 * inspect/http over real sockets: a request's note must not outlive its response. Keep-alive
 * connections keep their last request object alive (Node's parser, and receivers/http-close.ts), so
 * a note left behind pinned that request's whole body: 127 MiB after the hostile shapes (issue 11).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Ingester } from '../ingest/ingester.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../normalise/options.js';
import { gracefulHttp } from '../receivers/http-close.js';
import { httpReceiver } from '../receivers/http.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import { Inspector } from './inspector.js';

const MIB = 1024 * 1024;
let app: FastifyInstance | undefined;
let store: MemoryStore | undefined;

afterEach(async () => {
  await app?.close();
  await store?.close();
  app = store = undefined;
});

describe('recordHttp', () => {
  it('keeps no request body once the request is recorded, on connections kept open', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    store = new MemoryStore({ ttlSeconds: 600, maxSeriesPerMetric: 1000, maxBytes: 64 * MIB });
    const inspector = new Inspector(1000);
    app = Fastify({ bodyLimit: 16 * MIB });
    gracefulHttp(app);
    await app.register(httpReceiver, { ingester: new Ingester(store, { maxInFlight: 64 }), limits: DEFAULT_NORMALISE_OPTIONS, maxBodyBytes: 16 * MIB, inspector });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/traces`;
    const post = async (i: number) => {
      // Not protobuf: answered 400, so nothing of it is stored, and the inspector sniffs the body.
      const res = await fetch(url, { method: 'POST', body: new Uint8Array(4 * MIB).fill(0xff - (i % 2)), headers: { 'content-type': 'application/x-protobuf' } });
      await res.arrayBuffer();
      return res.status;
    };
    await post(0);
    gc();
    const before = process.memoryUsage().arrayBuffers;
    // 16 at once: 16 keep-alive connections, each keeping its last request.
    const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => post(i)));
    expect(statuses).toEqual(Array(16).fill(400));
    expect(inspector.size).toBe(17);
    for (let i = 0; i < 3; i++) { await new Promise((r) => setTimeout(r, 20)); gc(); }
    // 16 × 4 MiB were held before the fix; a few MiB of socket buffers may remain.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(12 * MIB);
  });
});
