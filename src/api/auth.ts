/**
 * @module api/auth: the optional UI/API token of CONTRACT §6 (TINYOLLY_UI_TOKEN). The browser opens
 * `/?t=TOKEN` once and gets an HttpOnly, SameSite=Strict cookie; `/api/*` then needs that cookie or
 * `Authorization: Bearer TOKEN`. `/healthz` and the OTLP ingest routes are not governed by it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const COOKIE_NAME = 'tinyolly_session';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function sameSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const LOGIN_PAGE = (message: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>TinyOlly: sign in</title></head>
<body><main><h1>TinyOlly</h1><p>${message}</p>
<form method="get" action="/"><label>Token <input name="t" type="password" autocomplete="current-password" autofocus></label>
<button type="submit">Open</button></form></main></body></html>`;

export interface UiAuth {
  /** Whether a request carries the session cookie or the bearer token. */
  authorised(req: FastifyRequest): boolean;
  /**
   * Handles `GET /` when a token is set: answers the login page, the 401, or the cookie and redirect.
   * Returns true when it answered; false when the request is authorised and the UI should be served.
   */
  handleIndex(req: FastifyRequest, reply: FastifyReply): boolean;
}

/** The token checks for one token; the session cookie holds a hash of the token, never the token. */
export function uiAuth(token: string): UiAuth {
  const expected = digest(token);
  const session = digest('tinyolly-session:' + token).toString('hex');
  const expectedSession = digest(session);
  const authorised = (req: FastifyRequest) => {
    const cookie = readCookie(req.headers.cookie, COOKIE_NAME);
    if (cookie !== undefined && sameSecret(cookie, expectedSession)) return true;
    const auth = req.headers.authorization;
    return typeof auth === 'string' && /^Bearer /i.test(auth) && sameSecret(auth.slice(7).trim(), expected);
  };
  return {
    authorised,
    handleIndex(req, reply) {
      const t = (req.query as Record<string, unknown> | undefined)?.t;
      if (typeof t === 'string') {
        if (!sameSecret(t, expected)) {
          reply.code(401).type('text/html; charset=utf-8').send(LOGIN_PAGE('That token is not right. Try again.'));
          return true;
        }
        reply.header('set-cookie', `${COOKIE_NAME}=${session}; HttpOnly; SameSite=Strict; Path=/`).redirect('/', 303);
        return true;
      }
      if (authorised(req)) return false;
      reply.code(200).type('text/html; charset=utf-8').send(LOGIN_PAGE('This TinyOlly needs its access token (TINYOLLY_UI_TOKEN).'));
      return true;
    },
  };
}
