/**
 * @module ui/lib/span-summary: a one-line summary of what a span did, read from its semantic-
 * convention attributes (new names first, the older ones as fallback), and the icon kind for its
 * waterfall row. Pure; the text is untrusted telemetry, shown as a text node by the caller.
 */
import type { Attributes, Span } from '../api-types.js';

export type SpanIcon = 'db' | 'http' | 'messaging' | 'rpc' | 'server' | 'client' | 'producer' | 'consumer' | 'internal';

export interface SpanSummary {
  /** The summary text ('' when the attributes say nothing worth showing). */
  text: string;
  /** HTTP status code when there is one (the row colours 4xx/5xx). */
  statusCode?: number;
  icon: SpanIcon;
  /** db.system.name / messaging.system / rpc.system, when set. */
  system?: string;
}

/** Longest summary kept (the row ellipsises anyway; the title carries the full first line). */
export const SUMMARY_MAX = 200;

function str(a: Attributes | undefined, ...keys: string[]): string | undefined {
  if (!a) return undefined;
  for (const k of keys) {
    const v = a[k];
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return undefined;
}

/** The first non-blank line of a (possibly multi-line) query, whitespace collapsed, bounded. */
export function firstLine(text: string): string {
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
  const one = line.replace(/\s+/g, ' ');
  return one.length > SUMMARY_MAX ? `${one.slice(0, SUMMARY_MAX - 1)}…` : one;
}

function bounded(s: string): string {
  return s.length > SUMMARY_MAX ? `${s.slice(0, SUMMARY_MAX - 1)}…` : s;
}

/** url.full without its query string's values kept short: scheme://host/path?… as sent, bounded. */
function urlText(a: Attributes): string | undefined {
  const full = str(a, 'url.full', 'http.url');
  if (full) return full;
  const route = str(a, 'http.route');
  if (route) return route;
  const path = str(a, 'url.path', 'http.target');
  if (path) {
    const q = str(a, 'url.query');
    return q ? `${path}?${q}` : path;
  }
  return undefined;
}

/**
 * What the span did, by semantic conventions:
 * - database: the first line of `db.query.text` (old: `db.statement`), else `db.operation.name`
 *   (old `db.operation`) + `db.collection.name` (old `db.sql.table`);
 * - HTTP: `http.request.method` (old `http.method`) + `url.full` (old `http.url`) or `http.route`
 *   or `url.path` (old `http.target`), then `http.response.status_code` (old `http.status_code`);
 * - messaging: `messaging.operation.type`/`messaging.operation` + `messaging.destination.name`
 *   (old `messaging.destination`);
 * - RPC: `rpc.service`/`rpc.method`.
 */
export function spanSummary(span: Pick<Span, 'kind' | 'attributes'>): SpanSummary {
  const a = span.attributes ?? {};
  const kind = span.kind;
  const kindIcon: SpanIcon = kind === 'SERVER' ? 'server' : kind === 'CLIENT' ? 'client' : kind === 'PRODUCER' ? 'producer' : kind === 'CONSUMER' ? 'consumer' : 'internal';

  const dbSystem = str(a, 'db.system.name', 'db.system');
  const query = str(a, 'db.query.text', 'db.statement');
  if (dbSystem || query) {
    let text = query ? firstLine(query) : '';
    if (!text) {
      const op = str(a, 'db.operation.name', 'db.operation');
      const coll = str(a, 'db.collection.name', 'db.sql.table', 'db.mongodb.collection');
      text = [op, coll].filter(Boolean).join(' ');
    }
    return { text: bounded(text), icon: 'db', system: dbSystem };
  }

  const method = str(a, 'http.request.method', 'http.method');
  const url = urlText(a);
  const statusRaw = str(a, 'http.response.status_code', 'http.status_code');
  const status = statusRaw !== undefined && /^\d{3}$/.test(statusRaw) ? Number(statusRaw) : undefined;
  if (method || (url && (str(a, 'url.full', 'http.url', 'http.route', 'http.target') || kind === 'SERVER' || kind === 'CLIENT')) || status !== undefined) {
    const text = [method, url].filter(Boolean).join(' ') + (status !== undefined ? ` → ${status}` : '');
    return { text: bounded(text.trim()), statusCode: status, icon: 'http' };
  }

  const msgSystem = str(a, 'messaging.system');
  const dest = str(a, 'messaging.destination.name', 'messaging.destination');
  if (msgSystem || dest) {
    const op = str(a, 'messaging.operation.type', 'messaging.operation.name', 'messaging.operation');
    return { text: bounded([op, dest].filter(Boolean).join(' ')), icon: 'messaging', system: msgSystem };
  }

  const rpcSystem = str(a, 'rpc.system');
  const rpcMethod = str(a, 'rpc.method');
  if (rpcSystem || rpcMethod) {
    const svc = str(a, 'rpc.service');
    const text = svc && rpcMethod ? `${svc}/${rpcMethod}` : rpcMethod ?? svc ?? '';
    const code = str(a, 'rpc.grpc.status_code');
    return { text: bounded(text + (code !== undefined && rpcSystem === 'grpc' ? ` → ${code}` : '')), icon: 'rpc', system: rpcSystem };
  }
  return { text: '', icon: kindIcon };
}

/** A short glyph per icon kind (text, no images): shown in a small badge before the span name. */
export const ICON_GLYPH: Record<SpanIcon, string> = {
  db: 'DB', http: 'HTTP', messaging: 'MQ', rpc: 'RPC', server: '→', client: '←', producer: '↑', consumer: '↓', internal: '·',
};
