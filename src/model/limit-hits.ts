/**
 * @module model/limit-hits: how often the §6 limits cut or dropped something, counted wherever a
 * limit applies (a string value cut by model/value-rules.ts cut, an attribute, event or link dropped
 * by the normalisers or the wire/ walk). A leaf both normalise/ and wire/ import. One
 * process-wide set of counters, never reset: normalising a request is synchronous, so the codec table
 * reads what one request added as the difference around its normalise call (otlp/codecs.ts),
 * and a later lazy read of a stored item, adding to them, falls in no request's difference.
 */

export interface LimitHits {
  /** Strings cut at maxAttributeLength (attribute values, log bodies, names). */
  values: number;
  /** Attributes dropped past maxAttributes. */
  attributes: number;
  /** Span events and links dropped past maxEvents / maxLinks. */
  items: number;
}

export const LIMIT_HITS: LimitHits = { values: 0, attributes: 0, items: 0 };

/** What the counters gained since they read `values`, `attributes`, `items`; undefined when nothing (no allocation then). */
export function limitHitsSince(values: number, attributes: number, items: number): LimitHits | undefined {
  if (LIMIT_HITS.values === values && LIMIT_HITS.attributes === attributes && LIMIT_HITS.items === items) return undefined;
  return { values: LIMIT_HITS.values - values, attributes: LIMIT_HITS.attributes - attributes, items: LIMIT_HITS.items - items };
}
