/**
 * @module test/e2e/export-import-helpers: what the export/import tests share: the §4 answers of an
 * instance in a comparable form (receipt-time fields aside, ties in ordering broken), and sending
 * the protocol fixtures' protobuf twins.
 */
import { readFileSync } from 'node:fs';
import { listFixtures } from '../fixtures/otlp/fixtures.js';
import { getJson } from '../helpers/start-tinyolly.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis-prefix.js';

const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);

/** Every §4 route's answer for what `base` holds; log ids (assigned on receipt) left out. */
export async function snapshotApi(base: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const traces = (await getJson(base, '/api/traces?limit=1000')).body.traces as { traceId: string }[];
  out.traces = [...traces].sort(byJson);
  for (const t of traces) {
    const detail = (await getJson(base, `/api/traces/${t.traceId}`)).body as { spans: unknown[] };
    out[`trace ${t.traceId}`] = { ...detail, spans: [...detail.spans].sort(byJson) };
    out[`backlinks ${t.traceId}`] = ((await getJson(base, `/api/traces/${t.traceId}/backlinks`)).body.backlinks as unknown[]).sort(byJson);
  }
  const logs = (await getJson(base, '/api/logs?limit=1000')).body.logs as Record<string, unknown>[];
  out.logs = logs.map(({ id: _id, ...rest }) => rest).sort(byJson);
  const metrics = (await getJson(base, '/api/metrics')).body.metrics as { name: string }[];
  out.metrics = metrics;
  for (const m of metrics) {
    const set = (await getJson(base, `/api/metrics/${encodeURIComponent(m.name)}`)).body as { series: unknown[] };
    out[`metric ${m.name}`] = { ...set, series: [...set.series].sort(byJson) };
  }
  const services = (await getJson(base, '/api/services')).body.services as { name: string }[];
  out.services = services;
  for (const s of services) {
    const ops = await getJson(base, `/api/services/${encodeURIComponent(s.name)}/operations`);
    if (ops.status === 200) out[`operations ${s.name}`] = ops.body;
  }
  const map = (await getJson(base, '/api/service-map')).body as { nodes: unknown[]; edges: unknown[] };
  out.serviceMap = { nodes: [...map.nodes].sort(byJson), edges: [...map.edges].sort(byJson) };
  const stats = (await getJson(base, '/api/stats')).body as Record<string, unknown>;
  out.stats = { traces: stats.traces, spans: stats.spans, logs: stats.logs, metrics: stats.metrics };
  return out;
}

/** Posts every fixture's protobuf twin to `otlpHttpUrl`. */
export async function sendFixtures(otlpHttpUrl: string): Promise<void> {
  for (const f of listFixtures()) {
    const res = await fetch(`${otlpHttpUrl}/v1/${f.signal}`, {
      method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: readFileSync(f.pbPath) as unknown as BodyInit,
    });
    if (res.status !== 200) throw new Error(`fixture ${f.signal}/${f.name}: ${res.status}`);
  }
}

/** POST /api/import. */
export async function importText(base: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api/import`, { method: 'POST', headers: { "content-type": "application/x-ndjson", ...headers }, body: body as unknown as BodyInit });
  const text = await res.text();
  try { return { status: res.status, body: JSON.parse(text) }; } catch { return { status: res.status, body: text }; }
}

/**
 * The environment of a fresh instance on `storage`: nothing for memory, the shared Redis with a new
 * unique key prefix for redis (each one also listed in `prefixes`, for the test to delete afterwards).
 */
export function storeEnv(storage: 'memory' | 'redis', name: string): { env: () => Record<string, string>; prefixes: string[] } {
  const prefixes: string[] = [];
  const env = (): Record<string, string> => {
    if (storage === 'memory') return {};
    const p = uniquePrefix(name);
    prefixes.push(p);
    return { REDIS_URL: SHARED_REDIS_URL, TINYOLLY_KEY_PREFIX: p };
  };
  return { env, prefixes };
}

/** GET /api/export of every signal as JSONL (expects 200): the text and its Content-Disposition. */
export async function exportJsonl(base: string): Promise<{ text: string; disposition: string | null }> {
  const res = await fetch(`${base}/api/export?signal=all&format=jsonl`);
  if (res.status !== 200) throw new Error(`GET /api/export: ${res.status}`);
  return { text: await res.text(), disposition: res.headers.get('content-disposition') };
}
