/**
 * @module store/redis/span-codec: the compact stored form of spans. A span is kept as a JSON array
 * without what its key and trace already say (traceId, spanId) and with its service and resource
 * replaced by a digest into the trace's resource hash, so a resource is stored once per trace.
 */
import { createHash } from 'node:crypto';
import type { Attributes, Scope, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../../model/model.js';

/** Stored form of one resource (with its service): `[service, resource]`. */
export type StoredResource = [string, Attributes];

/** Stored form of one span (version 1). */
type StoredSpan = [
  1, string, string | null, string, SpanKind, string, string, number, StatusCode, string,
  Attributes, string, string, SpanEvent[], SpanLink[],
];

/** Encodes the resources of one batch once each: keyed by object identity (the normaliser shares them), then service. */
export class ResourceTable {
  private readonly byObject = new Map<Attributes, Map<string, [string, string]>>();

  /** [digest, encoded `[service, resource]` JSON] of (service, resource), encoded the first time it is seen. */
  entryOf(service: string, resource: Attributes): [string, string] {
    let perService = this.byObject.get(resource);
    if (!perService) this.byObject.set(resource, (perService = new Map()));
    let entry = perService.get(service);
    if (entry === undefined) {
      const json = JSON.stringify([service, resource] satisfies StoredResource);
      entry = [createHash('sha1').update(json).digest('base64url').slice(0, 16), json];
      perService.set(service, entry);
    }
    return entry;
  }
}

/** The compact JSON of a span whose resource has the given digest. */
export function encodeSpan(s: Span, resourceDigest: string): string {
  const stored: StoredSpan = [
    1, resourceDigest, s.parentSpanId, s.name, s.kind, s.startTimeUnixNano, s.endTimeUnixNano, s.durationMs,
    s.status.code, s.status.message, s.attributes, s.scope.name, s.scope.version, s.events, s.links,
  ];
  return JSON.stringify(stored);
}

/**
 * Rebuilds the model Span from its stored value (the compact array, or a whole Span object as older
 * versions stored it). Undefined when malformed or when its resource is missing (evicted).
 */
export function decodeSpan(traceId: string, spanId: string, value: unknown, resources: Map<string, StoredResource>): Span | undefined {
  if (Array.isArray(value)) {
    const v = value as StoredSpan;
    if (v[0] !== 1 || v.length !== 15) return undefined;
    const res = resources.get(v[1]);
    if (!res) return undefined;
    const scope: Scope = { name: v[11], version: v[12] };
    return {
      traceId,
      spanId,
      parentSpanId: v[2],
      name: v[3],
      kind: v[4],
      startTimeUnixNano: v[5],
      endTimeUnixNano: v[6],
      durationMs: v[7],
      status: { code: v[8], message: v[9] },
      service: res[0],
      attributes: v[10],
      resource: res[1],
      scope,
      events: v[13],
      links: v[14],
    };
  }
  if (value && typeof value === 'object' && (value as Span).traceId === traceId) return value as Span;
  return undefined;
}
