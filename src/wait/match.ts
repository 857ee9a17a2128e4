/**
 * @module wait/match: the filters of GET /api/wait (CONTRACT §10, the list routes' filters of §4)
 * evaluated on one trace or one log record, criterion by criterion, so that a miss can say in words
 * why it missed ("service checkout, but status ERROR, wanted OK"). Pure; the waiting is wait/waiters.ts.
 */
import type { LogRecord, Span } from '../model/model.js';
import { attrText, spanHasAttribute } from '../query/traces.js';

export interface AttrFilter {
  key: string;
  value: string;
}

/** Filters of a wait for traces: a trace matches when every given criterion holds (§4 semantics). */
export interface TraceWaitFilter {
  service?: string;
  /** Case-insensitive substring of any span name. */
  name?: string;
  status?: 'error' | 'ok' | 'unset';
  /** Every one must be met by some span or resource attribute. */
  attrs: AttrFilter[];
  minDurationMs?: number;
  maxDurationMs?: number;
}

/** Filters of a wait for log records. */
export interface LogWaitFilter {
  service?: string;
  /** Minimum severity number. */
  minSeverity?: number;
  /** Case-insensitive substring of the body (its JSON text for structured bodies). */
  q?: string;
  traceId?: string;
  attrs: AttrFilter[];
}

/** One evaluation: whether it matched, what held, what did not, and how close it came (0..1). */
export interface Verdict {
  matched: boolean;
  held: string[];
  failed: string[];
  score: number;
}

/** "service checkout, name matched, but status ERROR, wanted OK". */
export function explain(v: Verdict): string {
  if (v.failed.length === 0) return v.held.length ? `matches (${v.held.join(', ')})` : 'matches';
  if (v.held.length === 0) return v.failed.join(', ');
  return `${v.held.join(', ')}, but ${v.failed.join(', ')}`;
}

function verdict(held: string[], failed: string[]): Verdict {
  const total = held.length + failed.length;
  return { matched: failed.length === 0, held, failed, score: total === 0 ? 1 : held.length / total };
}

function quote(s: string, max = 60): string {
  return JSON.stringify(s.length > max ? s.slice(0, max) + '…' : s);
}

function list(names: Iterable<string>, max = 3): string {
  const all = [...names];
  return all.slice(0, max).join(', ') + (all.length > max ? ` and ${all.length - max} more` : '');
}

function traceStatus(spans: readonly Span[]): 'ERROR' | 'OK' | 'UNSET' {
  let ok = false;
  for (const s of spans) {
    if (s.status.code === 'ERROR') return 'ERROR';
    if (s.status.code === 'OK') ok = true;
  }
  return ok ? 'OK' : 'UNSET';
}

/** The attribute criteria, as one phrase for each side ("3 of 4 attributes (missing k=v)"). */
function attrsPhrase(attrs: AttrFilter[], has: (a: AttrFilter) => boolean, valueOf: (key: string) => string | undefined, held: string[], failed: string[], words: boolean): void {
  if (attrs.length === 0) return;
  const missing = attrs.filter((a) => !has(a));
  if (!words) {
    (missing.length === 0 ? held : failed).push('');
    return;
  }
  const describe = (a: AttrFilter) => {
    const actual = valueOf(a.key);
    return actual === undefined ? `no ${a.key}` : `${a.key} is ${quote(actual, 40)}, wanted ${quote(a.value, 40)}`;
  };
  if (attrs.length === 1) {
    if (missing.length === 0) held.push(`${attrs[0].key}=${attrs[0].value}`);
    else failed.push(describe(attrs[0]));
    return;
  }
  const met = attrs.length - missing.length;
  if (missing.length === 0) held.push(`all ${attrs.length} attributes`);
  else failed.push(`${met} of ${attrs.length} attributes (${missing.slice(0, 2).map(describe).join('; ')}${missing.length > 2 ? '; …' : ''})`);
}

/**
 * Evaluates a trace's spans (and its duration, from its summary) against a filter.
 * The phrases name what the trace is, so a miss reads as a diagnosis. With `words` false the
 * verdict and score are the same but the phrases are empty (the cheap check of every arrival).
 */
export function matchTrace(spans: readonly Span[], durationMs: number, f: TraceWaitFilter, words = true): Verdict {
  const held: string[] = [];
  const failed: string[] = [];
  const say = (fn: () => string) => (words ? fn() : '');
  if (f.service !== undefined) {
    if (spans.some((s) => s.service === f.service)) held.push(say(() => `service ${f.service}`));
    else failed.push(say(() => `no span of service ${f.service} (services: ${list(new Set(spans.map((s) => s.service)))})`));
  }
  if (f.name !== undefined) {
    const needle = f.name.toLowerCase();
    const hit = spans.some((s) => s.name.toLowerCase().includes(needle));
    if (hit) held.push('name matched');
    else failed.push(say(() => `no span name contains ${quote(f.name!)} (names: ${list(new Set(spans.map((s) => quote(s.name, 40))))})`));
  }
  if (f.status !== undefined) {
    const actual = traceStatus(spans);
    if (actual === f.status.toUpperCase()) held.push(say(() => `status ${actual}`));
    else failed.push(say(() => `status ${actual}, wanted ${f.status!.toUpperCase()}`));
  }
  attrsPhrase(f.attrs, (a) => spans.some((s) => spanHasAttribute(s, a.key, a.value)), (key) => {
    for (const s of spans) {
      if (Object.hasOwn(s.attributes, key)) return attrText(s.attributes[key]);
      if (Object.hasOwn(s.resource, key)) return attrText(s.resource[key]);
    }
    return undefined;
  }, held, failed, words);
  if (f.minDurationMs !== undefined || f.maxDurationMs !== undefined) {
    const took = `took ${durationMs} ms`;
    if (f.minDurationMs !== undefined && durationMs < f.minDurationMs) failed.push(`${took}, wanted ≥ ${f.minDurationMs} ms`);
    else if (f.maxDurationMs !== undefined && durationMs > f.maxDurationMs) failed.push(`${took}, wanted ≤ ${f.maxDurationMs} ms`);
    else held.push(took);
  }
  return verdict(held, failed);
}

const SEVERITY_NAMES: [number, string][] = [[21, 'FATAL'], [17, 'ERROR'], [13, 'WARN'], [9, 'INFO'], [5, 'DEBUG'], [1, 'TRACE']];

function severityName(n: number): string {
  for (const [min, name] of SEVERITY_NAMES) if (n >= min) return name;
  return 'UNSPECIFIED';
}

/** The text `q` searches: the body itself, or its JSON text when structured. */
export function logBodyText(body: LogRecord['body']): string {
  return typeof body === 'string' ? body : JSON.stringify(body) ?? '';
}

/** Evaluates one log record against a filter (`words` as for matchTrace). */
export function matchLog(l: LogRecord, f: LogWaitFilter, words = true): Verdict {
  const held: string[] = [];
  const failed: string[] = [];
  if (f.service !== undefined) {
    if (l.service === f.service) held.push(`service ${f.service}`);
    else failed.push(`service ${l.service}, wanted ${f.service}`);
  }
  if (f.minSeverity !== undefined) {
    const name = l.severityText || severityName(l.severityNumber);
    if (l.severityNumber >= f.minSeverity) held.push(`severity ${name}`);
    else failed.push(`severity ${name}, wanted ≥ ${severityName(f.minSeverity)}`);
  }
  if (f.traceId !== undefined) {
    if (l.traceId === f.traceId) held.push('trace id matched');
    else failed.push(l.traceId ? `trace id ${l.traceId}, wanted ${f.traceId}` : 'no trace id');
  }
  if (f.q !== undefined) {
    const text = logBodyText(l.body);
    if (text.toLowerCase().includes(f.q.toLowerCase())) held.push(`body contains ${quote(f.q)}`);
    else failed.push(`body ${quote(text, 50)} does not contain ${quote(f.q)}`);
  }
  const valueOf = (key: string) => Object.hasOwn(l.attributes, key) ? attrText(l.attributes[key])
    : Object.hasOwn(l.resource, key) ? attrText(l.resource[key]) : undefined;
  const has = (a: AttrFilter) => (Object.hasOwn(l.attributes, a.key) && attrText(l.attributes[a.key]) === a.value)
    || (Object.hasOwn(l.resource, a.key) && attrText(l.resource[a.key]) === a.value);
  attrsPhrase(f.attrs, has, valueOf, held, failed, words);
  return verdict(held, failed);
}
