/**
 * @module api/compare: GET /api/compare (CONTRACT §12), two traces (`a`, `b`) or two windows of one
 * root operation (`root`, `service`, `a_start`…`b_end`, unix seconds). Translates the parameters,
 * reads the Store and hands the span lists to compare/compare.ts. Registered inside the guarded /api plugin.
 */
import type { FastifyInstance } from 'fastify';
import { compareSides } from '../compare/compare.js';
import { TinyOllyError } from '../errors.js';
import type { Span } from '../model/model.js';
import { percentile } from '../query/services.js';
import { traceSummaryPages } from '../query/trace-pages.js';
import { summariseTrace } from '../query/traces.js';
import type { Store } from '../store/store.js';
import { strictNumber } from './params.js';

/** At most this many traces are compared per window (the newest ones). */
export const MAX_WINDOW_TRACES = 1000;
/** At most this many trace summaries are read per window looking for them. */
export const MAX_WINDOW_SCANNED = 20_000;
const TRACE_ID = /^[0-9a-f]{32}$/;

const str = { type: 'string', maxLength: 1024 } as const;
export const COMPARE_QUERY_SCHEMA = {
  type: 'object',
  properties: { a: str, b: str, root: str, service: str, a_start: str, a_end: str, b_start: str, b_end: str },
} as const;

function invalid(message: string): never {
  throw new TinyOllyError('invalid', message);
}

/**
 * Every trace in [start, end] whose root span is named exactly `root` (and, with `service`, is of
 * that service), newest first, at most MAX_WINDOW_TRACES. The store's `name` filter (a substring
 * of any span name) only narrows the pages read: a trace counts when its root span's name equals
 * `root`, so `GET /orders/:id` or a child span named `GET /orders` never take a place. Incomplete
 * traces (root span not received, the summary's root is a child's) are left out. At most
 * MAX_WINDOW_SCANNED summaries are read per window.
 */
async function windowTraces(store: Store, root: string, service: string | undefined, start: number, end: number): Promise<Span[][]> {
  const out: Span[][] = [];
  let scanned = 0;
  for await (const t of traceSummaryPages(store, { start, end, name: root, service })) {
    if (++scanned > MAX_WINDOW_SCANNED || out.length >= MAX_WINDOW_TRACES) break;
    if (t.incomplete || t.rootName !== root || (service !== undefined && t.rootService !== service)) continue;
    const spans = await store.getTrace(t.traceId);
    if (spans && spans.length > 0) out.push(spans);
  }
  return out;
}

function windowSummary(root: string, service: string | undefined, start: number, end: number, traces: Span[][]) {
  const sums = traces.map((s) => summariseTrace(s[0].traceId, s));
  return {
    rootName: root, rootService: service ?? null, start, end, traceCount: sums.length,
    p50Ms: percentile(sums.map((s) => s.durationMs), 50), p95Ms: percentile(sums.map((s) => s.durationMs), 95),
    errorTraceCount: sums.filter((s) => s.errorCount > 0).length,
  };
}

/** Registers GET /compare (relative to the /api plugin). */
export function compareRoutes(app: FastifyInstance, opts: { store: Store }): void {
  const { store } = opts;
  app.get('/compare', { schema: { querystring: COMPARE_QUERY_SCHEMA } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const blank = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
    const root = blank(q.root);
    if (root === undefined) {
      const a = blank(q.a)?.toLowerCase();
      const b = blank(q.b)?.toLowerCase();
      if (a === undefined || b === undefined) invalid('compare needs a and b (trace ids), or root with a_start, a_end, b_start, b_end');
      if (!TRACE_ID.test(a) || !TRACE_ID.test(b)) invalid('a and b must be 32 hex digit trace ids');
      const [sa, sb] = await Promise.all([store.getTrace(a), store.getTrace(b)]);
      for (const [id, s] of [[a, sa], [b, sb]] as const) {
        if (!s || s.length === 0) return reply.code(404).send({ error: `trace ${id} not found` });
      }
      const summary = (id: string, spans: Span[]) => {
        const t = summariseTrace(id, spans);
        return { traceId: id, rootName: t.rootName, rootService: t.rootService, durationMs: t.durationMs, spanCount: t.spanCount, errorCount: t.errorCount };
      };
      return { a: summary(a, sa!), b: summary(b, sb!), ...compareSides([sa!], [sb!]) };
    }
    const service = blank(q.service);
    const need = (name: string) => strictNumber(name, q[name]) ?? invalid(`${name} is required with root`);
    const [aStart, aEnd, bStart, bEnd] = [need('a_start'), need('a_end'), need('b_start'), need('b_end')];
    if (aStart > aEnd || bStart > bEnd) invalid('a window (or b window) starts after it ends');
    const [ta, tb] = await Promise.all([windowTraces(store, root, service, aStart, aEnd), windowTraces(store, root, service, bStart, bEnd)]);
    return {
      a: windowSummary(root, service, aStart, aEnd, ta), b: windowSummary(root, service, bStart, bEnd, tb),
      ...compareSides(ta, tb, true),
    };
  });
}
