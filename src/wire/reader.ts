/**
 * @module wire/reader: a minimal protobuf wire-format reader over a Buffer, for the fused decoders
 * that read OTLP straight into the model (normalise/*-protobuf.ts) and every later read of a stored
 * byte-backed item (wire/). Malformed input throws TinyOllyError('invalid'); nothing else escapes.
 */
import { TinyOllyError } from '../errors.js';

const TWO_32 = 4294967296;

function truncated(): never {
  throw new TinyOllyError('invalid', 'cannot decode protobuf: truncated or malformed message');
}

/**
 * Exact decimal text of the unsigned 64-bit value hi·2^32 + lo, without BigInt:
 * split as (hi·4294)·10^6 + (hi·967296 + lo), both parts exact in a double.
 */
export function u64Decimal(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  const a = hi * 4294;
  const b = hi * 967296 + lo;
  const high = a + Math.floor(b / 1e6);
  const low = b % 1e6;
  return String(high) + String(low).padStart(6, '0');
}

// Buffer's own slice decoders, called directly: toString(enc, start, end) adds a dispatch per call.
interface FastBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
}

/** A cursor over one protobuf message (or a sub-range of one). */
export class WireReader {
  pos: number;

  readonly buf: FastBuffer;

  /** Reads never go past this (a caller may narrow it to a sub-message and restore it). */
  end: number;

  constructor(buf: Buffer, start: number, end: number) {
    this.end = end;
    this.buf = buf as FastBuffer;
    this.pos = start;
  }

  /** Reads a varint and returns its low 32 bits as an unsigned number. */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) truncated();
    let b = buf[pos++];
    let value = b & 0x7f;
    if (b < 0x80) { this.pos = pos; return value; }
    let shift = 7;
    for (; shift < 28; shift += 7) {
      if (pos >= this.end) truncated();
      b = buf[pos++];
      value |= (b & 0x7f) << shift;
      if (b < 0x80) { this.pos = pos; return value >>> 0; }
    }
    if (pos >= this.end) truncated();
    b = buf[pos++];
    value = (value | ((b & 0x0f) << 28)) >>> 0;
    // Bits past 32 are dropped (as for int32 fields sent as 10-byte negatives).
    for (let i = 0; b >= 0x80; i++) {
      if (i >= 5 || pos >= this.end) truncated();
      b = buf[pos++];
    }
    this.pos = pos;
    return value;
  }

  /** Reads a varint as a full 64-bit value; sets `lo`/`hi` (unsigned 32-bit halves). */
  varint64(): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    let i = 0;
    for (; i < 4; i++) {
      if (pos >= this.end) truncated();
      b = buf[pos++];
      lo |= (b & 0x7f) << (i * 7);
      if (b < 0x80) { this.lo = lo >>> 0; this.hi = 0; this.pos = pos; return; }
    }
    if (pos >= this.end) truncated();
    b = buf[pos++];
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (i = 0; i < 5; i++) {
        if (pos >= this.end) truncated();
        b = buf[pos++];
        hi |= (b & 0x7f) << (i * 7 + 3);
        if (b < 0x80) break;
      }
      if (b >= 0x80) truncated();
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    this.pos = pos;
  }

  lo = 0;
  hi = 0;

  /** Reads a fixed64; sets `lo`/`hi`. */
  fixed64(): void {
    if (this.pos + 8 > this.end) truncated();
    this.lo = this.buf.readUInt32LE(this.pos);
    this.hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
  }

  /** A fixed64 as exact decimal text. */
  fixed64Decimal(): string {
    this.fixed64();
    return u64Decimal(this.lo, this.hi);
  }

  double(): number {
    if (this.pos + 8 > this.end) truncated();
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end of the delimited range (bounds-checked). */
  delimitedEnd(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.end) truncated();
    return end;
  }

  string(): string {
    const end = this.delimitedEnd();
    const s = end > this.pos ? this.buf.utf8Slice(this.pos, end) : '';
    this.pos = end;
    return s;
  }

  /**
   * Like string(), for a value that will be cut to `maxChars` UTF-16 code units: a longer string
   * is decoded only as far as certainly holds more than `maxChars` of them (3 bytes per code unit at
   * most, plus one partial character), so cut() gives the same answer without a 150 KB name being
   * decoded first. The reader moves past the whole field either way.
   */
  stringAtMost(maxChars: number): string {
    const end = this.delimitedEnd();
    const bound = this.pos + 3 * maxChars + 6;
    const s = end > this.pos ? this.buf.utf8Slice(this.pos, end > bound ? bound : end) : '';
    this.pos = end;
    return s;
  }

  /** Length-delimited bytes as lowercase hex. */
  hex(): string {
    const end = this.delimitedEnd();
    const s = end > this.pos ? this.buf.hexSlice(this.pos, end) : '';
    this.pos = end;
    return s;
  }

  private lastIdStart = -1;
  private lastIdLength = -1;
  private lastId = '';

  /**
   * Like hex(), but returns the very same string as the previous call when the bytes are equal:
   * the spans of one trace then share one trace-id string instead of each holding a copy.
   */
  hexShared(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    const length = end - start;
    this.pos = end;
    if (length === this.lastIdLength && this.buf.compare(this.buf, this.lastIdStart, this.lastIdStart + length, start, end) === 0) {
      return this.lastId;
    }
    this.lastIdStart = start;
    this.lastIdLength = length;
    this.lastId = length > 0 ? this.buf.hexSlice(start, end) : '';
    return this.lastId;
  }

  /** Length-delimited bytes as base64. */
  base64(): string {
    const end = this.delimitedEnd();
    const s = end > this.pos ? this.buf.base64Slice(this.pos, end) : '';
    this.pos = end;
    return s;
  }

  /** Skips a field of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0: this.varint64(); return;
      case 1: if (this.pos + 8 > this.end) truncated(); this.pos += 8; return;
      case 2: this.pos = this.delimitedEnd(); return;
      case 5: if (this.pos + 4 > this.end) truncated(); this.pos += 4; return;
      default: throw new TinyOllyError('invalid', `cannot decode protobuf: unsupported wire type ${wireType}`);
    }
  }
}
