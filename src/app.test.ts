/**
 * start()/close() in process: close() waits for in-flight exports, acknowledges them, and does not
 * then sit on their keep-alive connections (a regression: fastify's close() used to wait for the
 * client's keep-alive timeout, 70 s, whenever an export was still running when the signal came).
 */
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { observerBudgets, start } from './app.js';
import { DEFAULT_CONFIG } from './config.js';
import { DEFAULT_MAX_BYTES as DOCTOR_MAX_BYTES } from './doctor/doctor.js';
import { doctorOf } from './doctor/registry.js';
import { DEFAULT_MAX_BYTES as CATALOG_MAX_BYTES } from './live/attributes.js';
import { liveOf } from './live/registry.js';
import { DEFAULT_MAX_BYTES as INSPECTOR_MAX_BYTES } from './inspect/inspector.js';
import { MemoryStore } from './store/memory/memory-store.js';
import { fakeStore } from '../test/helpers/fake-store.js';

const SPAN = JSON.stringify({
  resourceSpans: [{ scopeSpans: [{ spans: [{
    traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'in-flight',
    startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000',
  }] }] }],
});

describe('start().close()', () => {
  it.each(['http', 'ui'] as const)('finishes an export in flight on the %s port and ends its connection promptly', async (port) => {
    const store = fakeStore();
    let release!: () => void;
    store.hold = new Promise((r) => { release = r; });
    const app = await start({ ...DEFAULT_CONFIG, host: '127.0.0.1', grpcPort: 0, httpPort: 0, uiPort: 0 }, { store });
    const answer = fetch(`http://127.0.0.1:${app.ports[port]}/v1/traces`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: SPAN,
    }).then(async (res) => ({ status: res.status, connection: res.headers.get('connection'), body: await res.text() }));
    while (store.writes === 0) await new Promise((r) => setTimeout(r, 5));

    const t0 = Date.now();
    const closed = app.close().then(() => Date.now() - t0);
    setTimeout(release, 200);
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.connection).toBe('close');
    expect(await closed).toBeLessThan(2000);
    expect(await store.getTrace('0af7651916cd43dd8448eb211c80319c')).toHaveLength(1);
  });
});

/**
 * Writes a whole request (head and body) before reading anything, as Go's net/http and the Java SDK
 * do, then reads the status line. Resolves the status, or the socket error the client saw instead.
 */
function writeWholeThenRead(port: number, head: string, body: Buffer): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.pause();
    let text = '';
    let settled = false;
    const done = (r: { status?: number; error?: string }) => { if (!settled) { settled = true; socket.destroy(); resolve(r); } };
    socket.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
    socket.on('data', (d) => {
      text += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) done({ status: Number(m[1]) });
    });
    socket.on('end', () => done({ error: 'closed without an answer' }));
    socket.write(head);
    socket.write(body, (err) => { if (err) done({ error: (err as NodeJS.ErrnoException).code ?? err.message }); else socket.resume(); });
  });
}

describe('a body over the limit', () => {
  it.each(['http', 'ui'] as const)('reaches a client that writes the whole body first as a 413 on the %s port, every time', async (port) => {
    const app = await start({ ...DEFAULT_CONFIG, host: '127.0.0.1', grpcPort: 0, httpPort: 0, uiPort: 0, maxRequestMb: 1 });
    try {
      const body = Buffer.alloc(6 * 1024 * 1024, 0x41);
      const results = [];
      for (let i = 0; i < 4; i++) {
        results.push(await writeWholeThenRead(app.ports[port], `POST /v1/traces HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-protobuf\r\ncontent-length: ${body.length}\r\n\r\n`, body));
        // Without Content-Length: the limit is hit while the chunked body is being read.
        const chunked = Buffer.concat([Buffer.from(body.length.toString(16) + '\r\n'), body, Buffer.from('\r\n0\r\n\r\n')]);
        results.push(await writeWholeThenRead(app.ports[port], 'POST /v1/logs HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n', chunked));
      }
      expect(results).toEqual(Array(8).fill({ status: 413 }));
      // The connection after a drained 413 is still usable, and the server still serves.
      const ok = await fetch(`http://127.0.0.1:${app.ports[port]}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SPAN });
      expect(ok.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('stops reading a body past the discard bound and closes the connection', async () => {
    const { discardRest } = await import('./receivers/http.js');
    const server = http.createServer((req, res) => {
      void discardRest(req, 1024 * 1024, 10_000).then((clean) => { if (clean) res.end('drained'); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const small = await writeWholeThenRead(port, 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n', Buffer.alloc(1000));
      expect(small).toEqual({ status: 200 });
      const huge = await writeWholeThenRead(port, 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100000000\r\n\r\n', Buffer.alloc(8 * 1024 * 1024));
      expect(huge.status).toBeUndefined();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('the ingest observers\' byte budgets', () => {
  const MIB = 1024 * 1024;

  it('are their defaults at the default memory cap and above, and in Redis mode', () => {
    for (const cap of [256 * MIB, 4096 * MIB, undefined]) {
      expect(observerBudgets(cap)).toEqual({ doctor: DOCTOR_MAX_BYTES, catalog: CATALOG_MAX_BYTES, inspector: INSPECTOR_MAX_BYTES });
    }
  });

  it('shrink with a smaller cap, to 1 MiB at least', () => {
    expect(observerBudgets(32 * MIB)).toEqual({ doctor: DOCTOR_MAX_BYTES / 8, catalog: CATALOG_MAX_BYTES / 8, inspector: MIB });
    expect(observerBudgets(1 * MIB)).toEqual({ doctor: MIB, catalog: MIB, inspector: MIB });
  });

  it('are the ones start() gives the doctor and the attribute catalog at TINYOLLY_MAX_MEMORY_MB=32', async () => {
    const store = new MemoryStore({ ttlSeconds: 60, maxSeriesPerMetric: 10, maxBytes: 32 * MIB });
    const app = await start({ ...DEFAULT_CONFIG, maxMemoryMb: 32, host: '127.0.0.1', grpcPort: 0, httpPort: 0, uiPort: 0 }, { store });
    try {
      expect(doctorOf(store).maxBytes).toBe(8 * MIB);
      expect(liveOf(store).attributes.maxBytes).toBe(2 * MIB);
    } finally {
      await app.close();
    }
  });
});
