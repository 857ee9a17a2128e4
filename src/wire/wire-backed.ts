/**
 * @module wire/wire-backed: items (spans, log records) that keep their bulkier parts as checked wire
 * bytes until read, the compaction that stops them pinning a mostly wasted request buffer, and the
 * typed look-ups stores and filters use on any item (encodedSizeOf, attributeOf), cheap for these.
 * The items themselves: wire/wire-span.ts, wire/wire-log.ts.
 */
import type { AttrValue, Attributes, LogRecord, Span } from '../model/model.js';
import { attributesAt } from './any-value.js';
import { attributeAt } from './attribute-at.js';
import type { WireReadOptions } from './read-options.js';
import { WireReader } from './reader.js';

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
  readonly #o: WireReadOptions;

  constructor(buf: Buffer, start: number, end: number, o: WireReadOptions) {
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
  protected repeated<T>(tag: number, max: number, read: (r: WireReader, end: number, o: WireReadOptions) => T): T[] {
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

  protected get options(): WireReadOptions {
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
  get encodedSize(): number {
    return this.#end - this.#start;
  }

  /** The item's own attribute `key`, decoded alone; undefined when absent (see attributeOf). */
  abstract attribute(key: string): AttrValue | undefined;
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
  for (const s of items) total += s.encodedSize;
  if (requestBytes <= 2 * total) return;
  const into = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const s of items) at = s.moveTo(into, at);
}

/**
 * The encoded (wire) size in bytes of an item that knows it without being encoded again (a
 * byte-backed one); undefined for the others, which a store then estimates.
 */
export function encodedSizeOf(item: Span | LogRecord): number | undefined {
  return item instanceof WireBacked ? item.encodedSize : undefined;
}

/**
 * An item's own attribute `key` (not its resource's); undefined when it has none by that key. A
 * byte-backed item decodes that one value alone, leaving the rest encoded.
 */
export function attributeOf(item: Span | LogRecord, key: string): AttrValue | undefined {
  if (item instanceof WireBacked) return item.attribute(key);
  return Object.hasOwn(item.attributes, key) ? item.attributes[key] : undefined;
}
