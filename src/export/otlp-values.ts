/**
 * @module export/otlp-values: the OTLP/JSON spelling of values (proto3 JSON mapping as OTLP/JSON uses
 * it: int64 as decimal strings, bytes as base64, NaN/±Infinity as strings, hex ids). Values of the
 * model (CONTRACT §3) carry no AnyValue type, so for them the type is inferred from the JSON value;
 * values re-read from wire bytes (export/wire-typed.ts) keep their exact type. Both are
 * wire/any-value.ts's TypedAnyValue.
 */
import type { AttrValue, Attributes, JsonNumber } from '../model/model.js';
import { valueKindsOf, type ValueKind } from '../model/value-kinds.js';
import type { TypedAnyValue, TypedKeyValue } from '../wire/any-value.js';
import { nanosToSeconds } from '../wire/values.js';

/**
 * A flat model value → the AnyValue it most likely came from: integers → intValue, other numbers →
 * doubleValue, arrays → arrayValue, objects → kvlistValue, null → the empty AnyValue. What the model
 * already flattened stays flattened: an int64 beyond 2^53 or bytes arrive here as strings.
 */
export function inferAnyValue(v: AttrValue, kind?: ValueKind): TypedAnyValue {
  if (v === null || v === undefined) return {};
  if (kind === 'int') return { intValue: String(v) };
  if (kind === 'double') return { doubleValue: v as JsonNumber };
  if (kind === 'bytes') return { bytesValue: String(v) };
  switch (typeof v) {
    case 'string': return { stringValue: v };
    case 'boolean': return { boolValue: v };
    case 'number': return Number.isSafeInteger(v) && !Object.is(v, -0) ? { intValue: String(v) } : { doubleValue: v };
    default:
      if (Array.isArray(v)) {
        const kinds = valueKindsOf(v);
        return { arrayValue: { values: v.map((x, i) => inferAnyValue(x, kinds?.[i])) } };
      }
      return { kvlistValue: { values: inferKeyValues(v as Attributes) } };
  }
}

/** Flat attributes → an OTLP/JSON KeyValue list, in the object's key order. */
export function inferKeyValues(a: Attributes | undefined): TypedKeyValue[] {
  if (!a) return [];
  const out: TypedKeyValue[] = [];
  // Kinds that the flat value hides, when normalise/attributes.ts recorded them (OTLP/JSON on the memory store).
  const kinds = valueKindsOf(a);
  for (const key of Object.keys(a)) out.push({ key, value: inferAnyValue(a[key], kinds?.[key]) });
  return out;
}

/**
 * Unix seconds (a float the model keeps for metric points) → the nanosecond decimal string that reads
 * back as exactly this float (nanosToSeconds(result) === seconds), so a re-import stores the same point.
 */
export function secondsToExactNanos(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '0';
  const whole = Math.floor(seconds);
  const guess = Math.round((seconds - whole) * 1e9);
  let best = '';
  for (let d = 0; d <= 64; d++) {
    for (const f of d === 0 ? [guess] : [guess - d, guess + d]) {
      if (f < 0 || f >= 1e9) continue;
      const s = whole === 0 ? String(f) : String(whole) + String(f).padStart(9, '0');
      if (best === '') best = s;
      if (nanosToSeconds(s) === seconds) return s;
    }
  }
  return best || '0';
}

/** A model temporality → the OTLP enum number. */
export function temporalityNumber(t: string | undefined): number {
  return t === 'delta' ? 1 : t === 'cumulative' ? 2 : 0;
}
