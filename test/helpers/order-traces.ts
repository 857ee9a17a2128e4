/**
 * @module test/helpers/order-traces: sends one request-shaped trace with the official SDK at
 * explicit times (so durations are exact): a root, `queries` database calls in sequence under it
 * (an N+1 loop when many), and an optional slow child. For the compare tests (issue 19).
 */
import { ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';

export interface OrderShape {
  /** Root span name (default `GET /orders`). */
  root?: string;
  /** Database calls in sequence under the root, each `queryMs` long (default 1 × 2 ms). */
  queries?: number;
  queryMs?: number;
  statement?: string;
  /** A `render` child of this many ms after the queries (absent when undefined). */
  renderMs?: number;
}

/** Starts the trace at `t0Ms` (unix ms) and ends every span; returns the trace id (flush is the caller's). */
export function sendOrderTrace(tracer: Tracer, t0Ms: number, o: OrderShape = {}): string {
  const at = (ms: number) => new Date(t0Ms + ms);
  const root = tracer.startSpan(o.root ?? 'GET /orders', { startTime: at(0) }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  const q = o.queryMs ?? 2;
  let t = 1;
  for (let i = 0; i < (o.queries ?? 1); i++) {
    tracer.startSpan('pg.query', { startTime: at(t), attributes: { 'db.system.name': 'postgresql', 'db.query.text': o.statement ?? 'SELECT * FROM items WHERE order_id = $1' } }, ctx).end(at(t + q));
    t += q + 1;
  }
  if (o.renderMs !== undefined) {
    tracer.startSpan('render', { startTime: at(t) }, ctx).end(at(t + o.renderMs));
    t += o.renderMs + 1;
  }
  root.end(at(t));
  return root.spanContext().traceId;
}
