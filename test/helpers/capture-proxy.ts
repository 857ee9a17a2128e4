/**
 * @module test/helpers/capture-proxy: an HTTP pass-through that keeps every request body it forwards,
 * so a test can compare what an exporter really sent with what TinyOlly gives back.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  path: string;
  contentType: string;
  body: Buffer;
}

export interface CaptureProxy {
  /** `http://127.0.0.1:<port>`: send here instead of to the target. */
  url: string;
  captured: CapturedRequest[];
  close(): Promise<void>;
}

/** Forwards each request to `target` (same path, method, content type) and answers with its answer. */
export async function startCaptureProxy(target: string): Promise<CaptureProxy> {
  const captured: CapturedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = String(req.headers['content-type'] ?? '');
      captured.push({ path: req.url ?? '', contentType, body });
      fetch(target + (req.url ?? ''), { method: req.method, headers: { 'content-type': contentType }, body: body as unknown as BodyInit })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => { res.writeHead(502); res.end(); });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    captured,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
