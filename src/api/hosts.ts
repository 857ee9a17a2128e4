/**
 * @module api/hosts: the Host-header check that keeps DNS rebinding away from the UI and /api/*
 * (CONTRACT §6, TINYOLLY_ALLOWED_HOSTS), as dev servers do. A page on attacker.example whose name is
 * re-pointed at 127.0.0.1 reaches TinyOlly with `Host: attacker.example`, which is refused here.
 * Ingest (POST /v1/*) and /healthz do not use it: exporters send from anywhere.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The host name of a Host header, lowercased, without port or IPv6 brackets; undefined if malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return undefined;
    const rest = h.slice(end + 1);
    if (rest !== '' && !/^:\d+$/.test(rest)) return undefined;
    return h.slice(1, end);
  }
  const m = /^([^:]*)(?::\d*)?$/.exec(h);
  if (!m || m[1] === '') return undefined;
  return m[1].endsWith('.') ? m[1].slice(0, -1) : m[1];
}

/** Names a browser always resolves to this machine itself: localhost (and *.localhost), 127.0.0.0/8, ::1. */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * A predicate over Host headers: loopback names, the configured bind host, and the extra names
 * (host names, optionally with a port that must then match too). Comparison ignores case.
 */
export function hostAllowList(bindHost: string, extra: readonly string[] = []): (header: string | undefined) => boolean {
  const names = new Set<string>();
  const withPort = new Set<string>();
  for (const entry of [bindHost, ...extra]) {
    const e = entry.trim().toLowerCase();
    // A bare IPv6 literal (TINYOLLY_HOST=::1) has colons but no port.
    const bareIpv6 = !e.startsWith('[') && e.indexOf(':') !== e.lastIndexOf(':');
    const name = bareIpv6 ? e : hostName(e);
    if (name === undefined || name === '') continue;
    if (!bareIpv6 && /:\d+$/.test(e)) withPort.add(e);
    else names.add(name);
  }
  return (header) => {
    const name = hostName(header);
    if (name === undefined) return false;
    return isLoopbackName(name) || names.has(name) || withPort.has(header!.trim().toLowerCase());
  };
}

/**
 * The onRequest hook shared by /api/* and the UI page: 403 `{"error"}` for a Host that is not
 * allowed (every Host passes when `hostAllowed` is undefined).
 */
export function hostGuard(hostAllowed: ((host: string | undefined) => boolean) | undefined) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (hostAllowed && !hostAllowed(req.headers.host)) {
      return reply.code(403).send({ error: 'this host name is not allowed: open TinyOlly by localhost or 127.0.0.1, or add the name to TINYOLLY_ALLOWED_HOSTS' });
    }
  };
}
