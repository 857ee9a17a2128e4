/**
 * @module api/auth: the optional UI/API token of CONTRACT §6 (TINYOLLY_UI_TOKEN). The browser opens
 * `/?t=TOKEN` once and gets an HttpOnly, SameSite=Strict cookie; `/api/*` then needs that cookie or
 * `Authorization: Bearer TOKEN`. `/healthz` and the OTLP ingest routes are not governed by it.
 * Cookies are parsed by @fastify/cookie (registered on the UI server in app.ts): a value that cannot
 * be decoded stays as sent and so simply does not match, as no cookie would.
 */
import { createHash } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { secretMatcher } from '../secret.js';

export const COOKIE_NAME = 'tinyolly_session';

const LOGIN_PAGE = (message: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>TinyOlly: sign in</title></head>
<body><main><h1>TinyOlly</h1><p>${message}</p>
<form method="get" action="/"><label>Token <input name="t" type="password" autocomplete="current-password" autofocus></label>
<button type="submit">Open</button></form></main></body></html>`;

export const UNAUTHORISED = { error: 'missing or wrong token: open /?t=TOKEN or send Authorization: Bearer TOKEN' };

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
  const isToken = secretMatcher(token);
  const session = createHash('sha256').update('tinyolly-session:' + token).digest('hex');
  const isSession = secretMatcher(session);
  const authorised = (req: FastifyRequest) => {
    if (isSession(req.cookies?.[COOKIE_NAME])) return true;
    const auth = req.headers.authorization;
    return typeof auth === 'string' && /^Bearer /i.test(auth) && isToken(auth.slice(7).trim());
  };
  return {
    authorised,
    handleIndex(req, reply) {
      const t = (req.query as Record<string, unknown> | undefined)?.t;
      if (typeof t === 'string') {
        if (!isToken(t)) {
          reply.code(401).type('text/html; charset=utf-8').send(LOGIN_PAGE('That token is not right. Try again.'));
          return true;
        }
        reply.setCookie(COOKIE_NAME, session, { httpOnly: true, sameSite: 'strict', path: '/' }).redirect('/', 303);
        return true;
      }
      if (authorised(req)) return false;
      reply.code(200).type('text/html; charset=utf-8').send(LOGIN_PAGE('This TinyOlly needs its access token (TINYOLLY_UI_TOKEN).'));
      return true;
    },
  };
}
