/**
 * @module wire/read-options: the §6 limits (CONTRACT §6) that reading checked wire bytes applies, at
 * ingest and again whenever a stored byte-backed item is read. normalise/options.ts extends them with
 * what only a whole request needs (items per request, buckets, log ids).
 */

export interface WireReadOptions {
  /** Attributes kept per span, event, link, log record, resource or kvlist; the rest are dropped. */
  maxAttributes: number;
  /** String values and log bodies longer than this are cut and end with '…'. */
  maxAttributeLength: number;
  /** Events kept per span. */
  maxEvents: number;
  /** Links kept per span. */
  maxLinks: number;
  /** AnyValue nesting depth kept; deeper values become null. */
  maxDepth: number;
}

/** TinyOlly's default limits (config.ts maps the TINYOLLY_MAX_* settings onto them). */
export const DEFAULT_WIRE_READ_OPTIONS: Readonly<WireReadOptions> = Object.freeze({
  maxAttributes: 128,
  maxAttributeLength: 4096,
  maxEvents: 128,
  maxLinks: 128,
  maxDepth: 16,
});
