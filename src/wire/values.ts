/**
 * @module wire/values: readers for the scalar fields whose representation differs by encoding
 * (ids, 64-bit integers, enums, doubles, times), over protobufjs Longs, OTLP/JSON strings and the
 * reader's 32-bit halves alike. Total functions: odd input gives a best-effort value, never a throw.
 * The decoded message shapes built of these scalars are normalise/otlp-types.ts.
 */
import { u64Decimal } from './reader.js';

/** Ids: Uint8Array from protobuf, hex string from OTLP/JSON. */
export type OtlpBytes = Uint8Array | string | number[];
/** 64-bit integers: Long-like object from protobuf, string or number from OTLP/JSON. */
export type OtlpInt64 = string | number | { low: number; high: number; unsigned?: boolean };
/** Enums: number from protobuf, number or enum name from OTLP/JSON. */
export type OtlpEnum = number | string;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Id bytes (or OTLP/JSON hex) → lowercase hex; '' for absent or empty. */
export function idHex(v: OtlpBytes | undefined | null): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.toLowerCase();
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (!Array.isArray(v) && !(v instanceof Uint8Array)) return typeof v === 'number' ? String(v) : '';
  const n = v.length;
  if (n === 0) return '';
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[(v as number[])[i] & 255];
  return s;
}

/** Bytes (or OTLP/JSON base64) → base64. */
export function bytesBase64(v: OtlpBytes | undefined | null): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64');
  if (Array.isArray(v)) return Buffer.from(v.map((x) => Number(x) & 255)).toString('base64');
  return '';
}

const TWO_32 = 4294967296;

function longToString(low: number, high: number, unsigned: boolean): string {
  const lo = low >>> 0;
  const hi = high >>> 0;
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  if (!unsigned && hi >= 0x80000000) {
    const big = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
    return big.toString();
  }
  return u64Decimal(lo, hi);
}

/**
 * An unsigned 64-bit value (timestamps, counts) → exact decimal string. '0' when absent.
 * Numbers keep what precision they have; non-numeric strings give '0'.
 */
export function u64String(v: OtlpInt64 | undefined | null): string {
  if (v === undefined || v === null) return '0';
  if (typeof v === 'string') return /^\d{1,20}$/.test(v) ? v.replace(/^0+(?=\d)/, '') : '0';
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= 0) return '0';
    return v < Number.MAX_SAFE_INTEGER ? String(Math.trunc(v)) : BigInt(Math.trunc(v)).toString();
  }
  if (typeof v === 'object' && typeof v.low === 'number') return longToString(v.low, v.high, true);
  return '0';
}

/** A 64-bit integer → number when within ±2^53, else an exact decimal string (CONTRACT §3). */
export function int64Value(v: OtlpInt64 | undefined | null, signed = true): number | string {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 0;
    const t = Math.trunc(v);
    // Beyond ±2^53 a value is a string (CONTRACT §3), as the same value sent in protobuf would be.
    return Number.isSafeInteger(t) ? t : BigInt(t).toString();
  }
  let s: string;
  if (typeof v === 'string') {
    if (!/^-?\d{1,20}$/.test(v)) return 0;
    s = v;
  } else if (typeof v === 'object' && typeof v.low === 'number') {
    const hi = v.high >>> 0;
    if (hi < 0x200000) return hi * TWO_32 + (v.low >>> 0);
    s = longToString(v.low, v.high, !signed || v.unsigned === true);
  } else return 0;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s.replace(/^(-?)0+(?=\d)/, '$1');
}

/** A count (uint64) as a JSON number (CONTRACT §5: histogram counts are numbers). */
export function countNumber(v: OtlpInt64 | undefined | null): number {
  const x = int64Value(v, false);
  return typeof x === 'number' ? x : Number(x);
}

/** A uint32/fixed32 (flags, dropped counts) from a number or (OTLP/JSON) a decimal string; 0 when absent or not one. */
export function u32Number(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : 0;
  return Number.isInteger(n) && n > 0 && n <= 0xffffffff ? n : 0;
}

/** An enum as number, from a number or (OTLP/JSON) its name; unknown names give -1. */
export function enumNumber(v: OtlpEnum | undefined | null, names: Record<string, number>): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Number.isInteger(v) ? v : -1;
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return Number(v);
    const n = names[v];
    return n === undefined ? -1 : n;
  }
  return -1;
}

/** A double from protobuf or OTLP/JSON (which may spell NaN/Infinity as strings). */
export function doubleValue(v: number | string | undefined | null): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  const n = Number(v);
  return Number.isNaN(n) ? NaN : n;
}

/** Nanosecond decimal string → unix seconds (float). */
export function nanosToSeconds(nanos: string): number {
  const n = nanos.length;
  if (n <= 9) return Number(nanos) / 1e9;
  return Number(nanos.slice(0, n - 9)) + Number(nanos.slice(n - 9)) / 1e9;
}

/**
 * Unix seconds as a JSON number → exact nanosecond decimal string, keeping the precision the
 * number's own decimal form has (1700000000.123 → "1700000000123000000").
 */
export function secondsToNanos(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '0';
  let text = String(seconds);
  if (/e/i.test(text)) text = seconds.toFixed(9);
  const [whole, frac = ''] = text.split('.');
  const nanos = (whole + (frac + '000000000').slice(0, 9)).replace(/^0+(?=\d)/, '');
  return nanos;
}
