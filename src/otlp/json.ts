/**
 * @module otlp/json: OTLP/JSON bodies → decoded OTLP requests. The JSON keeps its own spelling
 * (hex ids, int64 as string or number, enums as int or name), read later through otlp/values.ts.
 */
import { TinyOllyError } from '../errors.js';
import type { Signal } from './types.js';

/** The top-level array key of each signal's export request. */
export const TOP_KEY: Record<Signal, string> = {
  traces: 'resourceSpans',
  logs: 'resourceLogs',
  metrics: 'resourceMetrics',
};

/** Parses a JSON body; throws TinyOllyError('invalid') when it is not JSON. */
export function parseJsonBody(body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
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
