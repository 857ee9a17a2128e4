/**
 * @module compare/statement: what makes two repeated spans "the same call" for N+1 detection: the
 * database statement, else the URL template (or the URL with its ids templated). Pure; no store.
 */
import type { Span } from '../model/model.js';

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Replaces the id-like path segments of a URL (numbers, UUIDs, long hex) with `{id}`, dropping the query. */
export function templateUrl(url: string): string {
  const noQuery = url.split(/[?#]/, 1)[0];
  return noQuery.split('/').map((seg) =>
    /^\d+$/.test(seg) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(seg) || /^[0-9a-f]{12,}$/i.test(seg)
      ? '{id}' : seg).join('/');
}

/**
 * The statement or URL template of a span (`db.query.text`, `db.statement`, `url.template`,
 * `http.route`, else `url.full`/`http.url` templated), or undefined when it has none.
 */
export function statementOf(span: Span): string | undefined {
  const a = span.attributes;
  const db = text(a['db.query.text']) ?? text(a['db.statement']);
  if (db !== undefined) return db.slice(0, 2000);
  const tpl = text(a['url.template']) ?? text(a['http.route']);
  if (tpl !== undefined) return tpl.slice(0, 2000);
  const full = text(a['url.full']) ?? text(a['http.url']);
  return full === undefined ? undefined : templateUrl(full).slice(0, 2000);
}
