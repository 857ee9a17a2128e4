/**
 * GET /healthz (CONTRACT §4): one definition, the same answer on the OTLP/HTTP listener and the UI
 * listener, following the store's ping() both ways, open to any Host and without the UI token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Running } from '../app.js';
import { DEFAULT_CONFIG } from '../config.js';
import { TinyOllyError } from '../errors.js';
import { fakeStore, type FakeStore } from '../../test/helpers/fake-store.js';
import { rawRequest } from '../../test/helpers/raw-http.js';

describe('GET /healthz', () => {
  let app: Running;
  let store: FakeStore;
  beforeAll(async () => {
    store = fakeStore();
    app = await start({ ...DEFAULT_CONFIG, host: '127.0.0.1', grpcPort: 0, httpPort: 0, uiPort: 0, uiToken: 'some-token' }, { store });
  });
  afterAll(() => app?.close());
  const ports = () => [['4318 (OTLP/HTTP)', app.ports.http], ['5002 (UI)', app.ports.ui]] as const;

  it('answers 200 {"status":"ok"} on both listeners while the store answers', async () => {
    store.failWith = undefined;
    for (const [name, port] of ports()) {
      const r = await rawRequest(port, 'GET', '/healthz', { host: 'probe.elsewhere.example' });
      expect(r.status, name).toBe(200);
      expect(JSON.parse(r.body), name).toEqual({ status: 'ok' });
    }
  });

  it('answers 503 on both listeners while the store does not, and 200 again once it does', async () => {
    store.failWith = new TinyOllyError('unavailable', 'down');
    try {
      for (const [name, port] of ports()) {
        const r = await rawRequest(port, 'GET', '/healthz');
        expect(r.status, name).toBe(503);
        expect(JSON.parse(r.body), name).toEqual({ status: 'unavailable', error: 'store unavailable' });
      }
    } finally {
      store.failWith = undefined;
    }
    for (const [name, port] of ports()) expect((await rawRequest(port, 'GET', '/healthz')).status, name).toBe(200);
  });
});
