/**
 * @module store/redis/span-codec: the compact stored form of spans. A span is kept as a JSON array
 * with its service and resource replaced by a digest into the trace's resource hash, so a resource
 * is stored once per trace. A span read from protobuf is stored as its own wire bytes (version 2:
 * no attribute or event is decoded or re-encoded on the way in, and reads decode them under the
 * same limits as ingest); other spans as JSON without what the key says (version 1), with the OTLP
 * fields the model leaves out when they have some (older stored arrays, without them, still read).
 */
import { createHash } from 'node:crypto';
import type { Attributes, Scope, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../../model/model.js';
import { applyKindsTree, kindsTree, type KindsTree } from '../../model/value-kinds.js';
import { applySpanExtrasTree, spanExtrasTree, type SpanExtrasTree } from '../../model/otlp-extras.js';
import type { WireReadOptions } from '../../wire/read-options.js';
import { spanFromWire, WireSpan } from '../../wire/wire-span.js';

/** Stored form of one resource (with its service): `[service, resource]`, plus its attributes' kinds when any were noted. */
export type StoredResource = [string, Attributes] | [string, Attributes, KindsTree];

/** A stored resource as read back (its kinds noted again); undefined when malformed. */
export function storedResource(v: unknown): StoredResource | undefined {
  if (!Array.isArray(v) || (v.length !== 2 && v.length !== 3) || typeof v[0] !== 'string' || !v[1] || typeof v[1] !== 'object') return undefined;
  if (v.length === 3) applyKindsTree(v[1], v[2]);
  return [v[0], v[1] as Attributes];
}

/**
 * Stored form of one span (version 1), with the scope's other fields (or null) when it has some, then
 * the kinds noted in the span's attributes, events and links (or null) when there are any, and then
 * the OTLP fields the model leaves out (model/otlp-extras.ts) when it or its events or links have some.
 */
type StoredSpan = [
  1, string, string | null, string, SpanKind, string, string, number, StatusCode, string,
  Attributes, string, string, SpanEvent[], SpanLink[], (ScopeExtras | null)?, (KindsTree | null)?, SpanExtrasTree?,
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
      const kinds = kindsTree(resource);
      const json = JSON.stringify((kinds === undefined ? [service, resource] : [service, resource, kinds]) satisfies StoredResource);
      entry = [createHash('sha1').update(json).digest('base64url').slice(0, 16), json];
      perService.set(service, entry);
    }
    return entry;
  }
}

/** Stored form of a span kept as its wire bytes (version 2): digest, scope name and version, base64 Span message, and the scope's other fields when it has some. */
type StoredWireSpan = [2, string, string, string, string] | [2, string, string, string, string, ScopeExtras];

/** A scope's fields besides name and version (stored only when it has one of them), with its attributes' kinds when noted. */
export type ScopeExtras = Omit<Scope, 'name' | 'version'> & { kinds?: KindsTree };

/** The scope's fields besides name and version, or undefined when it has none (the common case). */
export function scopeExtras(scope: Scope): ScopeExtras | undefined {
  if (scope.attributes === undefined && scope.schemaUrl === undefined && scope.resourceSchemaUrl === undefined) return undefined;
  const x: ScopeExtras = {};
  if (scope.attributes !== undefined) x.attributes = scope.attributes;
  if (scope.schemaUrl !== undefined) x.schemaUrl = scope.schemaUrl;
  if (scope.resourceSchemaUrl !== undefined) x.resourceSchemaUrl = scope.resourceSchemaUrl;
  const kinds = kindsTree(scope.attributes);
  if (kinds !== undefined) x.kinds = kinds;
  return x;
}

/** A stored scope: name, version and, when stored, its other fields (malformed extras are ignored). */
export function storedScope(name: unknown, version: unknown, extras: unknown): Scope {
  const scope: Scope = { name: String(name), version: String(version) };
  if (extras && typeof extras === 'object' && !Array.isArray(extras)) {
    const x = extras as ScopeExtras;
    if (x.attributes && typeof x.attributes === 'object') {
      applyKindsTree(x.attributes, x.kinds);
      scope.attributes = x.attributes;
    }
    if (typeof x.schemaUrl === 'string') scope.schemaUrl = x.schemaUrl;
    if (typeof x.resourceSchemaUrl === 'string') scope.resourceSchemaUrl = x.resourceSchemaUrl;
  }
  return scope;
}

/** `,<extras JSON>` to end a stored array with, or '' when the scope has none. */
export function scopeExtrasSuffix(scope: Scope): string {
  const x = scopeExtras(scope);
  return x === undefined ? '' : ',' + JSON.stringify(x);
}

/** The compact JSON of a span whose resource has the given digest. */
export function encodeSpan(s: Span, resourceDigest: string): string {
  if (s instanceof WireSpan) {
    // As JSON.stringify of the StoredWireSpan array would write it, without scanning the base64 (and the
    // digest, base64url) for characters to escape: they have none.
    return '[2,"' + resourceDigest + '",' + JSON.stringify(s.scope.name) + ',' + JSON.stringify(s.scope.version) + ',"'
      + s.wireBytes().toString('base64') + '"' + scopeExtrasSuffix(s.scope) + ']';
  }
  const stored: StoredSpan = [
    1, resourceDigest, s.parentSpanId, s.name, s.kind, s.startTimeUnixNano, s.endTimeUnixNano, s.durationMs,
    s.status.code, s.status.message, s.attributes, s.scope.name, s.scope.version, s.events, s.links,
  ];
  const extras = scopeExtras(s.scope);
  const kinds = kindsTree(stored);
  const otlp = spanExtrasTree(s);
  if (extras !== undefined || kinds !== undefined || otlp !== undefined) stored.push(extras ?? null);
  if (kinds !== undefined || otlp !== undefined) stored.push(kinds ?? null);
  if (otlp !== undefined) stored.push(otlp);
  return JSON.stringify(stored);
}

/**
 * Rebuilds the model Span from its stored value (the compact array, or a whole Span object as older
 * versions stored it). Undefined when malformed or when its resource is missing (evicted).
 */
export function decodeSpan(traceId: string, spanId: string, value: unknown, resources: Map<string, StoredResource>, o: WireReadOptions): Span | undefined {
  if (Array.isArray(value) && value[0] === 2) {
    const v = value as StoredWireSpan;
    if ((v.length !== 5 && v.length !== 6) || typeof v[4] !== 'string') return undefined;
    const res = resources.get(v[1]);
    if (!res) return undefined;
    const span = spanFromWire(Buffer.from(v[4], 'base64'), res[0], res[1], storedScope(v[2], v[3], v[5]), o);
    return span && span.traceId === traceId && span.spanId === spanId ? span : undefined;
  }
  if (Array.isArray(value)) {
    const v = value as StoredSpan;
    if (v[0] !== 1 || v.length < 15 || v.length > 18) return undefined;
    const res = resources.get(v[1]);
    if (!res) return undefined;
    if (v.length >= 17) applyKindsTree(v, v[16]);
    const scope: Scope = storedScope(v[11], v[12], v[15]);
    const span: Span = {
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
    if (v.length === 18) applySpanExtrasTree(span, v[17]);
    return span;
  }
  if (value && typeof value === 'object' && (value as Span).traceId === traceId) return value as Span;
  return undefined;
}
