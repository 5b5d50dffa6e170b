/**
 * How every benchmark script ends: a measurement reports what went wrong, but never fails the build
 * with it — the process always exits 0.
 */

/**
 * Runs a benchmark's `main`, prints any failure under the benchmark's name, and exits 0.
 *
 * @example
 * await runMeasurement('bench:scale', main);
 */
export async function runMeasurement(name: string, main: () => Promise<void>): Promise<never> {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${name} could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(0);
}
