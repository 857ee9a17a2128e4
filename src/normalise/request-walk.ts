/**
 * @module normalise/request-walk: the Request → Resource → Scope → item walk of the fused protobuf
 * decoders, whose field numbers are the same for traces, logs and metrics (1 resource_*, then 1
 * resource / 2 scope_*, then 1 scope / 2 items), with the resource's service.name and the scope read
 * on the way. Reading the items is wire/ (spans, logs) or normalise/metrics-protobuf.ts (points);
 * AnyValues and KeyValues are wire/any-value.ts's.
 */
import type { Attributes, Scope } from '../model/model.js';
import { cut } from '../model/value-rules.js';
import { attributesAt, readKeyValues } from '../wire/any-value.js';
import { WireReader } from '../wire/reader.js';
import { serviceName } from './attributes.js';
import type { NormaliseOptions } from './options.js';

/** InstrumentationScope: 1 name, 2 version, cut to the attribute length limit (CONTRACT §6); 3 attributes when it has some. */
export function readScope(r: WireReader, end: number, o: NormaliseOptions): Scope {
  const start = r.pos;
  let name = '';
  let version = '';
  let hasAttributes = false;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) name = r.stringAtMost(o.maxAttributeLength);
    else if (tag === 18) version = r.stringAtMost(o.maxAttributeLength);
    else { if (tag === 26) hasAttributes = true; r.skip(tag & 7); }
  }
  const scope: Scope = { name: cut(name, o.maxAttributeLength), version: cut(version, o.maxAttributeLength) };
  if (hasAttributes) scope.attributes = attributesAt(r, start, end, o, 3);
  return scope;
}

/**
 * A Scope{Spans,Logs,Metrics} message's scope (field 1) and schema_url (field 3), with the
 * resource's schema_url, as one Scope (the reader left where it was).
 */
export function readScopeGroup(r: WireReader, end: number, o: NormaliseOptions, resourceSchemaUrl: string): Scope {
  const start = r.pos;
  let scope: Scope | undefined;
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) { const e = r.delimitedEnd(); scope = readScope(r, e, o); r.pos = e; }
    else if (tag === 26) schemaUrl = r.stringAtMost(o.maxAttributeLength);
    else r.skip(tag & 7);
  }
  r.pos = start;
  scope ??= { name: '', version: '' };
  if (schemaUrl !== '') scope.schemaUrl = cut(schemaUrl, o.maxAttributeLength);
  if (resourceSchemaUrl !== '') scope.resourceSchemaUrl = cut(resourceSchemaUrl, o.maxAttributeLength);
  return scope;
}

/** Reads one item of a scope; undefined means the item is rejected. */
export type ItemReader<T> = (r: WireReader, end: number, service: string, resource: Attributes, scope: Scope) => T | undefined;

/** Called for each ScopeX message (spanning up to `end`, the reader at its start) with its resource and the resource's schema_url. */
export type ScopeVisitor = (r: WireReader, end: number, service: string, resource: Attributes, resourceSchemaUrl: string) => void;

/**
 * Walks an Export*ServiceRequest down to its scopes: every resource (its attributes and schema_url
 * read first, wherever they sit on the wire), then every scope message of it. The field numbers are
 * the same for traces, logs and metrics (1 resource_*; in it 1 resource, 2 scope_*, 3 schema_url).
 */
export function walkScopes(buf: Buffer, o: NormaliseOptions, visit: ScopeVisitor): void {
  const r = new WireReader(buf, 0, buf.length);
  while (r.pos < buf.length) {
    const tag = r.uint32();
    if (tag !== 10) { r.skip(tag & 7); continue; }
    const end = r.delimitedEnd();
    const start = r.pos;
    let resource: Attributes = {};
    let schemaUrl = '';
    while (r.pos < end) {
      const t = r.uint32();
      if (t === 10) { const e = r.delimitedEnd(); resource = readKeyValues(r, e, o, 0, true, 1); r.pos = e; }
      else if (t === 26) schemaUrl = r.stringAtMost(o.maxAttributeLength);
      else r.skip(t & 7);
    }
    const service = serviceName(resource);
    r.pos = start;
    while (r.pos < end) {
      const t = r.uint32();
      if (t !== 18) { r.skip(t & 7); continue; }
      const e = r.delimitedEnd();
      visit(r, e, service, resource, schemaUrl);
      r.pos = e;
    }
    r.pos = end;
  }
}

/** Called for each item message of a scope (spanning up to `end`, the reader at its start); the walk moves past it afterwards. */
export type ItemVisitor = (r: WireReader, end: number, service: string, resource: Attributes, scope: Scope) => void;

/**
 * Walks an Export*ServiceRequest down to its items: every resource, every scope (1 scope, 3
 * schema_url), every item message (2), visited with its resource and scope.
 */
export function walkItems(buf: Buffer, o: NormaliseOptions, visit: ItemVisitor): void {
  walkScopes(buf, o, (r, end, service, resource, resourceSchemaUrl) => {
    const scope = readScopeGroup(r, end, o, resourceSchemaUrl);
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag !== 18) { r.skip(tag & 7); continue; }
      const e = r.delimitedEnd();
      visit(r, e, service, resource, scope);
      r.pos = e;
    }
  });
}

/**
 * Walks an Export*ServiceRequest: every resource, every scope, every item. Items past `maxItems`,
 * and those the reader refuses, are counted as rejected.
 */
export function walkRequest<T>(buf: Buffer, o: NormaliseOptions, readItem: ItemReader<T>): { items: T[]; rejected: number } {
  const items: T[] = [];
  let rejected = 0;
  walkItems(buf, o, (r, end, service, resource, scope) => {
    if (items.length >= o.maxItems) { rejected++; return; }
    const item = readItem(r, end, service, resource, scope);
    if (item !== undefined) items.push(item);
    else rejected++;
  });
  return { items, rejected };
}
