/**
 * @module normalise/options: the limits every normaliser applies to untrusted input (CONTRACT §6).
 * Those a later read of stored wire bytes applies too are wire/read-options.ts's.
 */
import { DEFAULT_WIRE_READ_OPTIONS, type WireReadOptions } from '../wire/read-options.js';

/** The limits of reading (wire/read-options.ts), plus those that apply to a whole request. */
export interface NormaliseOptions extends WireReadOptions {
  /** Spans, log records or data points kept per export request; the rest are rejected. */
  maxItems: number;
  /**
   * Buckets per histogram point (explicit: bucket counts or bounds; exponential: positive plus
   * negative buckets) and quantiles per summary point; a point with more is rejected.
   */
  maxBuckets: number;
  /** Unique id for a log record. */
  nextLogId: () => string;
}

let counter = 0;
const PROCESS_TAG = Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, '0');

/** Log ids unique across processes sharing a store: time, a per-process tag and a counter. */
let lastMs = -1;
let lastPrefix = '';

export function defaultLogId(): string {
  counter = (counter + 1) % 1e9;
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastPrefix = now.toString(36) + PROCESS_TAG;
  }
  return lastPrefix + counter.toString(36);
}

export const DEFAULT_NORMALISE_OPTIONS: NormaliseOptions = {
  ...DEFAULT_WIRE_READ_OPTIONS,
  maxItems: 100_000,
  maxBuckets: 1024,
  nextLogId: defaultLogId,
};

/** The result of normalising one export request. */
export interface Normalised<T> {
  items: T[];
  /** Items that could not be kept (counted in partial_success). */
  rejected: number;
  /** Why, when something was rejected. */
  message?: string;
}
