/**
 * @module bench/keepalive-tail: `npx tsx bench/keepalive-tail.ts [SECONDS] [CONNECTIONS]` (default 20, 200).
 * Issue 11's tail measurement: CONNECTIONS keep-alive OTLP/HTTP exporters each send 512-span exports back to
 * back for SECONDS at a default TinyOlly; prints the 12 slowest exports with when their socket connected,
 * when the body was written and when the answer came (seconds since start). A late answer on a socket that
 * connected and wrote at once is a connection the server had not accepted yet. Not a test.
 */
import http from 'node:http';
import { buildTemplates, newNonce, patch } from './payloads.js';
import { startServer } from './server.js';

const seconds = Number(process.argv[2] ?? 20);
const conc = Number(process.argv[3] ?? 200);
const server = await startServer({ env: {} });
const templates = buildTemplates('traces', 512, 16);
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
const t0 = performance.now();
const now = () => (performance.now() - t0) / 1000;
const recs: { w: number; start: number; connected?: number; written?: number; answered?: number; reused: boolean }[] = [];
let seq = 0;
const nonce = newNonce();
async function one(w: number): Promise<void> {
  const s = seq++;
  const body = patch(templates[s % templates.length], nonce, s, BigInt(Date.now()) * 1_000_000n);
  const rec: (typeof recs)[number] = { w, start: now(), reused: false };
  recs.push(rec);
  await new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.ports.http, method: 'POST', path: '/v1/traces', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
      res.resume(); res.on('end', () => { rec.answered = now(); resolve(); });
    });
    req.on('socket', (sock) => {
      if (!sock.connecting) { rec.reused = true; rec.connected = now(); } else sock.once('connect', () => { rec.connected = now(); });
    });
    req.on('finish', () => { rec.written = now(); });
    req.on('error', reject);
    req.end(body);
  });
}
const end = performance.now() + seconds * 1000;
await Promise.all(Array.from({ length: conc }, async (_, w) => { while (performance.now() < end) await one(w); }));
const worst = [...recs].sort((a, b) => (b.answered! - b.start) - (a.answered! - a.start)).slice(0, 12);
for (const r of worst) console.log(JSON.stringify({ w: r.w, start: r.start.toFixed(2), connected: r.connected?.toFixed(2), written: r.written?.toFixed(2), answered: r.answered?.toFixed(2), reused: r.reused }));
console.log('exports', recs.length);
agent.destroy();
await server.stop();
