/**
 * @module doctor/doctor: the instrumentation doctor (CONTRACT §9), an observer of ingest. Each stored
 * batch is queued (bounded) and checked on the next turn of the event loop, or at once when findings
 * are read, so an export never waits for the rules. Every structure is a fixed-size map with
 * oldest-first eviction; nothing scans the store. Orphans settle by time, lazily (on read and on
 * each batch): a child's parent must arrive within `orphanSettleMs` (30 s).
 *
 * Bounded by count and by bytes: every string kept is at most a few hundred characters (`compact`:
 * a long id, name or service is kept as a copy of its head plus its length and a hash, never as the
 * original or a slice of it), and the two big maps have byte budgets (`maxBytes`, estimated: three
 * quarters for the spans seen, a quarter for the children waiting, so a backlog of children never
 * shrinks the window parents are looked up in), oldest entries first.
 */
import type { AttrValue, LogRecord, Span } from '../model/model.js';
import { compact, head, MAX_SERVICE_CHARS } from '../model/value-rules.js';
import type { IngestEvent } from '../ingest/ingester.js';
import { attributeOf, WireBacked } from '../wire/wire-backed.js';
import { DEPRECATED_ATTRIBUTES, RULE_BY_ID, RULES, SEVERITY_RANK, type Severity } from './rules.js';

/** An example of a finding; `attribute` names the span attribute at fault (present, or missing as http.route), when one is. */
export type Example = { traceId: string; spanId: string; attribute?: string } | { logId: string };

export interface Finding {
  rule: string;
  severity: Severity;
  title: string;
  count: number;
  /** Unix seconds (float). */
  firstSeen: number;
  lastSeen: number;
  services: string[];
  examples: Example[];
  hint: string;
}

export interface DoctorReport {
  findings: Finding[];
  rules: { rule: string; severity: Severity; title: string; enabled: boolean }[];
}

export interface DoctorOptions {
  /** How long a child waits for its parent before it is an orphan. */
  orphanSettleMs?: number;
  /** The clock (ms), injectable for tests. */
  now?: () => number;
  /** The string length limit of CONTRACT §6 (cut values are this long plus '…'). */
  maxAttributeLength?: number;
  /** Distinct names of one (service, kind, template) that make span names high-cardinality. */
  cardinalityThreshold?: number;
  /** Rule ids switched off. */
  disabled?: Iterable<string>;
  /**
   * Spans and log records checked per second at most (default 5,000): beyond it, batches are left
   * unchecked, so the doctor's CPU stays a bounded share however fast data arrives.
   */
  maxItemsPerSecond?: number;
  /** Bounds (tests lower them). */
  maxSeenSpans?: number;
  maxPending?: number;
  /** Children waiting for a parent, over all parents. */
  maxPendingChildren?: number;
  maxQueuedItems?: number;
  /** Estimated bytes of the spans seen and the children waiting together (default 64 MiB; see the module note). */
  maxBytes?: number;
}

const MAX_EXAMPLES = 5;
const MAX_SERVICES = 50;
const MAX_FINDINGS = 1000;
const MAX_SHAPES = 4096;
const MAX_TEMPLATES = 2048;
const MAX_LOG_SERVICES = 1024;
const MAX_ID_CHARS = 64;
const MAX_NAME_CHARS = 128;
const MAX_TIME_CHARS = 32;
/** Fixed cost of a seen span or a waiting child (object, Map entry, key), in bytes. */
const ENTRY_OVERHEAD_BYTES = 200;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;



interface Acc {
  rule: string;
  subject: string;
  count: number;
  firstMs: number;
  lastMs: number;
  services: Set<string>;
  examples: Example[];
}

interface SeenSpan { service: string; start: string; end: string; name: string; kind: string; bytes: number }
interface PendingChild { traceId: string; spanId: string; service: string; start: string; end: string; kind: string; atMs: number; bytes: number }

/** Inserts into a Map used as a bounded, insertion-ordered cache: the oldest entry goes first. */
function putBounded<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
  if (m.size >= max && !m.has(k)) {
    const oldest = m.keys().next();
    if (!oldest.done) m.delete(oldest.value);
  }
  m.set(k, v);
}

const bytesOf = (...parts: string[]): number => {
  let n = ENTRY_OVERHEAD_BYTES;
  for (const p of parts) n += 2 * p.length;
  return n;
};

function attr(s: Span, key: string): AttrValue | undefined {
  return attributeOf(s, key);
}

const EXCEPTION = Buffer.from('exception');

/**
 * False when the span surely has no `exception` event: a span still in its wire bytes is searched
 * for the word (native, no decoding) before its events are decoded.
 */
function mayHaveException(s: Span): boolean {
  return !(s instanceof WireBacked) || s.wireBytes().indexOf(EXCEPTION) >= 0;
}

/** Nanosecond decimal strings → BigInt, or undefined when not a number. */
function big(ns: string): bigint | undefined {
  try { return BigInt(ns); } catch { return undefined; }
}

const SKEW_NS = 1_000_000n;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const HEX_ID = /\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/gi;
const NUMBER = /\d+/g;
const URL_HOST = /[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+/gi;
const QUERY = /\?\S*/g;

/** A span name with its variable parts (ids, numbers, URL hosts and queries) replaced; the name itself when it has none. */
export function nameTemplate(name: string): string {
  if (!/[0-9]|:\/\/|\?/.test(name)) return name;
  return name.replace(URL_HOST, '{url}').replace(QUERY, '?{query}').replace(UUID, '{uuid}').replace(HEX_ID, '{hex}').replace(NUMBER, '{n}');
}

export class Doctor {
  private readonly settleMs: number;
  private readonly now: () => number;
  private readonly maxLen: number;
  private readonly threshold: number;
  private readonly maxSeen: number;
  private readonly maxPending: number;
  private readonly maxPendingChildren: number;
  private readonly maxSeenBytes: number;
  private readonly maxPendingBytes: number;
  /** Estimated bytes of `seen` and of `pending`, and the children in `pending`. */
  private seenBytes = 0;
  private pendingBytes = 0;
  private pendingChildren = 0;
  private readonly maxQueued: number;
  /** The byte budget of the spans seen and the children waiting together. */
  readonly maxBytes: number;
  private readonly maxPerSecond: number;
  private budgetSecond = -1;
  private budgetUsed = 0;
  /** When a batch was last left unchecked: a child waiting then may have missed its parent. */
  private lastSkipMs = -Infinity;
  private readonly disabled: Set<string>;

  private findingsMap = new Map<string, Acc>();
  /** traceId:spanId → what children need of a parent (bounded). */
  private seen = new Map<string, SeenSpan>();
  /** parent traceId:spanId → children waiting for it (insertion order = oldest first). */
  private pending = new Map<string, PendingChild[]>();
  /** service\0kind\0name checked for attribute-level rules (deprecated names, cut values). */
  private shapes = new Set<string>();
  /** service\0kind\0template → distinct names (up to the threshold). */
  private templates = new Map<string, Set<string>>();
  /** Deprecated attribute reported for a service. */
  private deprecatedSeen = new Set<string>();
  private spanServices = new Set<string>();
  private logServices = new Map<string, { withTrace: number; without: number; firstMs: number; lastMs: number; examples: string[] }>();
  private queue: IngestEvent[] = [];
  private queued = 0;
  private scheduled = false;
  /** Batches not checked because the queue was full. */
  skippedItems = 0;

  constructor(opts: DoctorOptions = {}) {
    this.settleMs = opts.orphanSettleMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    this.maxLen = opts.maxAttributeLength ?? 4096;
    this.threshold = opts.cardinalityThreshold ?? 10;
    this.maxSeen = opts.maxSeenSpans ?? 100_000;
    this.maxPending = opts.maxPending ?? 20_000;
    this.maxPendingChildren = opts.maxPendingChildren ?? 50_000;
    const maxBytes = (this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES);
    this.maxPendingBytes = Math.floor(maxBytes / 4);
    this.maxSeenBytes = maxBytes - this.maxPendingBytes;
    this.maxQueued = opts.maxQueuedItems ?? 200_000;
    this.maxPerSecond = opts.maxItemsPerSecond ?? 5_000;
    this.disabled = new Set(opts.disabled ?? []);
  }

  /** The ingest observer: queues the batch (bounded) and checks it on the next turn. Never throws. */
  readonly observer = (event: IngestEvent): void => {
    const n = event.signal === 'metrics' ? 0 : event.items.length;
    const second = Math.floor(event.receivedAtMs / 1000);
    if (second !== this.budgetSecond) { this.budgetSecond = second; this.budgetUsed = 0; }
    if (this.queued + n > this.maxQueued || this.budgetUsed + n > this.maxPerSecond) {
      this.skippedItems += n;
      this.lastSkipMs = event.receivedAtMs;
      return;
    }
    this.budgetUsed += n;
    this.queue.push(event);
    this.queued += n;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; this.flush(); });
    }
  };

  /** Checks whatever is queued, now. */
  flush(): void {
    const q = this.queue;
    this.queue = [];
    this.queued = 0;
    for (const e of q) {
      try { this.check(e); } catch { /* a rule must never break ingest or the doctor */ }
    }
  }

  /** Checks one stored batch synchronously (tests call it directly). */
  check(event: IngestEvent): void {
    const atMs = event.receivedAtMs;
    if (event.signal === 'traces') {
      for (const s of event.items) this.checkSpan(s, atMs);
    } else if (event.signal === 'logs') {
      for (const l of event.items) this.checkLog(l, atMs);
    } else if (event.refused > 0) {
      const svc = event.items[0]?.service ?? 'unknown_service';
      this.record('limits-hit', 'series', svc, atMs, undefined, event.refused);
    }
    this.settle(this.now());
  }

  /** Forgets every finding and what the rules remember (DELETE /api/data). */
  reset(): void {
    this.flush();
    this.findingsMap.clear();
    this.seen.clear();
    this.pending.clear();
    this.seenBytes = 0;
    this.pendingBytes = 0;
    this.pendingChildren = 0;
    this.shapes.clear();
    this.templates.clear();
    this.deprecatedSeen.clear();
    this.spanServices.clear();
    this.logServices.clear();
  }

  private record(rule: string, subject: string, service: string, atMs: number, example: Example | undefined, n = 1): void {
    if (this.disabled.has(rule)) return;
    const key = rule + '\0' + subject;
    let a = this.findingsMap.get(key);
    if (!a) {
      if (this.findingsMap.size >= MAX_FINDINGS) return;
      a = { rule, subject, count: 0, firstMs: atMs, lastMs: atMs, services: new Set(), examples: [] };
      this.findingsMap.set(key, a);
    }
    a.count += n;
    if (atMs < a.firstMs) a.firstMs = atMs;
    if (atMs > a.lastMs) a.lastMs = atMs;
    if (a.services.size < MAX_SERVICES) a.services.add(service);
    if (example && a.examples.length < MAX_EXAMPLES) a.examples.push(example);
  }

  /** Estimated bytes of the spans seen and the children waiting (at most `maxBytes`). */
  get bytes(): number {
    return this.seenBytes + this.pendingBytes;
  }

  private forgetSeen(key: string): void {
    const v = this.seen.get(key);
    if (v) { this.seen.delete(key); this.seenBytes -= v.bytes; }
  }

  private forgetPending(key: string): PendingChild[] | undefined {
    const list = this.pending.get(key);
    if (!list) return undefined;
    this.pending.delete(key);
    this.pendingChildren -= list.length;
    for (const c of list) this.pendingBytes -= c.bytes;
    return list;
  }

  private rememberSeen(key: string, v: SeenSpan): void {
    while (this.seen.size > 0 && (this.seen.size >= this.maxSeen || this.seenBytes + v.bytes > this.maxSeenBytes)) {
      this.forgetSeen(this.seen.keys().next().value as string);
    }
    this.seen.set(key, v);
    this.seenBytes += v.bytes;
  }

  private addPending(pkey: string, child: PendingChild): void {
    const list = this.pending.get(pkey);
    if (list && list.length >= 64) return;
    // Oldest parents' waiting children go first.
    while (this.pending.size > 0 && (this.pendingChildren >= this.maxPendingChildren || (!list && this.pending.size >= this.maxPending)
      || this.pendingBytes + child.bytes > this.maxPendingBytes)) {
      const oldest = this.pending.keys().next().value as string;
      if (oldest === pkey) break;
      this.forgetPending(oldest);
    }
    // Only this parent's own children are left and still over a bound: the child is not remembered.
    if (this.pendingChildren >= this.maxPendingChildren || this.pendingBytes + child.bytes > this.maxPendingBytes) return;
    const current = this.pending.get(pkey);
    if (current) current.push(child); else this.pending.set(pkey, [child]);
    this.pendingChildren++;
    this.pendingBytes += child.bytes;
  }

  private checkSpan(s: Span, atMs: number): void {
    const svc = compact(s.service, MAX_SERVICE_CHARS);
    const traceId = compact(s.traceId, MAX_ID_CHARS);
    const spanId = compact(s.spanId, MAX_ID_CHARS);
    const ex = { traceId, spanId };
    if (this.spanServices.size < MAX_LOG_SERVICES) this.spanServices.add(svc);
    if (svc.startsWith('unknown_service')) this.record('missing-service-name', '', svc, atMs, ex);

    const start = compact(s.startTimeUnixNano, MAX_TIME_CHARS);
    const end = compact(s.endTimeUnixNano, MAX_TIME_CHARS);
    const key = traceId + '\0' + spanId;
    const name = compact(s.name, MAX_NAME_CHARS);
    const before = this.seen.get(key);
    if (before) {
      // The same span sent again (an exporter retry) is not a duplicate; a different one is.
      if (before.name !== name || before.start !== start) this.record('duplicate-span-id', '', svc, atMs, ex);
    } else {
      this.rememberSeen(key, { service: svc, start, end, name, kind: s.kind, bytes: bytesOf(key, svc, start, end, name) });
    }
    // Children that waited for this span.
    const waiting = this.forgetPending(key);
    if (waiting) for (const c of waiting) this.skew(c, svc, s.kind, start, end, atMs);
    if (s.parentSpanId) {
      const pkey = traceId + '\0' + compact(s.parentSpanId, MAX_ID_CHARS);
      const parent = this.seen.get(pkey);
      const child = { traceId, spanId, service: svc, start, end, kind: s.kind, atMs, bytes: bytesOf(pkey, traceId, spanId, svc, start, end) };
      if (parent) this.skew(child, parent.service, parent.kind, parent.start, parent.end, atMs);
      else if (!before) this.addPending(pkey, child);
    }

    const status = s.status.code;
    if (status === 'UNSET' && mayHaveException(s) && s.events.some((e) => e.name === 'exception')) {
      this.record('exception-without-error', '', svc, atMs, ex);
    }
    if (s.kind === 'SERVER') {
      const method = attr(s, 'http.request.method') ?? attr(s, 'http.method');
      if (method !== undefined) {
        const code = Number(attr(s, 'http.response.status_code') ?? attr(s, 'http.status_code'));
        if (status === 'UNSET' && code >= 500 && code <= 599) {
          const key = attr(s, 'http.response.status_code') !== undefined ? 'http.response.status_code' : 'http.status_code';
          this.record('server-error-not-marked', '', svc, atMs, { ...ex, attribute: key });
        }
        // A 404 (no route matched) legitimately has no route.
        if (code !== 404 && attr(s, 'http.route') === undefined) this.record('http-server-without-route', '', svc, atMs, { ...ex, attribute: 'http.route' });
      }
    }

    // The head of a long name: its template regexps are quadratic in the length (and it is a long
    // name's head that tells its template).
    const nameHead = head(s.name, MAX_NAME_CHARS);
    const template = nameTemplate(nameHead);
    if (template !== nameHead) {
      const tkey = svc + '\0' + s.kind + '\0' + compact(template, MAX_SERVICE_CHARS);
      let names = this.templates.get(tkey);
      if (!names) { names = new Set(); putBounded(this.templates, tkey, names, MAX_TEMPLATES); }
      if (names.size < this.threshold) names.add(name);
      if (names.size >= this.threshold) this.record('high-cardinality-span-name', tkey, svc, atMs, ex);
    }
    if (s.name.length === this.maxLen + 1 && s.name.endsWith('…')) this.record('limits-hit', 'value', svc, atMs, ex);

    // Attribute names: one span of each (service, kind, name) shape is decoded in full.
    const shape = svc + '\0' + s.kind + '\0' + name;
    if (this.shapes.has(shape)) return;
    if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
    this.shapes.add(shape);
    const attrs = s.attributes;
    for (const k in attrs) {
      const v = attrs[k];
      if (typeof v === 'string' && v.length === this.maxLen + 1 && v.endsWith('…')) this.record('limits-hit', 'value', svc, atMs, { ...ex, attribute: k });
      const current = DEPRECATED_ATTRIBUTES[k];
      if (current === undefined || !Object.hasOwn(DEPRECATED_ATTRIBUTES, k)) continue;
      // Both names at once is the SDK's migration mode (…_STABILITY_OPT_IN=http/dup): intended.
      if (Object.hasOwn(attrs, current.split(' ')[0])) continue;
      const dkey = svc + '\0' + k;
      if (this.deprecatedSeen.has(dkey)) continue;
      if (this.deprecatedSeen.size < 4096) this.deprecatedSeen.add(dkey);
      this.record('deprecated-semconv', k, svc, atMs, { ...ex, attribute: k });
    }
  }

  /**
   * Across services only (in one process a child may outlive its parent: async work). A child that
   * starts before its parent is skew whatever the kinds; one that ends after it is not (the real
   * app's Express SERVER spans end up to 20 ms after their caller's CLIENT span on one host: the
   * server span ends once the response is flushed), so the end side counts only when a SERVER
   * child starts after its CLIENT parent ended.
   */
  private skew(c: PendingChild, parentService: string, parentKind: string, pStart: string, pEnd: string, atMs: number): void {
    if (c.service === parentService) return;
    const ps = big(pStart), pe = big(pEnd), cs = big(c.start), ce = big(c.end);
    if (ps === undefined || pe === undefined || cs === undefined || ce === undefined || ps === 0n || cs === 0n) return;
    if (cs < ps - SKEW_NS || (parentKind === 'CLIENT' && c.kind === 'SERVER' && pe > 0n && cs > pe + SKEW_NS && ce > pe + SKEW_NS)) {
      this.record('clock-skew', '', c.service, atMs, { traceId: c.traceId, spanId: c.spanId });
    }
  }

  private checkLog(l: LogRecord, atMs: number): void {
    const svc = compact(l.service, MAX_SERVICE_CHARS);
    const logId = compact(l.id, MAX_ID_CHARS);
    if (svc.startsWith('unknown_service')) this.record('missing-service-name', '', svc, atMs, { logId });
    if (typeof l.body === 'string' && l.body.length === this.maxLen + 1 && l.body.endsWith('…')) this.record('limits-hit', 'value', svc, atMs, { logId });
    let s = this.logServices.get(svc);
    if (!s) {
      if (this.logServices.size >= MAX_LOG_SERVICES) return;
      s = { withTrace: 0, without: 0, firstMs: atMs, lastMs: atMs, examples: [] };
      this.logServices.set(svc, s);
    }
    if (l.traceId) s.withTrace++;
    else {
      s.without++;
      s.lastMs = Math.max(s.lastMs, atMs);
      if (s.examples.length < MAX_EXAMPLES) s.examples.push(logId);
    }
  }

  /** Children whose parent has not come within the settle time become orphans. */
  private settle(nowMs: number): void {
    for (const [pkey, list] of this.pending) {
      const first = list[0];
      if (nowMs - first.atMs < this.settleMs) break; // insertion order: the rest are younger
      this.forgetPending(pkey);
      // A batch left unchecked since the child came may have held its parent: not an orphan then.
      if (this.lastSkipMs >= first.atMs) continue;
      for (const c of list) this.record('orphan-span', '', c.service, c.atMs, { traceId: c.traceId, spanId: c.spanId });
    }
  }

  /**
   * The findings of CONTRACT §9, most severe first; `service` keeps those that name it; `disable`
   * leaves out the findings of these rules for this answer only (GET /api/doctor?disable=), and
   * their `enabled` is false. A rule switched off at construction is never evaluated.
   */
  report(service?: string, disable?: Iterable<string>): DoctorReport {
    this.flush();
    this.settle(this.now());
    const off = disable === undefined ? this.disabled : new Set([...this.disabled, ...disable]);
    const accs = [...this.findingsMap.values()].filter((a) => !off.has(a.rule));
    for (const [svc, s] of this.logServices) {
      if (off.has('log-without-trace-context')) break;
      if (s.withTrace === 0 && s.without > 0 && this.spanServices.has(svc)) {
        accs.push({
          rule: 'log-without-trace-context', subject: svc, count: s.without, firstMs: s.firstMs, lastMs: s.lastMs,
          services: new Set([svc]), examples: s.examples.map((logId) => ({ logId })),
        });
      }
    }
    const findings: Finding[] = [];
    const svc = service === undefined ? undefined : compact(service, MAX_SERVICE_CHARS);
    for (const a of accs) {
      if (svc !== undefined && !a.services.has(svc)) continue;
      const info = RULE_BY_ID.get(a.rule)!;
      findings.push({
        rule: a.rule,
        severity: info.severity,
        title: this.title(a, info.title),
        count: a.count,
        firstSeen: a.firstMs / 1000,
        lastSeen: a.lastMs / 1000,
        services: [...a.services].sort(),
        examples: a.examples.slice(0, MAX_EXAMPLES),
        hint: this.hint(a, info.hint),
      });
    }
    findings.sort((x, y) => SEVERITY_RANK[x.severity] - SEVERITY_RANK[y.severity] || y.count - x.count || (x.rule < y.rule ? -1 : x.rule > y.rule ? 1 : 0));
    return {
      findings,
      rules: RULES.map((r) => ({ rule: r.rule, severity: r.severity, title: r.title, enabled: !off.has(r.rule) })),
    };
  }

  private title(a: Acc, title: string): string {
    if (a.rule === 'deprecated-semconv') return `Deprecated attribute ${a.subject} (use ${DEPRECATED_ATTRIBUTES[a.subject]})`;
    if (a.rule === 'high-cardinality-span-name') {
      const [, kind, template] = a.subject.split('\0');
      return `High-cardinality span names: ${template} (${kind})`;
    }
    if (a.rule === 'limits-hit' && a.subject === 'series') return 'Metric points refused: series limit per metric reached';
    return title;
  }

  private hint(a: Acc, hint: string): string {
    if (a.rule === 'deprecated-semconv') return `Rename ${a.subject} to ${DEPRECATED_ATTRIBUTES[a.subject]}. ${hint}`;
    return hint;
  }
}
