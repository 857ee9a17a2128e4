/**
 * @module model/value-rules: the rules a model value gets whichever path makes it: the generic
 * normalisers (normalise/), the fused decoders and every later read of a byte-backed item (wire/), and
 * the trace summaries (query/). Pure: strings cut to the §6 length limit, JSON's spelling of
 * non-finite doubles, severity text from its number, exact durations from nanosecond times. The
 * counters cut() adds to are model/limit-hits.ts.
 */
import type { JsonNumber } from './model.js';
import { LIMIT_HITS } from './limit-hits.js';

/** A number that JSON can carry, or the string spelling of NaN/±Infinity. */
export function jsonNumber(n: number): JsonNumber {
  if (Number.isFinite(n)) return n;
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

/**
 * Cuts a string past the limit, marking the cut with '…'. The result is a copy: V8 makes a slice
 * of a long string a view that keeps the whole original alive (a 150 KB name cut to 4 KB would
 * still hold 150 KB), and join builds a new flat string.
 */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  LIMIT_HITS.values++;
  return [s.slice(0, max), '…'].join('');
}

/** The first `max` characters of a string, as a copy (see cut), without a marker (for short limits). */
export function head(s: string, max: number): string {
  // A one-element join gives the slice itself back; a UTF-16 round trip copies every code unit as is.
  return s.length > max ? Buffer.from(s.slice(0, max), 'utf16le').toString('utf16le') : s;
}

/**
 * A string of its own holding the first `max` characters of s: V8 makes a substring of 13 characters
 * or more a slice of its parent (a regexp match, a split part, a header value may be one), and a copy
 * lets a long original go.
 */
export function own(s: string, max: number): string {
  if (s.length > max) return head(s, max);
  // A string of 12 characters or fewer is never a slice; a longer one may be, so it is copied whole.
  return s.length <= 12 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

/** A 32-bit FNV-1a hash of the UTF-16 code units. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * s itself when at most `max` characters; else a copy of its first `max` characters followed by its
 * length and a hash, so two long strings that differ anywhere still (almost surely) differ. The copy
 * lets the original go: a V8 slice would keep all of it alive.
 */
export function compact(s: string, max: number): string {
  if (s.length <= max) return s;
  return head(s, max) + `…${s.length}#${hash32(s).toString(36)}`;
}

/** Longest service name an observer (doctor, inspector) keeps and filters by; longer ones are compacted. */
export const MAX_SERVICE_CHARS = 256;

const SEVERITY_TEXT = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** OTLP severity number (1..24) → its short name; '' for 0 or out of range. */
export function severityTextOf(n: number): string {
  return n >= 1 && n <= 24 ? SEVERITY_TEXT[Math.floor((n - 1) / 4)] : '';
}

/** Whole milliseconds and the nanosecond remainder of a decimal nanosecond string, both exact. */
function splitNanos(nanos: string): [number, number] {
  const n = nanos.length;
  return n <= 6 ? [0, Number(nanos)] : [Number(nanos.slice(0, n - 6)), Number(nanos.slice(n - 6))];
}

/**
 * Milliseconds from start to end (nanosecond strings), exact to the nanosecond; 0 when end is before
 * start. A span's durationMs, and a trace summary's.
 */
export function durationBetweenMs(start: string, end: string): number {
  // Subtract the parts before adding them: a ~1.7e12 ms double has no room for nanoseconds.
  const [startMs, startNs] = splitNanos(start);
  const [endMs, endNs] = splitNanos(end);
  return Math.max(0, roundMs(endMs - startMs + (endNs - startNs) / 1e6));
}

/** Rounds milliseconds to nanosecond resolution, dropping float noise. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}
