/**
 * start()/close() in process: close() waits for in-flight exports, acknowledges them, and does not
 * then sit on their keep-alive connections (a regression: fastify's close() used to wait for the
 * client's keep-alive timeout, 70 s, whenever an export was still running when the signal came).
 */
import { describe, expect, it } from 'vitest';
import { start } from './app.js';
import { DEFAULT_CONFIG } from './config.js';
import { fakeStore } from '../test/helpers/fake-store.js';

const SPAN = JSON.stringify({
  resourceSpans: [{ scopeSpans: [{ spans: [{
    traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'in-flight',
    startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000',
  }] }] }],
});

describe('start().close()', () => {
  it.each(['http', 'ui'] as const)('finishes an export in flight on the %s port and ends its connection promptly', async (port) => {
    const store = fakeStore();
    let release!: () => void;
    store.hold = new Promise((r) => { release = r; });
    const app = await start({ ...DEFAULT_CONFIG, host: '127.0.0.1', grpcPort: 0, httpPort: 0, uiPort: 0 }, { store });
    const answer = fetch(`http://127.0.0.1:${app.ports[port]}/v1/traces`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: SPAN,
    }).then(async (res) => ({ status: res.status, connection: res.headers.get('connection'), body: await res.text() }));
    while (store.writes === 0) await new Promise((r) => setTimeout(r, 5));

    const t0 = Date.now();
    const closed = app.close().then(() => Date.now() - t0);
    setTimeout(release, 200);
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.connection).toBe('close');
    expect(await closed).toBeLessThan(2000);
    expect(await store.getTrace('0af7651916cd43dd8448eb211c80319c')).toHaveLength(1);
  });
});
