/**
 * TINYOLLY_MAX_SPANS_PER_TRACE and the paged trace answer (issue 11), through the real listeners in
 * process: spans past the cap are refused in partial_success and counted in `spansDropped`, and
 * GET /api/traces/{id} pages a trace's spans with `limit` and `cursor` (`totalSpans`, `nextCursor`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Running } from '../app.js';
import { DEFAULT_CONFIG } from '../config.js';
import { getJson } from '../../test/helpers/start-tinyolly.js';
import { rawRequest } from '../../test/helpers/raw-http.js';

const TRACE_ID = '5ca1ab1e'.repeat(4);
const CAP = 25;

function spansJson(traceId: string, from: number, n: number): string {
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId, spanId: (from + i).toString(16).padStart(16, '0'), name: `op-${from + i}`,
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(from + i) * 1_000_000n), endTimeUnixNano: String(1_700_000_001_000_000_000n),
  }));
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

describe('spans per trace', () => {
  let app: Running;
  let base: string;
  beforeAll(async () => {
    app = await start({ ...DEFAULT_CONFIG, host: '127.0.0.1', grpcPort: 0, httpPort: 0, uiPort: 0, maxSpansPerTrace: CAP });
    base = `http://127.0.0.1:${app.ports.ui}`;
  });
  afterAll(() => app?.close());

  it('refuses spans past the cap in partial_success and says so in the trace answer', async () => {
    const r = await rawRequest(app.ports.http, 'POST', '/v1/traces', { 'content-type': 'application/json' }, spansJson(TRACE_ID, 1, CAP + 5));
    expect(r.status).toBe(200);
    const partial = JSON.parse(r.body).partialSuccess;
    expect(Number(partial.rejectedSpans)).toBe(5);
    expect(partial.errorMessage).toMatch(/span limit per trace/);
    const { status, body } = await getJson(base, `/api/traces/${TRACE_ID}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ traceId: TRACE_ID, totalSpans: CAP, nextCursor: null, spansDropped: 5 });
    expect(body.spans).toHaveLength(CAP);
  });

  it('pages the spans in start order with limit and cursor; the pages make the whole trace', async () => {
    const whole = (await getJson(base, `/api/traces/${TRACE_ID}`)).body.spans as { spanId: string }[];
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const { body }: { body: { totalSpans: number; spans: { spanId: string }[]; nextCursor: string | null } } =
        await getJson(base, `/api/traces/${TRACE_ID}?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(body.totalSpans).toBe(CAP);
      expect(body.spans.length).toBeLessThanOrEqual(10);
      for (const s of body.spans) seen.push(s.spanId);
      cursor = body.nextCursor;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(whole.map((s) => s.spanId));
  });

  it('a trace within the cap answers as before, with nothing dropped; bad paging parameters are 400', async () => {
    const other = 'c0ffee00'.repeat(4);
    await rawRequest(app.ports.http, 'POST', '/v1/traces', { 'content-type': 'application/json' }, spansJson(other, 1, 3));
    const { body } = await getJson(base, `/api/traces/${other}`);
    expect(body).toMatchObject({ traceId: other, incomplete: false, totalSpans: 3, nextCursor: null, spansDropped: 0 });
    expect(body.spans).toHaveLength(3);
    for (const q of ['limit=abc', 'limit=1.5', 'cursor=zz', 'cursor=-1']) {
      expect((await getJson(base, `/api/traces/${other}?${q}`)).status).toBe(400);
    }
  });
});
