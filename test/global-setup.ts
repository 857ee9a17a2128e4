/**
 * vitest's global setup: builds the server bundle before any test starts a TinyOlly process
 * (test/helpers/start-tinyolly.ts runs dist/server/main.mjs, as `npm start` does), and again before
 * each rerun in watch mode, so a test runs the sources as they are now.
 */
import type { TestProject } from 'vitest/node';
import { buildServer } from '../scripts/build-server.mjs';

export default async function setup(project: TestProject): Promise<void> {
  await buildServer();
  project.onTestsRerun(async () => { await buildServer(); });
}
