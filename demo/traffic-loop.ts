/**
 * @module demo/traffic-loop: calls demo-frontend with a repeating mix of fast, slow, checkout and
 * failing requests. Used by run.ts and traffic.ts; the services themselves live in frontend.ts/backend.ts.
 */

/** The request kinds, each a demo-frontend route. */
export type TrafficKind = 'fast' | 'slow' | 'checkout' | 'fail';

/**
 * One cycle of the mix, sent in this order and repeated: half fast, then slow, checkout and one
 * failure in ten. The first four requests already cover every kind, so a short `--count` shows them all.
 */
export const TRAFFIC_MIX: readonly TrafficKind[] = ['fast', 'slow', 'checkout', 'fail', 'fast', 'checkout', 'fast', 'slow', 'fast', 'fast'];

/** How long one request may take before it counts as unreachable. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Options of runTraffic. */
export interface TrafficOptions {
  /** Base URL of demo-frontend, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Send this many requests then resolve; undefined = until `signal` aborts. */
  count?: number;
  /** Pause between two requests of one worker (ms). */
  intervalMs: number;
  /** Requests in flight at once (1..32). */
  concurrency: number;
  /** Stops the loop; requests in flight are abandoned. */
  signal?: AbortSignal;
  /** Called after each request (progress output). */
  onResult?: (result: TrafficResult, summary: TrafficSummary) => void;
}

/** The outcome of one request: the HTTP status, or 0 when the frontend could not be reached. */
export interface TrafficResult {
  kind: TrafficKind;
  status: number;
  durationMs: number;
}

/** Totals so far. `failed` counts HTTP errors, `failedOnPurpose` those of the `fail` kind (502 by design). */
export interface TrafficSummary {
  sent: number;
  ok: number;
  failed: number;
  failedOnPurpose: number;
  unreachable: number;
}

async function sendOne(base: URL, kind: TrafficKind, signal: AbortSignal | undefined): Promise<TrafficResult> {
  const startedAt = performance.now();
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  try {
    const res = await fetch(new URL(`/api/${kind}`, base), {
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    await res.arrayBuffer();
    return { kind, status: res.status, durationMs: performance.now() - startedAt };
  } catch {
    return { kind, status: 0, durationMs: performance.now() - startedAt };
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Sends requests following TRAFFIC_MIX until `count` are done or `signal` aborts, and resolves with
 * the totals. Never rejects: an unreachable frontend is counted in `unreachable`.
 */
export async function runTraffic(options: TrafficOptions): Promise<TrafficSummary> {
  const base = new URL(options.url);
  const summary: TrafficSummary = { sent: 0, ok: 0, failed: 0, failedOnPurpose: 0, unreachable: 0 };
  const concurrency = Math.min(Math.max(Math.trunc(options.concurrency) || 1, 1), 32);
  let next = 0;
  const claim = (): number | undefined => {
    if (options.signal?.aborted) return undefined;
    if (options.count !== undefined && next >= options.count) return undefined;
    return next++;
  };
  const worker = async (): Promise<void> => {
    for (let i = claim(); i !== undefined; i = claim()) {
      const result = await sendOne(base, TRAFFIC_MIX[i % TRAFFIC_MIX.length], options.signal);
      if (options.signal?.aborted) return;
      summary.sent += 1;
      if (result.status === 0) summary.unreachable += 1;
      else if (result.status < 400) summary.ok += 1;
      else {
        summary.failed += 1;
        if (result.kind === 'fail') summary.failedOnPurpose += 1;
      }
      options.onResult?.(result, summary);
      await pause(options.intervalMs, options.signal);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summary;
}

/** One line for the console: `42 sent: 37 ok, 5 failed (5 on purpose), 0 unreachable`. */
export function formatSummary(summary: TrafficSummary): string {
  return (
    `${summary.sent} sent: ${summary.ok} ok, ${summary.failed} failed (${summary.failedOnPurpose} on purpose), ` +
    `${summary.unreachable} unreachable`
  );
}
