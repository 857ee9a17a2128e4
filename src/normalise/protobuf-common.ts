/**
 * @module normalise/protobuf-common: the parts the fused protobuf decoders share: AnyValue and
 * KeyValue lists read straight into flat attributes (the limits of normalise/attributes.ts), scopes,
 * and the Request → Resource → Scope → item walk, whose field numbers are the same for traces, logs
 * and metrics (1 resource_*, then 1 resource / 2 scope_*, then 1 scope / 2 items).
 */
import { LIMIT_HITS } from './limit-hits.js';
import { ENCODED_SIZE, type AttrValue, type Attributes, type Scope } from '../model/model.js';
import { int64Value } from '../otlp/values.js';
import { WireReader } from '../otlp/wire.js';
import { cut, jsonNumber, serviceName } from './attributes.js';
import { setValueKinds, type ValueKind } from '../model/value-kinds.js';
import type { NormaliseOptions } from './options.js';

/** Sets a key without ever touching the prototype (a key may be "__proto__"). */
function setKey(obj: Attributes, key: string, value: AttrValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * An AnyValue with its own type (OTLP/JSON's shape: `{ stringValue }`, `{ intValue: "…" }`, …); the
 * empty AnyValue is `{}`. What export/ writes; the model keeps the flat value instead.
 */
export type TypedAnyValue =
  | { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number | 'NaN' | 'Infinity' | '-Infinity' }
  | { bytesValue: string } | { arrayValue: { values: TypedAnyValue[] } } | { kvlistValue: { values: { key: string; value: TypedAnyValue }[] } }
  | Record<string, never>;

/** A KeyValue with its typed value. */
export interface TypedKeyValue {
  key: string;
  value: TypedAnyValue;
}

function doubleJson(n: number): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (Number.isFinite(n)) return n;
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
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
function walkAnyValue(r: WireReader, end: number, o: NormaliseOptions, depth: number, mode: WalkMode): AttrValue | TypedAnyValue {
  let value: AttrValue | TypedAnyValue = mode === TYPED ? {} : null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: {
        if (mode === CHECK) {
          // A string read later is cut there (cut() counts that read, in no request): counted here, at ingest.
          const e = r.delimitedEnd();
          if (e - r.pos > o.maxAttributeLength && r.buf.toString('utf8', r.pos, e).length > o.maxAttributeLength) LIMIT_HITS.values++;
          r.pos = e;
          break;
        }
        const s = cut(r.string(), o.maxAttributeLength);
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
        if (mode === TYPED) { value = { doubleValue: doubleJson(d) }; break; }
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
        if (mode === CHECK) checkKeyValues(r, e, o, depth + 1, 1, 0);
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
export function readAnyValue(r: WireReader, end: number, o: NormaliseOptions, depth: number): AttrValue {
  const v = walkAnyValue(r, end, o, depth, FLAT) as AttrValue;
  hiddenKind = undefined;
  return v;
}

/** An AnyValue with its own type (int64 as decimal text, doubles and bytes as such, NaN named). */
export function readTypedAnyValue(r: WireReader, end: number, o: NormaliseOptions, depth: number): TypedAnyValue {
  return walkAnyValue(r, end, o, depth, TYPED) as TypedAnyValue;
}

/**
 * Reads the repeated KeyValue field `fieldNo` of a message spanning up to `end` into flat
 * attributes (same limits as normalise/attributes.ts `attributes`). Other fields are skipped.
 */
export function readKeyValues(r: WireReader, end: number, o: NormaliseOptions, depth: number, keepServiceName: boolean, fieldNo: number): Attributes {
  return walkKeyValues(r, end, o, depth, keepServiceName, fieldNo, false) as Attributes;
}

/**
 * The repeated KeyValue field `fieldNo` up to `end` with typed values, kept as readKeyValues keeps
 * them: the first `maxAttributes` in the order sent, a later duplicate replacing the earlier value in place.
 */
export function readTypedKeyValues(r: WireReader, end: number, o: NormaliseOptions, depth: number, fieldNo: number): TypedKeyValue[] {
  const byKey = walkKeyValues(r, end, o, depth, false, fieldNo, true) as Map<string, TypedAnyValue>;
  const out: TypedKeyValue[] = [];
  for (const [key, value] of byKey) out.push({ key, value });
  return out;
}

/**
 * The one walk of a repeated KeyValue field: flat values into an object (service.name kept past the
 * limit when `keepServiceName`), or typed values into a Map (insertion order, duplicates in place).
 */
function walkKeyValues(
  r: WireReader, end: number, o: NormaliseOptions, depth: number, keepServiceName: boolean, fieldNo: number, typed: boolean,
): Attributes | Map<string, TypedAnyValue> {
  const flat: Attributes = {};
  const byKey = typed ? new Map<string, TypedAnyValue>() : undefined;
  const want = (fieldNo << 3) | 2;
  let kept = 0;
  const enclosing = listKinds;
  listKinds = undefined;
  hiddenKind = undefined; // never one left over by a read that threw
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== want) { r.skip(tag & 7); continue; }
    const kvEnd = r.delimitedEnd();
    let key = '';
    let valueStart = -1;
    let valueEnd = -1;
    while (r.pos < kvEnd) {
      const t = r.uint32();
      if (t === 10) key = r.string();
      else if (t === 18) { valueEnd = r.delimitedEnd(); valueStart = r.pos; r.pos = valueEnd; }
      else r.skip(t & 7);
    }
    r.pos = kvEnd;
    if (kept >= o.maxAttributes && !(keepServiceName && key === 'service.name')) { LIMIT_HITS.attributes++; continue; }
    if (kept < o.maxAttributes) kept++;
    let value: AttrValue | TypedAnyValue = typed ? {} : null;
    if (valueStart >= 0) {
      r.pos = valueStart;
      value = walkAnyValue(r, valueEnd, o, depth, typed ? TYPED : FLAT);
      r.pos = kvEnd;
    }
    if (byKey) byKey.set(key, value as TypedAnyValue);
    else {
      setKey(flat, key, value as AttrValue);
      // Its kind, or none: a later duplicate replaces an earlier one, kind and all.
      if (hiddenKind !== undefined) {
        (listKinds ??= Object.create(null) as Record<string, ValueKind>)[key] = hiddenKind;
        hiddenKind = undefined;
      } else if (listKinds !== undefined) delete listKinds[key];
    }
  }
  if (listKinds !== undefined) setValueKinds(flat, listKinds);
  listKinds = enclosing;
  return byKey ?? flat;
}

/** Attributes of a message whose KeyValue field is `fieldNo`, for a message spanning [start, end). */
export function attributesAt(r: WireReader, start: number, end: number, o: NormaliseOptions, fieldNo: number, keepServiceName = false): Attributes {
  const save = r.pos;
  r.pos = start;
  const a = readKeyValues(r, end, o, 0, keepServiceName, fieldNo);
  r.pos = save;
  return a;
}

/** InstrumentationScope: 1 name, 2 version, cut to the attribute length limit (CONTRACT §6); 3 attributes when it has some. */
export function readScope(r: WireReader, end: number, o: NormaliseOptions): Scope {
  const start = r.pos;
  let name = '';
  let version = '';
  let hasAttributes = false;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) name = r.string();
    else if (tag === 18) version = r.string();
    else { if (tag === 26) hasAttributes = true; r.skip(tag & 7); }
  }
  const scope: Scope = { name: cut(name, o.maxAttributeLength), version: cut(version, o.maxAttributeLength) };
  if (hasAttributes) scope.attributes = attributesAt(r, start, end, o, 3);
  return scope;
}

/**
 * A Scope{Spans,Logs,Metrics} message's scope (field 1) and schema_url (field 3), with the
 * resource's schema_url, as one Scope (the reader left where it was).
 */
export function readScopeGroup(r: WireReader, end: number, o: NormaliseOptions, resourceSchemaUrl: string): Scope {
  const start = r.pos;
  let scope: Scope | undefined;
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) { const e = r.delimitedEnd(); scope = readScope(r, e, o); r.pos = e; }
    else if (tag === 26) schemaUrl = r.string();
    else r.skip(tag & 7);
  }
  r.pos = start;
  scope ??= { name: '', version: '' };
  if (schemaUrl !== '') scope.schemaUrl = cut(schemaUrl, o.maxAttributeLength);
  if (resourceSchemaUrl !== '') scope.resourceSchemaUrl = cut(resourceSchemaUrl, o.maxAttributeLength);
  return scope;
}

/** Reads one item of a scope; undefined means the item is rejected. */
export type ItemReader<T> = (r: WireReader, end: number, service: string, resource: Attributes, scope: Scope) => T | undefined;

/** Called for each ScopeX message (spanning up to `end`, the reader at its start) with its resource and the resource's schema_url. */
export type ScopeVisitor = (r: WireReader, end: number, service: string, resource: Attributes, resourceSchemaUrl: string) => void;

/**
 * Walks an Export*ServiceRequest down to its scopes: every resource (its attributes and schema_url
 * read first, wherever they sit on the wire), then every scope message of it. The field numbers are
 * the same for traces, logs and metrics (1 resource_*; in it 1 resource, 2 scope_*, 3 schema_url).
 */
export function walkScopes(buf: Buffer, o: NormaliseOptions, visit: ScopeVisitor): void {
  const r = new WireReader(buf, 0, buf.length);
  while (r.pos < buf.length) {
    const tag = r.uint32();
    if (tag !== 10) { r.skip(tag & 7); continue; }
    const end = r.delimitedEnd();
    const start = r.pos;
    let resource: Attributes = {};
    let schemaUrl = '';
    while (r.pos < end) {
      const t = r.uint32();
      if (t === 10) { const e = r.delimitedEnd(); resource = readKeyValues(r, e, o, 0, true, 1); r.pos = e; }
      else if (t === 26) schemaUrl = r.string();
      else r.skip(t & 7);
    }
    const service = serviceName(resource);
    r.pos = start;
    while (r.pos < end) {
      const t = r.uint32();
      if (t !== 18) { r.skip(t & 7); continue; }
      const e = r.delimitedEnd();
      visit(r, e, service, resource, schemaUrl);
      r.pos = e;
    }
    r.pos = end;
  }
}

/**
 * Walks an Export*ServiceRequest: every resource, every scope (1 scope), every item (2). Items past
 * `maxItems`, and those the reader refuses, are counted as rejected.
 */
export function walkRequest<T>(buf: Buffer, o: NormaliseOptions, readItem: ItemReader<T>): { items: T[]; rejected: number } {
  const items: T[] = [];
  let rejected = 0;
  walkScopes(buf, o, (r, end, service, resource, resourceSchemaUrl) => {
    const scope = readScopeGroup(r, end, o, resourceSchemaUrl);
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag !== 18) { r.skip(tag & 7); continue; }
      const e = r.delimitedEnd();
      if (items.length >= o.maxItems) { rejected++; r.pos = e; continue; }
      const item = readItem(r, e, service, resource, scope);
      if (item !== undefined) items.push(item);
      else rejected++;
      r.pos = e;
    }
  });
  return { items, rejected };
}

/** Checks one KeyValue (as walkKeyValues reads it, without service.name's exception); returns the new kept count. */
export function checkKeyValue(r: WireReader, end: number, o: NormaliseOptions, depth: number, kept: number): number {
  let valueStart = -1;
  let valueEnd = -1;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 18) { valueEnd = r.delimitedEnd(); valueStart = r.pos; r.pos = valueEnd; } else r.skip(tag & 7);
  }
  if (kept >= o.maxAttributes) { LIMIT_HITS.attributes++; return kept; }
  if (valueStart >= 0) {
    r.pos = valueStart;
    walkAnyValue(r, valueEnd, o, depth, CHECK);
    r.pos = end;
  }
  return kept + 1;
}

/** Checks the repeated KeyValue field `fieldNo` up to `end` as readKeyValues reads it (keepServiceName false). */
export function checkKeyValues(r: WireReader, end: number, o: NormaliseOptions, depth: number, fieldNo: number, kept: number): number {
  const want = (fieldNo << 3) | 2;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== want) { r.skip(tag & 7); continue; }
    const kvEnd = r.delimitedEnd();
    kept = checkKeyValue(r, kvEnd, o, depth, kept);
    r.pos = kvEnd;
  }
  return kept;
}

/** The last key asked for, as UTF-8 (filters ask for the same key across many spans). */
let lastKey = '';
let lastKeyBytes = Buffer.alloc(0);

/**
 * The value attributesAt(…, fieldNo) would hold under `key` (undefined when absent), without building
 * the others: keys are compared as bytes, and only the winning value (the last one kept) is decoded.
 */
export function attributeAt(r: WireReader, start: number, end: number, o: NormaliseOptions, fieldNo: number, key: string): AttrValue | undefined {
  if (key !== lastKey) {
    lastKey = key;
    lastKeyBytes = Buffer.from(key, 'utf8');
  }
  const want = lastKeyBytes;
  const tagWanted = (fieldNo << 3) | 2;
  const buf = r.buf;
  let kept = 0;
  let found = false;
  let valueStart = -1;
  let valueEnd = -1;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== tagWanted) { r.skip(tag & 7); continue; }
    const kvEnd = r.delimitedEnd();
    if (kept >= o.maxAttributes) { r.pos = kvEnd; continue; }
    kept++;
    let ks = -1;
    let ke = -1;
    let vs = -1;
    let ve = -1;
    while (r.pos < kvEnd) {
      const t = r.uint32();
      if (t === 10) { ke = r.delimitedEnd(); ks = r.pos; r.pos = ke; }
      else if (t === 18) { ve = r.delimitedEnd(); vs = r.pos; r.pos = ve; }
      else r.skip(t & 7);
    }
    r.pos = kvEnd;
    const keyLength = ks < 0 ? 0 : ke - ks;
    if (keyLength !== want.length) continue;
    let same = true;
    for (let i = 0; i < keyLength; i++) if (buf[ks + i] !== want[i]) { same = false; break; }
    if (!same) continue;
    found = true;
    valueStart = vs;
    valueEnd = ve;
  }
  if (!found) return undefined;
  if (valueStart < 0) return null;
  r.pos = valueStart;
  return readAnyValue(r, valueEnd, o, 0);
}

/**
 * An item read from protobuf whose bulkier parts (attributes, events) stay encoded in its wire bytes
 * until read: ingest builds only what indexes need, and a stored item costs its bytes plus one object.
 * The bytes are checked at ingest (every field inside the item), so a later read cannot fail. Each
 * read decodes afresh (nothing cached, so memory stays what the store counted).
 */
export abstract class WireBacked {
  #buf: Buffer;
  #start: number;
  #end: number;
  readonly #o: NormaliseOptions;

  constructor(buf: Buffer, start: number, end: number, o: NormaliseOptions) {
    this.#buf = buf;
    this.#start = start;
    this.#end = end;
    this.#o = o;
  }

  /** Attributes in repeated KeyValue field `fieldNo` of the item. */
  protected attributesIn(fieldNo: number): Attributes {
    return attributesAt(new WireReader(this.#buf, this.#start, this.#end), this.#start, this.#end, this.#o, fieldNo);
  }

  /** Attributes in repeated KeyValue field `fieldNo` of the part [from, to) of the item's bytes (offsets from its start). */
  attributesOfPart(from: number, to: number, fieldNo: number): Attributes {
    const s = this.#start + from;
    const e = this.#start + to;
    return attributesAt(new WireReader(this.#buf, s, e), s, e, this.#o, fieldNo);
  }

  /** One attribute of field `fieldNo`, decoded alone; undefined when absent. */
  protected attributeIn(fieldNo: number, key: string): AttrValue | undefined {
    return attributeAt(new WireReader(this.#buf, this.#start, this.#end), this.#start, this.#end, this.#o, fieldNo, key);
  }

  /** Reads every occurrence of the length-delimited field `tag` (wire tag) with `read`, up to `max`. */
  protected repeated<T>(tag: number, max: number, read: (r: WireReader, end: number, o: NormaliseOptions) => T): T[] {
    const out: T[] = [];
    const r = new WireReader(this.#buf, this.#start, this.#end);
    while (r.pos < this.#end) {
      const t = r.uint32();
      if (t !== tag) { r.skip(t & 7); continue; }
      const e = r.delimitedEnd();
      if (out.length < max) out.push(read(r, e, this.#o));
      r.pos = e;
    }
    return out;
  }

  /** The item's own protobuf bytes (a view, not a copy). */
  wireBytes(): Buffer {
    return this.#buf.subarray(this.#start, this.#end);
  }

  protected get options(): NormaliseOptions {
    return this.#o;
  }

  /** Copies the item's bytes into `into` at `at` and reads them from there from now on; returns the end. */
  moveTo(into: Buffer, at: number): number {
    const length = this.#end - this.#start;
    this.#buf.copy(into, at, this.#start, this.#end);
    this.#buf = into;
    this.#start = at;
    this.#end = at + length;
    return this.#end;
  }

  /** The item's protobuf size: what the memory store counts against its cap. */
  get [ENCODED_SIZE](): number {
    return this.#end - this.#start;
  }
}

/** Requests smaller than this are kept whole whatever they hold besides items. */
const KEEP_WHOLE_BYTES = 64 * 1024;

/**
 * Stored items keep their request's buffer alive. When most of it is not item bytes (rejected
 * items, big resources, unknown fields), the items move to a buffer of their own, so what is kept
 * is at most about twice what the store counts.
 */
export function compactIfWasteful(items: readonly WireBacked[], requestBytes: number): void {
  if (requestBytes <= KEEP_WHOLE_BYTES) return;
  let total = 0;
  for (const s of items) total += s[ENCODED_SIZE];
  if (requestBytes <= 2 * total) return;
  const into = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const s of items) at = s.moveTo(into, at);
}
