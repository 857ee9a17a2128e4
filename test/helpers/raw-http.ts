/**
 * @module test/helpers/raw-http: one HTTP/1.1 request with the path and headers exactly as given
 * (node:http sends the path verbatim: no dot-segment or percent normalisation, unlike fetch).
 */
import http from 'node:http';

export interface RawAnswer { status: number; headers: http.IncomingHttpHeaders; body: string }

/** Sends one request on a fresh connection and reads the whole answer. */
export function rawRequest(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
