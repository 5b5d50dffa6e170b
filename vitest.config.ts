// Test runner configuration: every *.test.ts under test/, unit and integration (*.int.test.ts) alike.
// Timing tests, which assert latencies to the millisecond, run last and alone: on a 2-core machine
// any test file running beside them would steal the CPU they measure.
import { defineConfig } from 'vitest/config';

const timingTests = ['test/bench/honest-timing.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: timingTests, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timing', include: timingTests, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
