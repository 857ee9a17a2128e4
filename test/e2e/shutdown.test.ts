/**
 * Graceful shutdown (CONTRACT §6): on SIGTERM/SIGINT TinyOlly stops accepting, finishes in-flight
 * exports, closes the store and exits 0 within 5 s; in Redis mode everything it acknowledged is
 * readable after a restart.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRequestProtobuf } from '../helpers/otlp-protobuf.js';
import { getJson, startTinyOlly } from '../helpers/start-tinyolly.js';
import { deletePrefixKeys, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis-prefix.js';

const PREFIX = uniquePrefix('shutdown');

afterAll(() => deletePrefixKeys(PREFIX));

function exitOf(proc: import('node:child_process').ChildProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, ms: Date.now() - t0 })));
}

describe('graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('exits 0 within 5 s on %s', async (signal) => {
    const app = await startTinyOlly();
    const exited = exitOf(app.proc);
    app.proc.kill(signal);
    const { code, ms } = await exited;
    expect(code, app.output().stderr).toBe(0);
    expect(ms).toBeLessThan(5000);
  });

  it('exits 0 within 5 s on SIGTERM while an upload trickles in, cutting the stalled upload off', async () => {
    const app = await startTinyOlly();
    const socket = net.connect(app.ports.http, '127.0.0.1');
    socket.on('error', () => { /* cut off by the shutdown: expected */ });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write('POST /v1/traces HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"resourceSpans":');
    const trickle = setInterval(() => { if (!socket.destroyed) socket.write(' '); }, 100);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const exited = exitOf(app.proc);
      app.proc.kill('SIGTERM');
      const { code, ms } = await exited;
      expect(code, app.output().stderr).toBe(0);
      expect(ms).toBeLessThan(5000);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  it('answers every request sent on a keep-alive connection around SIGTERM; later ones are refused before sending', async () => {
    const app = await startTinyOlly();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 24 });
    const outcomes: string[] = [];
    let answered = 0;
    const exited = exitOf(app.proc);
    const send = (port: number, i: number) => new Promise<string>((resolve) => {
      const body = JSON.stringify({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name: `ka-${i}`, startTimeUnixNano: 1, endTimeUnixNano: 2 });
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
        res.on('error', (err: NodeJS.ErrnoException) => resolve(`response ${err.code ?? err.message}`));
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end(body);
    });
    const worker = async (w: number) => {
      const port = w % 2 === 0 ? app.ports.http : app.ports.ui;
      for (let i = 0; ; i++) {
        const outcome = await send(port, i);
        outcomes.push(outcome);
        if (outcome === '200' && ++answered === 150) app.proc.kill('SIGTERM');
        if (outcome === 'ECONNREFUSED' || outcomes.length > 20_000) return;
      }
    };
    await Promise.all(Array.from({ length: 24 }, (_, w) => worker(w)));
    agent.destroy();
    const { code } = await exited;
    expect(code, app.output().stderr).toBe(0);
    const counts: Record<string, number> = {};
    for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
    // An answer (200, or 503 for one that arrived while closing) or a refusal before anything was sent;
    // never a request written and then left without an answer ("socket hang up", ECONNRESET).
    expect(Object.keys(counts).filter((o) => !['200', '503', 'ECONNREFUSED'].includes(o)), JSON.stringify(counts)).toEqual([]);
    expect(counts['200']).toBeGreaterThanOrEqual(150);
  });

  it('keeps every export acknowledged before SIGTERM readable after a restart (Redis mode)', async () => {
    const env = { REDIS_URL: SHARED_REDIS_URL, TINYOLLY_KEY_PREFIX: PREFIX };
    const first = await startTinyOlly(env);
    expect(first.storage).toBe('redis');
    const traceIds = Array.from({ length: 60 }, () => randomBytes(16).toString('hex'));
    let acked = 0;
    const exited = exitOf(first.proc);
    const results = await Promise.all(traceIds.map(async (traceId, i) => {
      const body = encodeRequestProtobuf('traces', {
        resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shutdown' } }] }, scopeSpans: [{ spans: Array.from({ length: 20 }, (_, j) => ({ traceId: Buffer.from(traceId, 'hex'), spanId: randomBytes(8), name: `s${i}-${j}`, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' })) }] }],
      });
      try {
        const res = await fetch(`${first.otlpHttpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(body) });
        await res.arrayBuffer();
        if (res.status === 200 && ++acked === 10) first.proc.kill('SIGTERM');
        return res.status;
      } catch {
        return 0; // refused: the listener had closed
      }
    }));
    const { code, ms } = await exited;
    expect(code, first.output().stderr).toBe(0);
    expect(ms).toBeLessThan(5000);
    expect(acked).toBeGreaterThanOrEqual(10);

    const second = await startTinyOlly(env);
    try {
      for (let i = 0; i < traceIds.length; i++) {
        if (results[i] !== 200) continue;
        const r = await getJson(second.baseUrl, `/api/traces/${traceIds[i]}`);
        expect(r.status, `acknowledged trace ${i}`).toBe(200);
        expect(r.body.spans).toHaveLength(20);
      }
    } finally {
      await second.stop();
    }
  });
});
