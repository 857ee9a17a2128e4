/**
 * @module normalise/decoded-request: the Request → Resource → Scope → item walk over a decoded
 * OTLP request (protobufjs objects or OTLP/JSON, which may hold anything), shared by the generic
 * normalisers; the fused protobuf decoders walk the bytes instead (normalise/request-walk.ts, wire/any-value.ts).
 */
import type { Attributes, Scope } from '../model/model.js';
import { cut } from '../model/value-rules.js';
import { attributes, serviceName } from './attributes.js';
import type { OtlpResource, OtlpScope } from './otlp-types.js';
import type { NormaliseOptions } from './options.js';

/** Array-typed field or [] (OTLP/JSON may carry anything). */
export function list<T>(x: T[] | null | undefined): T[] {
  return Array.isArray(x) ? x : [];
}

/**
 * An InstrumentationScope → {name, version} (cut to the attribute length limit, CONTRACT §6), plus
 * its attributes and the scope's and resource's schema_url when set (export gives them back).
 */
export function scopeOf(s: OtlpScope | null | undefined, o: NormaliseOptions, schemaUrl?: unknown, resourceSchemaUrl?: unknown): Scope {
  const scope: Scope = !s || typeof s !== 'object'
    ? { name: '', version: '' }
    : {
      name: typeof s.name === 'string' ? cut(s.name, o.maxAttributeLength) : '',
      version: typeof s.version === 'string' ? cut(s.version, o.maxAttributeLength) : '',
    };
  if (s && typeof s === 'object' && Array.isArray(s.attributes) && s.attributes.length > 0) scope.attributes = attributes(s.attributes, o);
  if (typeof schemaUrl === 'string' && schemaUrl !== '') scope.schemaUrl = cut(schemaUrl, o.maxAttributeLength);
  if (typeof resourceSchemaUrl === 'string' && resourceSchemaUrl !== '') scope.resourceSchemaUrl = cut(resourceSchemaUrl, o.maxAttributeLength);
  return scope;
}

/** Reads one item of a scope; undefined (or a throw) means the item is rejected. */
export type DecodedItemReader<I, T> = (item: I, service: string, resource: Attributes, scope: Scope) => T | undefined;

/**
 * Walks resources (`resources`), their scopes (`scopesOf`) and the scopes' items (`itemsOf`),
 * reading each item with `read`. Resources and scopes that are not objects are skipped; items
 * past `maxItems`, that are not objects, or that `read` refuses or throws on, count as rejected.
 */
export function walkDecodedRequest<R extends { resource?: OtlpResource | null; schemaUrl?: unknown }, S extends { scope?: OtlpScope | null; schemaUrl?: unknown }, I, T>(
  resources: R[] | null | undefined, scopesOf: (r: R) => S[] | null | undefined, itemsOf: (s: S) => I[] | null | undefined,
  o: NormaliseOptions, read: DecodedItemReader<I, T>,
): { items: T[]; rejected: number } {
  const items: T[] = [];
  let rejected = 0;
  for (const r of list(resources)) {
    if (!r || typeof r !== 'object') continue;
    const resource = attributes(r.resource?.attributes, o, 0, true);
    const service = serviceName(resource);
    for (const s of list(scopesOf(r))) {
      if (!s || typeof s !== 'object') continue;
      const scope = scopeOf(s.scope, o, s.schemaUrl, r.schemaUrl);
      for (const item of list(itemsOf(s))) {
        if (items.length >= o.maxItems) { rejected++; continue; }
        let read_: T | undefined;
        try {
          read_ = item && typeof item === 'object' ? read(item, service, resource, scope) : undefined;
        } catch {
          read_ = undefined;
        }
        if (read_ !== undefined) items.push(read_);
        else rejected++;
      }
    }
  }
  return { items, rejected };
}
