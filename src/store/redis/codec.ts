/**
 * @module store/redis/codec: how stored values are encoded: `<receivedMs>|<JSON>`.
 * The receipt time lets reads drop items past their TTL even when their key lives on
 * (a key expires TTL after its last write; items expire TTL after their own write).
 */

/** Encodes a value with its receipt time (ms since epoch). */
export function encodeValue(value: unknown, receivedMs: number): string {
  return receivedMs + '|' + JSON.stringify(value);
}

/** Decodes a stored value; undefined if it is malformed (never throws). */
export function decodeValue<T>(raw: string | null | undefined): { receivedMs: number; value: T } | undefined {
  if (typeof raw !== 'string') return undefined;
  const bar = raw.indexOf('|');
  if (bar <= 0) return undefined;
  const receivedMs = Number(raw.slice(0, bar));
  if (!Number.isFinite(receivedMs)) return undefined;
  try {
    return { receivedMs, value: JSON.parse(raw.slice(bar + 1)) as T };
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted at every depth: a canonical identity for label sets. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(v as object).sort()) sorted[key] = (v as Record<string, unknown>)[key];
      return sorted;
    }
    return v;
  });
}

/** A finite number or the fallback (Redis scores reject NaN). */
export function finiteOr(n: unknown, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}
