/**
 * @module model/value-kinds: the AnyValue kinds a flat attribute value hides (an int64 kept as a
 * string, a whole or non-finite double, bytes as base64), as a side table beside the values, and its
 * serialisable form for stores that keep items as JSON. normalise/ records the kinds; export/ reads
 * them to give each value back its exact OTLP type. Imports nothing of ours.
 */
import type { AttrValue } from './model.js';

/** The AnyValue kind of a flat value that does not show it. */
export type ValueKind = 'int' | 'double' | 'bytes';

/**
 * Side table: for an attributes object or array value normalised from OTLP/JSON, the kinds of its
 * members (by key or index) whose flat value hides their AnyValue type. Weak, so it lives exactly as
 * long as the item (the memory store keeps the very objects; a store that serialises keeps a KindsTree).
 */
const VALUE_KINDS = new WeakMap<object, Record<string, ValueKind>>();

/** The hidden kinds of an attributes object's or array's members, if any were noted. */
export function valueKindsOf(container: object): Record<string, ValueKind> | undefined {
  return VALUE_KINDS.get(container);
}

/** Notes the hidden kinds of a container's members. */
export function setValueKinds(container: object, kinds: Record<string, ValueKind>): void {
  VALUE_KINDS.set(container, kinds);
}

/** The kinds noted anywhere inside a JSON value: `k` its own members', `c` its children's, by key or index. */
export interface KindsTree {
  k?: Record<string, ValueKind>;
  c?: Record<string, KindsTree>;
}

const MAX_DEPTH = 32;

/** The kinds noted inside `v` (any JSON value: an item, a list, attributes), or undefined when none. */
export function kindsTree(v: unknown, depth = 0): KindsTree | undefined {
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return undefined;
  let tree: KindsTree | undefined;
  const own = VALUE_KINDS.get(v);
  if (own !== undefined) tree = { k: { ...own } };
  const visit = (key: string, child: unknown) => {
    if (child === null || typeof child !== 'object') return;
    const sub = kindsTree(child, depth + 1);
    if (sub === undefined) return;
    tree ??= {};
    (tree.c ??= {})[key] = sub;
  };
  if (Array.isArray(v)) v.forEach((x, i) => visit(String(i), x));
  else for (const key of Object.keys(v)) visit(key, (v as Record<string, AttrValue>)[key]);
  return tree;
}

const KINDS = new Set<unknown>(['int', 'double', 'bytes']);

/** Notes again, on the matching containers of `v`, the kinds a kindsTree of it kept (malformed parts ignored). */
export function applyKindsTree(v: unknown, tree: unknown, depth = 0): void {
  if (v === null || typeof v !== 'object' || tree === null || typeof tree !== 'object' || depth > MAX_DEPTH) return;
  const t = tree as KindsTree;
  if (t.k && typeof t.k === 'object') {
    const own: Record<string, ValueKind> = Object.create(null) as Record<string, ValueKind>;
    for (const key of Object.keys(t.k)) if (KINDS.has(t.k[key])) own[key] = t.k[key];
    VALUE_KINDS.set(v, own);
  }
  if (t.c && typeof t.c === 'object') {
    for (const key of Object.keys(t.c)) {
      if (Object.prototype.hasOwnProperty.call(v, key)) applyKindsTree((v as Record<string, unknown>)[key], t.c[key], depth + 1);
    }
  }
}
