/**
 * @module bench/verify: checks through the query API that what was acknowledged was stored.
 * Counts must match exactly; only the memory store may have evicted (oldest first, under its byte
 * cap), and then the acknowledged exports still present must be exactly the newest ones.
 */
import type { AckedSend } from './load.js';
import { METRIC_NAMES, SPANS_PER_TRACE, traceIdHex, type Signal, type Template } from './payloads.js';

export interface StoredCounts {
  spans: number;
  traces: number;
  logs: number;
  points: number;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

type SeriesSet = { series: { points: { timestamp: number }[] }[] };

async function metricPoints(apiUrl: string, query = ''): Promise<number> {
  let n = 0;
  for (const name of METRIC_NAMES) {
    const r = await getJson<SeriesSet>(`${apiUrl}/api/metrics/${encodeURIComponent(name)}${query}`);
    if (r.status === 404) continue;
    if (r.status !== 200) throw new Error(`GET /api/metrics/${name} answered ${r.status}`);
    for (const s of r.body.series) n += s.points.length;
  }
  return n;
}

/** What the store holds now, through /api/stats (and the metric series for points, which stats does not count). */
export async function storedCounts(apiUrl: string, withPoints: boolean): Promise<StoredCounts> {
  const r = await getJson<{ spans: number; traces: number; logs: number }>(`${apiUrl}/api/stats`);
  if (r.status !== 200) throw new Error(`GET /api/stats answered ${r.status}`);
  return { spans: r.body.spans, traces: r.body.traces, logs: r.body.logs, points: withPoints ? await metricPoints(apiUrl) : 0 };
}

/** Items of one acknowledged export found through the API (one trace for spans and logs, the whole send for points). */
async function foundOfSend(apiUrl: string, signal: Signal, a: AckedSend, nonce: number): Promise<{ found: number; expected: number }> {
  if (signal === 'metrics') {
    const s = Number(a.timeNs / 1000n) / 1e6;
    return { found: await metricPoints(apiUrl, `?start=${s - 0.0004}&end=${s + 0.0004}`), expected: a.items };
  }
  const traceId = traceIdHex(a.template, 0, nonce, a.seq);
  const expected = Math.min(SPANS_PER_TRACE, a.items);
  if (signal === 'traces') {
    const r = await getJson<{ spans: unknown[] }>(`${apiUrl}/api/traces/${traceId}`);
    return { found: r.status === 200 ? r.body.spans.length : 0, expected };
  }
  const r = await getJson<{ logs: unknown[] }>(`${apiUrl}/api/logs?trace_id=${traceId}&limit=1000`);
  return { found: r.status === 200 ? r.body.logs.length : 0, expected };
}

export interface Verdict {
  ok: boolean;
  /** 'exact': counts match; 'evicted': memory cap evicted the oldest, the newest are all there; 'mismatch'. */
  kind: 'exact' | 'evicted' | 'mismatch';
  expected: number;
  stored: number;
  detail: string;
}

export interface VerifyInput {
  apiUrl: string;
  storage: string;
  signal: Signal;
  templates: Template[];
  acked: AckedSend[];
  nonce: number;
  before: StoredCounts;
  after: StoredCounts;
  concurrency: number;
}

/** Compares acknowledged with stored (deltas over the case), falling back to an eviction-order check for the memory store. */
export async function verifyCase(v: VerifyInput): Promise<Verdict> {
  const expected = v.acked.reduce((n, a) => n + a.items, 0);
  const key = v.signal === 'traces' ? 'spans' : v.signal === 'logs' ? 'logs' : 'points';
  const stored = v.after[key] - v.before[key];
  let detail = `${key}: acknowledged ${expected}, stored ${stored}`;
  if (v.signal === 'traces') {
    const expectedTraces = v.acked.reduce((n, a) => n + v.templates[a.template].traces, 0);
    const storedTraces = v.after.traces - v.before.traces;
    detail += `; traces: acknowledged ${expectedTraces}, stored ${storedTraces}`;
    if (stored === expected && storedTraces === expectedTraces) return { ok: true, kind: 'exact', expected, stored, detail };
  } else if (stored === expected) {
    return { ok: true, kind: 'exact', expected, stored, detail };
  }
  if (v.storage !== 'memory' || stored > expected) return { ok: false, kind: 'mismatch', expected, stored, detail };

  // Eviction is oldest-write-first: sampled exports must be absent/partial up to a point, then all complete.
  const n = v.acked.length;
  const idx = new Set<number>();
  for (let i = 0; i < 40; i++) idx.add(Math.floor((i * (n - 1)) / 39));
  for (let i = Math.max(0, n - 2 * v.concurrency); i < n; i++) idx.add(i);
  const sample = [...idx].sort((a, b) => a - b);
  const found: { i: number; found: number; expected: number }[] = [];
  for (const i of sample) found.push({ i, ...(await foundOfSend(v.apiUrl, v.signal, v.acked[i], v.nonce)) });
  const firstPresent = found.findIndex((f) => f.found > 0);
  // Exports in flight together may be written in a different order than acknowledged.
  const slack = v.concurrency;
  const bad = firstPresent < 0 ? found : found.filter((f) => f.i > found[firstPresent].i + slack && f.found !== f.expected);
  if (bad.length > 0) {
    return { ok: false, kind: 'mismatch', expected, stored, detail: `${detail}; ${bad.length} of ${found.length} sampled newer exports incomplete` };
  }
  return { ok: true, kind: 'evicted', expected, stored, detail: `${detail}; evicted oldest first (${found.length} sampled exports checked)` };
}
