/**
 * @module normalise/attributes: OTLP AnyValue/KeyValue → flat JSON attributes (CONTRACT §3),
 * with the attribute count, string length and nesting limits of CONTRACT §6 (the string rules
 * themselves, cut and jsonNumber, are model/value-rules.ts: wire/ applies them too).
 */
import type { AttrValue, Attributes } from '../model/model.js';
import { LIMIT_HITS } from '../model/limit-hits.js';
import { cut, jsonNumber } from '../model/value-rules.js';
import { setValueKinds, type ValueKind } from '../model/value-kinds.js';
import { bytesBase64, doubleValue, int64Value } from '../wire/values.js';
import type { OtlpAnyValue, OtlpKeyValue } from './otlp-types.js';
import type { NormaliseOptions } from './options.js';

/** Sets a key without ever touching the prototype (a key may be "__proto__"). */
function setKey(obj: Attributes, key: string, value: AttrValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * A plain JSON value, or a flat `{key: value}` map, as the seed's simple JSON sends attributes and
 * bodies (CONTRACT §2.3). It is converted only here, under the limits: a map of a million keys costs
 * the first `maxAttributes` of them, not a million AnyValues built and then dropped.
 */
export class PlainJson {
  constructor(readonly value: unknown) {}
}

/** A plain JSON value → its attribute form (what its AnyValue would give: integers as intValue). */
function plainValue(v: unknown, o: NormaliseOptions, depth: number): AttrValue {
  if (typeof v === 'string') return cut(v, o.maxAttributeLength);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? int64Value(v) : jsonNumber(v);
  if (v === null || typeof v !== 'object' || depth >= o.maxDepth) return null;
  if (Array.isArray(v)) {
    const n = Math.min(v.length, o.maxAttributes);
    const out: AttrValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = plainValue(v[i], o, depth + 1);
    return out;
  }
  return plainAttributes(v, o, depth + 1);
}

/** A flat `{key: value}` map → attributes, the first `maxAttributes` keys only (an array is an OTLP KeyValue list). */
function plainAttributes(map: unknown, o: NormaliseOptions, depth: number): Attributes {
  if (Array.isArray(map)) return attributes(map as OtlpKeyValue[], o, depth);
  const out: Attributes = {};
  if (map === null || typeof map !== 'object') return out;
  let kept = 0;
  for (const key in map) {
    if (!Object.prototype.hasOwnProperty.call(map, key)) continue;
    if (kept++ >= o.maxAttributes) break;
    setKey(out, key, plainValue((map as Record<string, unknown>)[key], o, depth));
  }
  return out;
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

/** The kind the last anyValue call's result hides (read right after the call): for a value no container holds, a log body. */
export function lastHiddenKind(): ValueKind | undefined {
  return hiddenKind;
}

export type { ValueKind } from '../model/value-kinds.js';

/** One AnyValue → its JSON form. */
export function anyValue(v: OtlpAnyValue | null | undefined, o: NormaliseOptions, depth = 0): AttrValue {
  hiddenKind = undefined;
  if (v instanceof PlainJson) return plainValue(v.value, o, depth);
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
      if (kinds) setValueKinds(out, kinds);
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
  if ((kvs as unknown) instanceof PlainJson) return plainAttributes((kvs as unknown as PlainJson).value, o, depth);
  const out: Attributes = {};
  if (!Array.isArray(kvs)) return out;
  let kept = 0;
  let kinds: Record<string, ValueKind> | undefined;
  for (let i = 0; i < kvs.length; i++) {
    // Past the limit only a resource's service.name is still looked for.
    if (kept >= o.maxAttributes && !keepServiceName) { LIMIT_HITS.attributes += kvs.length - i; break; }
    const kv = kvs[i];
    if (kv === null || typeof kv !== 'object') continue;
    const key = typeof kv.key === 'string' ? kv.key : '';
    if (kept >= o.maxAttributes && !(keepServiceName && key === 'service.name')) { LIMIT_HITS.attributes++; continue; }
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
  if (kinds) setValueKinds(out, kinds);
  return out;
}

/** `service.name` of resource attributes, or `unknown_service`. */
export function serviceName(resource: Attributes): string {
  const s = resource['service.name'];
  return typeof s === 'string' && s !== '' ? s : 'unknown_service';
}
