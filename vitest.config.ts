import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'ui/src/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Builds dist/server/main.mjs, the bundle the tests' TinyOlly processes run.
    globalSetup: ['test/global-setup.ts'],
    // Generous: on a busy 2-core machine a browser test's page loads and waits can add up past 30 s;
    // no test depends on speed, a timeout only says a test hung.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // Two files at a time even on 2 cores (vitest's default is cores - 1 = one): most files wait on
    // child processes, sockets and a browser, so two overlap well (the suite ran 735 s one at a time).
    maxWorkers: 2,
    reporters: ['default'],
  },
});
