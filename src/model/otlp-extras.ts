/**
 * @module model/otlp-extras: the OTLP fields the model leaves out (trace state, flags, dropped counts,
 * a log's observed time and event name), kept on spans, events, links and log records normalised
 * from OTLP/JSON so that export gives them back. Items read from protobuf keep them in their wire
 * bytes instead (export/wire-typed.ts); and where the model's value was derived (a log's time from its
 * observed time, its severity text from the number) or its flat value hides the type (a log body),
 * what was sent. Present only when set: the common item
 * carries nothing. Held under a non-enumerable symbol, so §3 answers (JSON), equality and copies of
 * the model's fields do not see them; plus their serialisable form for stores that keep items as
 * JSON. Imports nothing of ours.
 */

import type { ValueKind } from './value-kinds.js';

/** A span's fields beyond the model (OTLP Span), each present only when not 0 / ''. */
export interface SpanExtras {
  traceState?: string;
  flags?: number;
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

/** A span event's (OTLP Span.Event). */
export interface EventExtras {
  droppedAttributesCount?: number;
}

/** A span link's (OTLP Span.Link). */
export interface LinkExtras {
  traceState?: string;
  droppedAttributesCount?: number;
  flags?: number;
}

/** A log record's (OTLP LogRecord). */
export interface LogExtras {
  /** The record's own time when it differs from the model's: '0', when the observed time stood in. */
  timeUnixNano?: string;
  /** The record's own severity text when it differs from the model's: '', when it was derived from the number. */
  severityText?: string;
  observedTimeUnixNano?: string;
  flags?: number;
  eventName?: string;
  droppedAttributesCount?: number;
  /** The AnyValue kind the flat body hides (model/value-kinds.ts). */
  bodyKind?: ValueKind;
  /** 1 when the record had no body (the model's body is then ''). */
  noBody?: 1;
}

export type OtlpExtras = SpanExtras | EventExtras | LinkExtras | LogExtras;

const EXTRAS: unique symbol = Symbol('tinyolly.otlpExtras');

type Holder<X> = { [EXTRAS]?: X };

/** The extras noted on an item (span, event, link, log record), if any. */
export function extrasOf<X extends OtlpExtras = OtlpExtras>(item: object): X | undefined {
  return (item as Holder<X>)[EXTRAS];
}

/** Notes an item's extras (normalise/ does, and stores reading items back). */
export function setExtras(item: object, extras: OtlpExtras): void {
  Object.defineProperty(item, EXTRAS, { value: extras, enumerable: false, writable: true, configurable: true });
}

/** Stored (JSON) form of one item's extras: each field under a short name. */
export type PackedExtras = Record<string, string | number>;

/** Field → its short stored name, and back. Strings first, then the uint32s. */
const SHORT: Record<string, string> = {
  traceState: 'ts', timeUnixNano: 't', severityText: 'st', observedTimeUnixNano: 'o', eventName: 'n',
  bodyKind: 'bk', noBody: 'nb', flags: 'f', droppedAttributesCount: 'da', droppedEventsCount: 'de', droppedLinksCount: 'dl',
};
const LONG: Record<string, string> = Object.fromEntries(Object.entries(SHORT).map(([k, v]) => [v, k]));
const STRINGS = new Set(['ts', 't', 'st', 'o', 'n']);
const KINDS = new Set<unknown>(['int', 'double', 'bytes']);

/** An item's extras in their stored form. */
export function packExtras(x: OtlpExtras): PackedExtras {
  const out: PackedExtras = {};
  for (const [k, v] of Object.entries(x as Record<string, string | number>)) if (SHORT[k] !== undefined) out[SHORT[k]] = v;
  return out;
}

/** Extras read back from their stored form: only the known fields of the right type; undefined when none. */
export function storedExtras(v: unknown): OtlpExtras | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  let out: Record<string, string | number> | undefined;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const long = Object.prototype.hasOwnProperty.call(LONG, k) ? LONG[k] : undefined;
    if (long === undefined) continue;
    const ok = k === 'bk' ? KINDS.has(x) : STRINGS.has(k) ? typeof x === 'string' : typeof x === 'number' && Number.isInteger(x) && x > 0 && x <= 0xffffffff;
    if (ok) (out ??= {})[long] = x as string | number;
  }
  return out;
}

/** The stored extras of a span and of its events and links: `s` the span's, `e`/`l` by index. */
export interface SpanExtrasTree {
  s?: PackedExtras;
  e?: Record<string, PackedExtras>;
  l?: Record<string, PackedExtras>;
}

function byIndex(items: readonly object[]): Record<string, PackedExtras> | undefined {
  let out: Record<string, PackedExtras> | undefined;
  for (let i = 0; i < items.length; i++) {
    const x = extrasOf(items[i]);
    if (x !== undefined) (out ??= {})[i] = packExtras(x);
  }
  return out;
}

/** What a span and its events and links note, stored, or undefined when nothing (the common case). */
export function spanExtrasTree(span: { events: readonly object[]; links: readonly object[] }): SpanExtrasTree | undefined {
  const s = extrasOf(span);
  const e = byIndex(span.events);
  const l = byIndex(span.links);
  if (s === undefined && e === undefined && l === undefined) return undefined;
  const tree: SpanExtrasTree = {};
  if (s !== undefined) tree.s = packExtras(s);
  if (e !== undefined) tree.e = e;
  if (l !== undefined) tree.l = l;
  return tree;
}

function applyByIndex(items: unknown, tree: unknown): void {
  if (!Array.isArray(items) || tree === null || typeof tree !== 'object') return;
  for (const [k, x] of Object.entries(tree as Record<string, unknown>)) {
    const item: unknown = Object.prototype.hasOwnProperty.call(items, k) ? items[Number(k)] : undefined;
    const extras = storedExtras(x);
    if (item !== null && typeof item === 'object' && extras !== undefined) setExtras(item, extras);
  }
}

/** Notes again on a span read back from JSON what a spanExtrasTree of it kept (malformed parts ignored). */
export function applySpanExtrasTree(span: { events: unknown; links: unknown }, tree: unknown): void {
  if (tree === null || typeof tree !== 'object') return;
  const t = tree as SpanExtrasTree;
  const s = storedExtras(t.s);
  if (s !== undefined) setExtras(span, s);
  applyByIndex(span.events, t.e);
  applyByIndex(span.links, t.l);
}

/** Approximate JSON size of an item's extras (0 when none), for memory caps. */
export function extrasBytes(item: object): number {
  const x = extrasOf<Record<string, string | number>>(item);
  if (x === undefined) return 0;
  let n = 16;
  for (const k in x) {
    const v = x[k];
    n += k.length + 4 + (typeof v === 'string' ? v.length + 18 : 8);
  }
  return n;
}
