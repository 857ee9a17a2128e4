/**
 * @module normalise/attributes: OTLP AnyValue/KeyValue → flat JSON attributes (CONTRACT §3),
 * with the attribute count, string length and nesting limits of CONTRACT §6.
 */
import type { AttrValue, Attributes, JsonNumber } from '../model/model.js';
import type { OtlpAnyValue, OtlpKeyValue } from '../otlp/types.js';
import { bytesBase64, doubleValue, int64Value } from '../otlp/values.js';
import type { NormaliseOptions } from './options.js';

/** A number that JSON can carry, or the string spelling of NaN/±Infinity. */
export function jsonNumber(n: number): JsonNumber {
  if (Number.isFinite(n)) return n;
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

/** Cuts a string past the limit, marking the cut with '…'. */
export function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/** Sets a key without ever touching the prototype (a key may be "__proto__"). */
function setKey(obj: Attributes, key: string, value: AttrValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

const ANY_MEMBERS = ['stringValue', 'intValue', 'doubleValue', 'boolValue', 'bytesValue', 'arrayValue', 'kvlistValue'] as const;

/**
 * Which oneof member of a decoded message is set: protobufjs messages (they carry `$type`) name it
 * in the oneof's virtual field; OTLP/JSON objects only have the member itself.
 */
export function oneofMember<K extends string>(msg: object, oneofName: string, members: readonly K[]): K | undefined {
  const m = msg as Record<string, unknown>;
  if (m.$type !== undefined) return m[oneofName] as K | undefined;
  for (const k of members) if (m[k] !== undefined && m[k] !== null) return k;
  return undefined;
}

/** The kind anyValue's last (outermost) call saw but its result hides (read right after the call). */
let hiddenKind: ValueKind | undefined;

/** The AnyValue kind of a flat value that does not show it: an int64 kept as a string, a whole or non-finite double, bytes as base64. */
export type ValueKind = 'int' | 'double' | 'bytes';

/**
 * Side table: for an Attributes object or array value normalised from OTLP/JSON, the kinds of its
 * members (by key or index) whose flat value hides their AnyValue type. Weak, so it lives exactly as
 * long as the stored item (the memory store keeps the very objects; a store that serialises loses it).
 */
const VALUE_KINDS = new WeakMap<object, Record<string, ValueKind>>();

/** The hidden kinds of an attributes object's or array's members, if normalise noted any. */
export function valueKindsOf(container: object): Record<string, ValueKind> | undefined {
  return VALUE_KINDS.get(container);
}

/** One AnyValue → its JSON form. */
export function anyValue(v: OtlpAnyValue | null | undefined, o: NormaliseOptions, depth = 0): AttrValue {
  hiddenKind = undefined;
  if (v === null || v === undefined || typeof v !== 'object') return null;
  switch (oneofMember(v, 'value', ANY_MEMBERS)) {
    case 'stringValue':
      return cut(typeof v.stringValue === 'string' ? v.stringValue : String(v.stringValue), o.maxAttributeLength);
    case 'intValue': {
      const n = int64Value(v.intValue);
      if (typeof n === 'string') hiddenKind = 'int';
      return n;
    }
    case 'doubleValue': {
      const n = jsonNumber(doubleValue(v.doubleValue));
      if (typeof n === 'string' || Number.isSafeInteger(n)) hiddenKind = 'double';
      return n;
    }
    case 'boolValue': return v.boolValue === true;
    case 'bytesValue': hiddenKind = 'bytes'; return bytesBase64(v.bytesValue);
    case 'arrayValue': {
      if (depth >= o.maxDepth) return null;
      const values = v.arrayValue?.values;
      if (!Array.isArray(values)) return [];
      const n = Math.min(values.length, o.maxAttributes);
      const out: AttrValue[] = new Array(n);
      let kinds: Record<string, ValueKind> | undefined;
      for (let i = 0; i < n; i++) {
        out[i] = anyValue(values[i], o, depth + 1);
        if (hiddenKind !== undefined) (kinds ??= Object.create(null) as Record<string, ValueKind>)[i] = hiddenKind;
      }
      if (kinds) VALUE_KINDS.set(out, kinds);
      hiddenKind = undefined;
      return out;
    }
    case 'kvlistValue': {
      if (depth >= o.maxDepth) return null;
      const out = attributes(v.kvlistValue?.values, o, depth + 1);
      hiddenKind = undefined;
      return out;
    }
    default: return null;
  }
}

/**
 * A KeyValue list → flat attributes, keeping the first `maxAttributes` in the order sent
 * (plus `service.name` when `keepServiceName`, as resources must). Later duplicates of a key win.
 */
export function attributes(kvs: OtlpKeyValue[] | null | undefined, o: NormaliseOptions, depth = 0, keepServiceName = false): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(kvs)) return out;
  let kept = 0;
  let kinds: Record<string, ValueKind> | undefined;
  for (let i = 0; i < kvs.length; i++) {
    const kv = kvs[i];
    if (kv === null || typeof kv !== 'object') continue;
    const key = typeof kv.key === 'string' ? kv.key : '';
    if (kept >= o.maxAttributes && !(keepServiceName && key === 'service.name')) continue;
    let value: AttrValue;
    let kind: ValueKind | undefined;
    try {
      value = anyValue(kv.value, o, depth);
      kind = hiddenKind;
    } catch {
      value = null; // an unreadable value never costs the item its other attributes
    }
    if (kept < o.maxAttributes) kept++;
    setKey(out, key, value);
    if (kind !== undefined) (kinds ??= Object.create(null) as Record<string, ValueKind>)[key] = kind;
    else if (kinds !== undefined) delete kinds[key];
  }
  if (kinds) VALUE_KINDS.set(out, kinds);
  return out;
}

/** `service.name` of resource attributes, or `unknown_service`. */
export function serviceName(resource: Attributes): string {
  const s = resource['service.name'];
  return typeof s === 'string' && s !== '' ? s : 'unknown_service';
}
