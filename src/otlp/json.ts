/**
 * @module otlp/json: OTLP/JSON bodies → decoded OTLP requests. The JSON keeps its own spelling
 * (hex ids, int64 as string or number, enums as int or name), read later through wire/values.ts.
 */
import { TinyOllyError } from '../errors.js';
import type { Signal } from './types.js';

/** The top-level array key of each signal's export request. */
export const TOP_KEY: Record<Signal, string> = {
  traces: 'resourceSpans',
  logs: 'resourceLogs',
  metrics: 'resourceMetrics',
};

/** A run of 16+ digits somewhere: the only case where JSON.parse could round an integer. */
const LONG_DIGITS = /\d{16}/;

/**
 * Turns integer literals of 16+ digits outside strings into strings, so that 64-bit values sent as
 * JSON numbers (OTLP/JSON allows it; so does the seed's JSON) keep every digit through JSON.parse.
 * Every reader of such fields accepts decimal strings. Other text is copied unchanged.
 */
export function quoteLongIntegers(text: string): string {
  let out = '';
  let copiedTo = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) { // a string: skip to its closing quote
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
      continue;
    }
    if (c !== 45 && (c < 48 || c > 57)) continue;
    let j = i + 1;
    while (j < n) {
      const d = text.charCodeAt(j);
      if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) j++;
      else break;
    }
    const token = text.slice(i, j);
    if (/^-?\d{16,}$/.test(token)) {
      out += text.slice(copiedTo, i) + '"' + token + '"';
      copiedTo = j;
    }
    i = j - 1;
  }
  return copiedTo === 0 ? text : out + text.slice(copiedTo);
}

/**
 * Parses a JSON body, keeping integers of 16+ digits exact (as strings); throws
 * TinyOllyError('invalid') when it is not JSON.
 */
export function parseJsonBody(body: Buffer | string): unknown {
  try {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    return JSON.parse(LONG_DIGITS.test(text) ? quoteLongIntegers(text) : text);
  } catch (err) {
    throw new TinyOllyError('invalid', `invalid JSON: ${(err as Error).message}`);
  }
}

/** Whether a parsed JSON document is an OTLP export request (not the seed's simple shape). */
export function isOtlpJson(signal: Signal, doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && TOP_KEY[signal] in doc;
}

/**
 * Checks the structure of an OTLP/JSON request enough that the normaliser can walk it:
 * the top-level key must be an array (or absent/null). Items of the wrong shape are
 * rejected per item by the normaliser, not here.
 */
export function checkOtlpJson<T>(signal: Signal, doc: unknown): T {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new TinyOllyError('invalid', 'an OTLP/JSON export request must be a JSON object');
  }
  const top = (doc as Record<string, unknown>)[TOP_KEY[signal]];
  if (top !== undefined && top !== null && !Array.isArray(top)) {
    throw new TinyOllyError('invalid', `${TOP_KEY[signal]} must be an array`);
  }
  return doc as T;
}
