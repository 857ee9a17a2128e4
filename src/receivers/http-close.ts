/**
 * @module receivers/http-close: graceful close of one fastify HTTP server (CONTRACT §6: on SIGTERM
 * stop accepting, finish in-flight exports, exit 0 within 5 s). Used for 4318 and 5002 by app.ts.
 *
 * Node's server.close() destroys idle keep-alive connections at once, and a client that wrote its
 * next request onto such a connection in that instant gets "socket hang up" after sending. So here:
 * the listener stops accepting (new connections are refused before anything is sent), requests still
 * arriving on open connections are served and answered with `Connection: close`, a connection is
 * closed only after it has been idle for a quiet spell, and an upload still trickling in after a grace
 * period is cut off so that a stalled client cannot hold the shutdown past its deadline.
 */
import type { IncomingMessage, Server } from 'node:http';
import net, { type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface CloseTimings {
  /** An idle connection is closed once it has been idle this long since close began or its last answer. */
  idleMs: number;
  /** A request whose body is still arriving this long after close began is cut off. */
  stalledUploadMs: number;
  /** Everything still open this long after close began is destroyed. */
  deadlineMs: number;
}

// idleMs is long enough for a client on a loaded machine to send what it meant to (measured: 600 ms gaps at
// load 24 on 2 cores) and short enough to leave the store time to close within the 5 s of CONTRACT §6.
export const DEFAULT_CLOSE_TIMINGS: CloseTimings = { idleMs: 1500, stalledUploadMs: 1500, deadlineMs: 3000 };

interface Connection {
  /** Requests on it whose answer has not finished. */
  active: number;
  /** The request being read or answered last. */
  request?: IncomingMessage;
  idleSinceMs: number;
}

export interface GracefulHttp {
  /** Stops accepting, drains as described in the module comment, then closes the fastify instance. */
  close(timings?: CloseTimings): Promise<void>;
}

/** Tracks the connections of `app`'s server; call before app.listen(). */
export function gracefulHttp(app: FastifyInstance): GracefulHttp {
  const connections = new Map<Socket, Connection>();
  let closing = false;
  // Once closing, every answer ends its connection, so a keep-alive client reconnects (and is refused).
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  const server: Server = app.server;
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { active: 0, idleSinceMs: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res) => {
    const c = connections.get(req.socket);
    if (!c) return;
    c.active++;
    c.request = req;
    // Forget the request once answered: a kept-alive connection must not keep its last body reachable.
    res.once('close', () => { c.active--; c.idleSinceMs = Date.now(); if (c.request === req) c.request = undefined; });
  });

  let closed: Promise<void> | undefined;
  const drain = async (t: CloseTimings) => {
    closing = true;
    const startMs = Date.now();
    // net.Server's close, not http.Server's: stop listening without reaping idle keep-alive connections.
    if (server.listening) net.Server.prototype.close.call(server);
    while (connections.size > 0) {
      const nowMs = Date.now();
      const elapsedMs = nowMs - startMs;
      for (const [socket, c] of connections) {
        const idle = c.active === 0 && nowMs - Math.max(c.idleSinceMs, startMs) >= t.idleMs;
        const stalled = c.active > 0 && elapsedMs >= t.stalledUploadMs && c.request !== undefined && !c.request.complete;
        if (idle || stalled || elapsedMs >= t.deadlineMs) socket.destroy();
      }
      if (connections.size === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    close(timings = DEFAULT_CLOSE_TIMINGS) {
      closed ??= drain(timings).then(() => app.close());
      return closed;
    },
  };
}
