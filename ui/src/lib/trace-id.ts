/**
 * @module ui/lib/trace-id: what a pasted text names as a trace: a W3C `traceparent`, a full
 * 32-digit trace id, or a prefix of 8+ hex digits (from a log line or an SDK debug print). Pure.
 */

/** The trace id or prefix (lower-case hex, 8..32 digits) a text carries, or undefined. */
export function traceIdOf(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  // traceparent: version-traceid-parentid-flags
  const tp = /\b[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}\b/.exec(t);
  if (tp) return tp[1];
  // A UUID-style id with dashes (some tools print it so) is the same 32 digits.
  const dashed = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(t);
  if (dashed) return t.replace(/-/g, '');
  const runs = t.match(/[0-9a-f]{8,}/g);
  if (!runs) return undefined;
  const run = runs.find((r) => r.length === 32) ?? runs.find((r) => r.length < 32);
  return run;
}
