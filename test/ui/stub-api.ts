/**
 * @module test/ui/stub-api: a stand-in for TinyOlly's query API in browser tests: serves the built
 * UI (ui/dist) and canned JSON per API path, so the UI can be tested against answer shapes the
 * running server does not produce yet (or not at will: 20 services, typed map nodes, operations).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { CSP } from '../../src/api/ui-static.js';
import { ROOT } from '../helpers/start-tinyolly.js';

export type StubRoute = unknown | ((url: URL, req: IncomingMessage) => unknown);
export interface StubApi { baseUrl: string; requests: string[]; close(): Promise<void> }

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/** Starts the stub on 127.0.0.1:0. `routes` maps an API path (no query) to its JSON (or a function of the URL); unknown API paths are 404. */
export async function startStubApi(routes: Record<string, StubRoute>): Promise<StubApi> {
  const dist = path.join(ROOT, 'ui', 'dist');
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    // The UI opens the live stream (GET /api/live) on every page: the stub keeps one open, quietly,
    // unless a test routes it (it is not recorded among the requests).
    if (url.pathname === '/api/live' && routes[url.pathname] === undefined) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': stub\n\n');
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      requests.push(url.pathname + url.search);
      const r = routes[url.pathname];
      if (r === undefined) { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"error":"not found"}'); return; }
      const body = typeof r === 'function' ? (r as (u: URL, q: IncomingMessage) => unknown)(url, req) : r;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return;
    }
    const file = url.pathname === '/' ? 'index.html' : path.basename(url.pathname);
    try {
      const data = readFileSync(path.join(dist, file));
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP });
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
