/**
 * vitest's global setup: builds the server bundle once per run, before any test starts a TinyOlly
 * process (test/helpers/start-tinyolly.ts runs dist/server/main.mjs, as `npm start` does), so a test
 * always runs the sources as they are now, however vitest was started.
 */
import { buildServer } from '../scripts/build-server.mjs';

export default async function setup(): Promise<void> {
  await buildServer();
}
