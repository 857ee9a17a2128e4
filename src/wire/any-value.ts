/**
 * @module wire/any-value: the one walk of AnyValue and KeyValue bytes (common.proto), shared by the
 * fused decoders at ingest and by every later read of a stored byte-backed item: the flat model
 * value, the typed one (export/), or a check that builds nothing and throws exactly where a read
 * would. The §6 limits are those of normalise/attributes.ts (cut and jsonNumber: model/value-rules.ts).
 * Reading one attribute alone is wire/attribute-at.ts's job.
 */
import { LIMIT_HITS } from '../model/limit-hits.js';
import type { AttrValue, Attributes, JsonNumber } from '../model/model.js';
import { cut, jsonNumber } from '../model/value-rules.js';
import { setValueKinds, type ValueKind } from '../model/value-kinds.js';
import type { WireReadOptions } from './read-options.js';
import type { WireReader } from './reader.js';
import { int64Value } from './values.js';

/** Sets a key without ever touching the prototype (a key may be "__proto__"). */
function setKey(obj: Attributes, key: string, value: AttrValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * An AnyValue with its own type (OTLP/JSON's shape: `{ stringValue }`, `{ intValue: "…" }`, …); the
 * empty AnyValue is `{}`. What export/ writes (read back from wire bytes here, or inferred from a
 * model value by export/otlp-values.ts); the model keeps the flat value instead.
 */
export type TypedAnyValue =
  | { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: JsonNumber }
  | { bytesValue: string } | { arrayValue: { values: TypedAnyValue[] } } | { kvlistValue: { values: TypedKeyValue[] } }
  | Record<string, never>;

/** A KeyValue with its typed value. */
export interface TypedKeyValue {
  key: string;
  value: TypedAnyValue;
}

/**
 * The kind the flat value walkAnyValue just read hides (an int64 beyond 2^53 kept as a string, a whole
 * or non-finite double, bytes as base64), as normalise/attributes.ts notes it for OTLP/JSON: set only
 * then, and taken (reset) by the container that records it in the model/value-kinds.ts side table,
 * so the common value costs a read, never a write.
 */
let hiddenKind: ValueKind | undefined;
/** The hidden kinds of the flat KeyValue list being read (walkKeyValues keeps the enclosing list's aside). */
let listKinds: Record<string, ValueKind> | undefined;

/** What walkAnyValue makes: the flat model value, the typed value, or nothing (a check at ingest). */
const FLAT = 0;
const TYPED = 1;
const CHECK = 2;
type WalkMode = typeof FLAT | typeof TYPED | typeof CHECK;

/**
 * AnyValue (common.proto): 1 string, 2 bool, 3 int64, 4 double, 5 array, 6 kvlist, 7 bytes; the last
 * member on the wire wins. The one walk of an AnyValue's bytes, with the limits of
 * normalise/attributes.ts (string length, `maxAttributes` array values, `maxDepth` nesting): the flat
 * model value, the typed one, or (CHECK) nothing at all while throwing exactly where a read would
 * throw, so that a value checked at ingest reads later without fail. One function with a branch
 * per value, not a builder object: calls through a builder cost the flat paths 5-12 % (measured,
 * see the commits).
 */
function walkAnyValue(r: WireReader, end: number, o: WireReadOptions, depth: number, mode: WalkMode): AttrValue | TypedAnyValue {
  let value: AttrValue | TypedAnyValue = mode === TYPED ? {} : null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: {
        if (mode === CHECK) {
          // A string read later is cut there (cut() counts that read, in no request): counted here, at ingest.
          const e = r.delimitedEnd();
          // Past 3 bytes per code unit it is longer for certain; below, decode to count.
          const n = e - r.pos;
          if (n > o.maxAttributeLength && (n > 3 * o.maxAttributeLength + 6 || r.buf.toString('utf8', r.pos, e).length > o.maxAttributeLength)) LIMIT_HITS.values++;
          r.pos = e;
          break;
        }
        const s = cut(r.stringAtMost(o.maxAttributeLength), o.maxAttributeLength);
        value = mode === TYPED ? { stringValue: s } : s;
        if (hiddenKind !== undefined) hiddenKind = undefined;
        break;
      }
      case 16: { const b = r.uint32() !== 0; value = mode === TYPED ? { boolValue: b } : b; if (hiddenKind !== undefined) hiddenKind = undefined; break; }
      case 24: {
        r.varint64();
        if (mode === CHECK) break;
        if (mode === TYPED) value = { intValue: String(int64Value({ low: r.lo | 0, high: r.hi | 0, unsigned: false })) };
        else if (r.hi < 0x200000) { value = r.hi * 4294967296 + r.lo; if (hiddenKind !== undefined) hiddenKind = undefined; } else {
          value = int64Value({ low: r.lo | 0, high: r.hi | 0, unsigned: false });
          hiddenKind = typeof value === 'string' ? 'int' : undefined;
        }
        break;
      }
      case 33: {
        const d = r.double();
        if (mode === CHECK) break;
        if (mode === TYPED) { value = { doubleValue: jsonNumber(d) }; break; }
        const n = jsonNumber(d);
        value = n;
        if (typeof n === 'string' || Number.isSafeInteger(n)) hiddenKind = 'double';
        else if (hiddenKind !== undefined) hiddenKind = undefined;
        break;
      }
      case 42: {
        const e = r.delimitedEnd();
        hiddenKind = undefined;
        if (depth >= o.maxDepth) { r.pos = e; value = mode === TYPED ? {} : null; break; }
        const out: (AttrValue | TypedAnyValue)[] = [];
        let kinds: Record<string, ValueKind> | undefined;
        let n = 0;
        while (r.pos < e) {
          const t = r.uint32();
          if (t === 10) {
            const ve = r.delimitedEnd();
            if (n < o.maxAttributes) {
              n++;
              const v = walkAnyValue(r, ve, o, depth + 1, mode);
              if (mode !== CHECK) out.push(v);
              if (hiddenKind !== undefined) {
                (kinds ??= Object.create(null) as Record<string, ValueKind>)[out.length - 1] = hiddenKind;
                hiddenKind = undefined;
              }
            }
            r.pos = ve;
          } else r.skip(t & 7);
        }
        if (kinds) setValueKinds(out, kinds);
        value = mode === TYPED ? { arrayValue: { values: out as TypedAnyValue[] } } : out as AttrValue[];
        break;
      }
      case 50: {
        const e = r.delimitedEnd();
        hiddenKind = undefined;
        if (depth >= o.maxDepth) { r.pos = e; value = mode === TYPED ? {} : null; break; }
        if (mode === CHECK) walkKeyValues(r, e, o, depth + 1, false, 1, CHECK);
        else value = mode === TYPED ? { kvlistValue: { values: readTypedKeyValues(r, e, o, depth + 1, 1) } } : readKeyValues(r, e, o, depth + 1, false, 1);
        break;
      }
      case 58: {
        if (mode === CHECK) { r.skip(2); break; }
        const b = r.base64();
        value = mode === TYPED ? { bytesValue: b } : b;
        if (mode === FLAT) hiddenKind = 'bytes';
        break;
      }
      default: r.skip(tag & 7);
    }
  }
  r.pos = end;
  return value;
}

/** An AnyValue as its flat model value (CONTRACT §3): int64 as a number when exact, else its decimal text. */
export function readAnyValue(r: WireReader, end: number, o: WireReadOptions, depth: number): AttrValue {
  const v = walkAnyValue(r, end, o, depth, FLAT) as AttrValue;
  hiddenKind = undefined;
  return v;
}

/** An AnyValue with its own type (int64 as decimal text, doubles and bytes as such, NaN named). */
export function readTypedAnyValue(r: WireReader, end: number, o: WireReadOptions, depth: number): TypedAnyValue {
  return walkAnyValue(r, end, o, depth, TYPED) as TypedAnyValue;
}

/**
 * Reads the repeated KeyValue field `fieldNo` of a message spanning up to `end` into flat
 * attributes (same limits as normalise/attributes.ts `attributes`). Other fields are skipped.
 */
export function readKeyValues(r: WireReader, end: number, o: WireReadOptions, depth: number, keepServiceName: boolean, fieldNo: number): Attributes {
  return walkKeyValues(r, end, o, depth, keepServiceName, fieldNo, FLAT) as Attributes;
}

/**
 * The repeated KeyValue field `fieldNo` up to `end` with typed values, kept as readKeyValues keeps
 * them: the first `maxAttributes` in the order sent, a later duplicate replacing the earlier value in place.
 */
export function readTypedKeyValues(r: WireReader, end: number, o: WireReadOptions, depth: number, fieldNo: number): TypedKeyValue[] {
  const byKey = walkKeyValues(r, end, o, depth, false, fieldNo, TYPED) as Map<string, TypedAnyValue>;
  const out: TypedKeyValue[] = [];
  for (const [key, value] of byKey) out.push({ key, value });
  return out;
}

/** The key of the KeyValue walkKeyValue last read ('' in CHECK mode, which skips keys). */
let kvKey = '';

/**
 * The one walk of a KeyValue message up to `kvEnd` (1 key, 2 value), in the mode of walkAnyValue, for
 * a list that has kept `kept` so far: undefined when it is dropped past `maxAttributes` (counted),
 * service.name excepted when `keepServiceName`; else its value (null or `{}` when it has none), its
 * key left in kvKey. The read and the ingest check of a KeyValue are this one function.
 */
function walkKeyValue(
  r: WireReader, kvEnd: number, o: WireReadOptions, depth: number, keepServiceName: boolean, kept: number, mode: WalkMode,
): AttrValue | TypedAnyValue | undefined {
  let key = '';
  let valueStart = -1;
  let valueEnd = -1;
  while (r.pos < kvEnd) {
    const t = r.uint32();
    if (t === 10 && mode !== CHECK) key = r.string();
    else if (t === 18) { valueEnd = r.delimitedEnd(); valueStart = r.pos; r.pos = valueEnd; }
    else r.skip(t & 7);
  }
  r.pos = kvEnd;
  if (kept >= o.maxAttributes && !(keepServiceName && key === 'service.name')) { LIMIT_HITS.attributes++; return undefined; }
  let value: AttrValue | TypedAnyValue = mode === TYPED ? {} : null;
  if (valueStart >= 0) {
    r.pos = valueStart;
    value = walkAnyValue(r, valueEnd, o, depth, mode);
    r.pos = kvEnd;
  }
  // Set after the value's walk, which may read KeyValues of its own (a kvlist).
  kvKey = key;
  return value;
}

/**
 * The one walk of a repeated KeyValue field `fieldNo` up to `end`: flat values into an object
 * (service.name kept past the limit when `keepServiceName`), typed values into a Map (insertion
 * order, duplicates in place), or (CHECK) nothing, throwing where a read would.
 */
function walkKeyValues(
  r: WireReader, end: number, o: WireReadOptions, depth: number, keepServiceName: boolean, fieldNo: number, mode: WalkMode,
): Attributes | Map<string, TypedAnyValue> | undefined {
  const flat: Attributes | undefined = mode === FLAT ? {} : undefined;
  const byKey = mode === TYPED ? new Map<string, TypedAnyValue>() : undefined;
  const want = (fieldNo << 3) | 2;
  let kept = 0;
  const enclosing = listKinds;
  listKinds = undefined;
  hiddenKind = undefined; // never one left over by a read that threw
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== want) { r.skip(tag & 7); continue; }
    const kvEnd = r.delimitedEnd();
    const value = walkKeyValue(r, kvEnd, o, depth, keepServiceName, kept, mode);
    if (value === undefined) continue;
    if (kept < o.maxAttributes) kept++;
    if (byKey) byKey.set(kvKey, value as TypedAnyValue);
    else if (flat) {
      const key = kvKey;
      setKey(flat, key, value as AttrValue);
      // Its kind, or none: a later duplicate replaces an earlier one, kind and all.
      if (hiddenKind !== undefined) {
        (listKinds ??= Object.create(null) as Record<string, ValueKind>)[key] = hiddenKind;
        hiddenKind = undefined;
      } else if (listKinds !== undefined) delete listKinds[key];
    }
  }
  if (flat && listKinds !== undefined) setValueKinds(flat, listKinds);
  listKinds = enclosing;
  return byKey ?? flat;
}

/** Attributes of a message whose KeyValue field is `fieldNo`, for a message spanning [start, end). */
export function attributesAt(r: WireReader, start: number, end: number, o: WireReadOptions, fieldNo: number, keepServiceName = false): Attributes {
  const save = r.pos;
  r.pos = start;
  const a = readKeyValues(r, end, o, 0, keepServiceName, fieldNo);
  r.pos = save;
  return a;
}

/**
 * Checks one KeyValue message up to `end` of a list that has kept `kept` so far, as a read will walk
 * it (without service.name's exception), building nothing; returns the new kept count. Throws where
 * the read would throw, so that a KeyValue checked at ingest reads later without fail.
 */
export function checkKeyValue(r: WireReader, end: number, o: WireReadOptions, depth: number, kept: number): number {
  return walkKeyValue(r, end, o, depth, false, kept, CHECK) === undefined ? kept : kept + 1;
}
