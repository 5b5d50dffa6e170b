// Test runner configuration: every *.test.ts under test/, unit and integration (*.int.test.ts) alike.
// Latencies are measured by the benchmarks (`npm run bench:timing`), against a floor measured in
// the same run, not asserted by tests: no test file needs to run last or alone.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'] } },
    ],
  },
});
