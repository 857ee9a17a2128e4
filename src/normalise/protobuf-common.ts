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
 * The kind the value readAny just read hides (an int64 beyond 2^53 kept as a string, a whole or
 * non-finite double, bytes as base64), as normalise/attributes.ts notes it for OTLP/JSON: set only
 * then, and taken (reset) by the container that records it in the model/value-kinds.ts side table,
 * so the common value costs a read, never a write.
 */
let hiddenKind: ValueKind | undefined;
/** The hidden kinds of the KeyValue list being read (readKeyValues keeps the enclosing list's aside). */
let listKinds: Record<string, ValueKind> | undefined;

/** AnyValue (common.proto): 1 string, 2 bool, 3 int64, 4 double, 5 array, 6 kvlist, 7 bytes. */
export function readAnyValue(r: WireReader, end: number, o: NormaliseOptions, depth: number): AttrValue {
  const v = readAny(r, end, o, depth);
  hiddenKind = undefined;
  return v;
}

/** readAnyValue, leaving the kind its value hides in `hiddenKind` for the caller to take. */
function readAny(r: WireReader, end: number, o: NormaliseOptions, depth: number): AttrValue {
  let value: AttrValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: value = cut(r.string(), o.maxAttributeLength); if (hiddenKind !== undefined) hiddenKind = undefined; break;
      case 16: value = r.uint32() !== 0; if (hiddenKind !== undefined) hiddenKind = undefined; break;
      case 24: {
        r.varint64();
        if (r.hi < 0x200000) { value = r.hi * 4294967296 + r.lo; if (hiddenKind !== undefined) hiddenKind = undefined; } else {
          value = int64Value({ low: r.lo | 0, high: r.hi | 0, unsigned: false });
          hiddenKind = typeof value === 'string' ? 'int' : undefined;
        }
        break;
      }
      case 33: {
        const n = jsonNumber(r.double());
        value = n;
        if (typeof n === 'string' || Number.isSafeInteger(n)) hiddenKind = 'double';
        else if (hiddenKind !== undefined) hiddenKind = undefined;
        break;
      }
      case 42: {
        const e = r.delimitedEnd();
        hiddenKind = undefined;
        if (depth >= o.maxDepth) { r.pos = e; value = null; break; }
        const out: AttrValue[] = [];
        let kinds: Record<string, ValueKind> | undefined;
        while (r.pos < e) {
          const t = r.uint32();
          if (t === 10) {
            const ve = r.delimitedEnd();
            if (out.length < o.maxAttributes) {
              out.push(readAny(r, ve, o, depth + 1));
              if (hiddenKind !== undefined) {
                (kinds ??= Object.create(null) as Record<string, ValueKind>)[out.length - 1] = hiddenKind;
                hiddenKind = undefined;
              }
            }
            r.pos = ve;
          } else r.skip(t & 7);
        }
        if (kinds) setValueKinds(out, kinds);
        value = out;
        break;
      }
      case 50: {
        const e = r.delimitedEnd();
        hiddenKind = undefined;
        if (depth >= o.maxDepth) { r.pos = e; value = null; break; }
        value = readKeyValues(r, e, o, depth + 1, false, 1);
        break;
      }
      case 58: value = r.base64(); hiddenKind = 'bytes'; break;
      default: r.skip(tag & 7);
    }
  }
  r.pos = end;
  return value;
}

/**
 * Reads the repeated KeyValue field `fieldNo` of a message spanning up to `end` into flat
 * attributes (same limits as normalise/attributes.ts `attributes`). Other fields are skipped.
 */
export function readKeyValues(r: WireReader, end: number, o: NormaliseOptions, depth: number, keepServiceName: boolean, fieldNo: number): Attributes {
  const out: Attributes = {};
  const want = (fieldNo << 3) | 2;
  let kept = 0;
  const enclosing = listKinds;
  listKinds = undefined;
  hiddenKind = undefined; // never one left over by a read that threw
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== want) { r.skip(tag & 7); continue; }
    const kvEnd = r.delimitedEnd();
    readKeyValueInto(r, kvEnd, o, depth, keepServiceName, out, kept) && kept++;
    r.pos = kvEnd;
  }
  if (listKinds !== undefined) setValueKinds(out, listKinds);
  listKinds = enclosing;
  return out;
}

/** Reads one KeyValue into `out`; returns whether it counted towards the attribute limit. */
function readKeyValueInto(r: WireReader, end: number, o: NormaliseOptions, depth: number, keepServiceName: boolean, out: Attributes, kept: number): boolean {
  let key = '';
  let valueStart = -1;
  let valueEnd = -1;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) key = r.string();
    else if (tag === 18) { valueEnd = r.delimitedEnd(); valueStart = r.pos; r.pos = valueEnd; }
    else r.skip(tag & 7);
  }
  if (kept >= o.maxAttributes && !(keepServiceName && key === 'service.name')) { LIMIT_HITS.attributes++; return false; }
  let value: AttrValue = null;
  if (valueStart >= 0) {
    const save = r.pos;
    r.pos = valueStart;
    value = readAny(r, valueEnd, o, depth);
    r.pos = save;
  }
  setKey(out, key, value);
  // Its kind, or none: a later duplicate replaces an earlier one, kind and all.
  if (hiddenKind !== undefined) {
    (listKinds ??= Object.create(null) as Record<string, ValueKind>)[key] = hiddenKind;
    hiddenKind = undefined;
  } else if (listKinds !== undefined) delete listKinds[key];
  return kept < o.maxAttributes;
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

/**
 * Walks an AnyValue exactly as readAnyValue reads it, building nothing: it throws where
 * readAnyValue would throw, so a lazily decoded value can be checked at ingest and read later.
 */
function checkAnyValue(r: WireReader, end: number, o: NormaliseOptions, depth: number): void {
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: {
        // A string read later is cut there (cut() counts that read, in no request): counted here, at ingest.
        const e = r.delimitedEnd();
        if (e - r.pos > o.maxAttributeLength && r.buf.toString('utf8', r.pos, e).length > o.maxAttributeLength) LIMIT_HITS.values++;
        r.pos = e;
        break;
      }
      case 16: r.uint32(); break;
      case 24: r.varint64(); break;
      case 42: {
        const e = r.delimitedEnd();
        if (depth >= o.maxDepth) { r.pos = e; break; }
        let n = 0;
        while (r.pos < e) {
          const t = r.uint32();
          if (t === 10) {
            const ve = r.delimitedEnd();
            if (n++ < o.maxAttributes) checkAnyValue(r, ve, o, depth + 1);
            r.pos = ve;
          } else r.skip(t & 7);
        }
        break;
      }
      case 50: {
        const e = r.delimitedEnd();
        if (depth >= o.maxDepth) { r.pos = e; break; }
        checkKeyValues(r, e, o, depth + 1, 1, 0);
        break;
      }
      default: r.skip(tag & 7);
    }
  }
  r.pos = end;
}

/** Checks one KeyValue (as readKeyValueInto reads it, without service.name's exception); returns the new kept count. */
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
    checkAnyValue(r, valueEnd, o, depth);
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
