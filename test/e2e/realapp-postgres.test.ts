// The real-app tests need PostgreSQL: when it does not answer they fail with a message saying so
// (never a silent skip). Checked against a port nothing listens on.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertPostgres, PG } from '../realapp/realapp.js';

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('the real app\'s PostgreSQL check', () => {
  it('passes against the PostgreSQL the tests use', async () => {
    await expect(assertPostgres()).resolves.toBeUndefined();
  });

  it('fails with a clear message when PostgreSQL does not answer', async () => {
    const port = await closedPort();
    await expect(assertPostgres({ ...PG, port })).rejects.toThrow(new RegExp(`PostgreSQL is not reachable on 127\\.0\\.0\\.1:${port}.*start PostgreSQL`));
  });
});
