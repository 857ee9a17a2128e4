/**
 * @module api/ui-static: serves the bundled web UI (ui/dist) at `/` with the security headers of
 * CONTRACT §6. Files are read once at start-up; a placeholder page stands in when the UI is not built.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { UiAuth } from './auth.js';
import { hostGuard } from './hosts.js';

/** Where the UI bundle is written by scripts/build-ui.mjs. */
export const UI_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ui/dist');

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.map': 'application/json',
  '.woff2': 'font/woff2',
};

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TinyOlly</title></head>
<body><h1>TinyOlly</h1><p>The web UI is not built. Run <code>npm start</code>, or use the API under <a href="/api/stats">/api/</a>.</p></body></html>`;

function loadFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string, prefix: string) => {
    let names: string[];
    try { names = readdirSync(d); } catch { return; }
    for (const name of names) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full, prefix + name + '/');
      else files.set('/' + prefix + name, readFileSync(full));
    }
  };
  walk(dir, '');
  return files;
}

/** Sets the headers every UI response carries. */
export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer');
}

/** Registers GET / and the bundle's assets (behind the Host check, when `hostAllowed` is given). */
export async function uiStatic(app: FastifyInstance, opts: { dir?: string; auth?: UiAuth; hostAllowed?: (host: string | undefined) => boolean }): Promise<void> {
  app.addHook('onRequest', hostGuard(opts.hostAllowed));
  const files = loadFiles(opts.dir ?? UI_DIST);
  const index = files.get('/index.html') ?? Buffer.from(PLACEHOLDER);
  app.get('/', async (req, reply) => {
    securityHeaders(reply).header('cache-control', 'no-cache');
    if (opts.auth?.handleIndex(req, reply)) return reply;
    return reply.type(TYPES['.html']).send(index);
  });
  for (const [name, body] of files) {
    if (name === '/index.html') continue;
    const type = TYPES[path.extname(name)] ?? 'application/octet-stream';
    app.get(name, async (_req, reply) => securityHeaders(reply).header('cache-control', 'no-cache').type(type).send(body));
  }
}
