// A small finished benchmark run on offline models, written to a directory: two contestants on four
// arithmetic prompts with a numeric assertion (the weak one fails some) and a pairwise head-to-head,
// for the tests of the bench-run API and the web UI's bench view.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startBench } from '../../src/bench/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';

export const benchFixtureSuite = `name: view-demo
description: Two simulated providers on four arithmetic prompts.
prompts:
  - { id: p1, prompt: "What is 2 + 3?", expected: 5 }
  - { id: p2, prompt: "What is 7 * 6?", expected: 42 }
  - { id: p3, prompt: "What is 12 - 5?", expected: 7 }
  - { id: p4, prompt: "What is 9 * 9?", expected: 81 }
repeat: 1
warmup: 0
concurrency: 2
seed: 3
contestants:
  - name: swift
    model: offline/arith?accuracy=0.3&ttft_ms=5&tokens_per_s=2000&price_in=0.1&price_out=0.4
  - name: sage
    model: offline/arith?accuracy=1&ttft_ms=20&tokens_per_s=800&price_in=3&price_out=15
scoring:
  assertions:
    - type: numeric
  pairwise:
    judge: offline/arith?accuracy=1
`;

export interface BenchFixture {
  /** The bench's output directory (`--out`). */
  directory: string;
  /** The run's id (its folder under `directory`). */
  runId: string;
}

/** Runs the fixture suite into a new temporary directory. */
export async function makeBenchRun(): Promise<BenchFixture> {
  const directory = mkdtempSync(join(tmpdir(), 'conclave-bench-view-'));
  const suite = join(directory, 'suite.yaml');
  writeFileSync(suite, benchFixtureSuite);
  const { run } = await startBench(suite, { registry: createDefaultRegistry(), outDir: join(directory, 'out'), cache: false });
  return { directory: join(directory, 'out'), runId: basename(run.path) };
}
