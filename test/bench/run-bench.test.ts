// The benchmark runner in-process: failures and timeouts become results rather than crashes,
// topology contestants run as journaled sessions, --filter selects contestants, and a run stopped
// part-way resumes to exactly one sample per (contestant, prompt, repeat).
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeBench, startBench } from '../../src/bench/index.js';
import { createProgress } from '../../src/bench/bench-progress.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { openStore } from '../../src/store/index.js';

const registry = createDefaultRegistry();
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-run-bench-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function suite(name: string, lines: string[]): Promise<string> {
  const file = join(directory, `${name}.yaml`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

const prompts = ['prompts:', ...Array.from({ length: 6 }, (_, index) => `  - { id: p${index}, prompt: "What is ${index} + ${index}?", expected: ${2 * index} }`)];

describe('runBench', () => {
  it('records failures and timeouts as samples with their error type', async () => {
    const file = await suite('failing', [
      'name: failing',
      'warmup: 0',
      'timeout_ms: 150',
      'contestants:',
      '  - { name: good, model: offline/arith?accuracy=1 }',
      '  - { name: broken, model: "offline/arith?fail_rate=1&fail=500" }',
      '  - { name: slow, model: "offline/arith?ttft_ms=5000" }',
      ...prompts,
      'scoring: { assertions: [{ type: numeric }] }',
    ]);
    const { results } = await startBench(file, { registry, outDir: join(directory, 'out'), overheadSamples: 10 });
    const byName = new Map(results.contestants.map((summary) => [summary.name, summary]));
    expect(byName.get('good')).toMatchObject({ errors: 0, quality: { mean: 1, passRate: 1 } });
    expect(byName.get('broken')).toMatchObject({ errors: 6, errorRate: 1, errorTypes: { provider_server_error: 6 }, quality: { mean: 0 } });
    expect(byName.get('broken')?.e2eMs.count).toBe(0);
    expect(byName.get('slow')).toMatchObject({ errors: 6, errorTypes: { timeout: 6 } });
    expect(results.contestants.map((summary) => summary.name)[0]).toBe('good');
  });

  it('times a request out even when the garbage collector runs while it waits', async () => {
    // On Node 20 a timeout built from AbortSignal.any([…, AbortSignal.timeout()]) is lost if the
    // collector reclaims the timeout signal: the sample then waits for the model, however slow.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const file = await suite('collected', ['name: collected', 'warmup: 0', 'timeout_ms: 100', 'contestants: [{ name: slow, model: "offline/arith?ttft_ms=60000" }]', ...prompts.slice(0, 3)]);
    const collector = setInterval(collect, 10);
    try {
      const { results } = await startBench(file, { registry, outDir: join(directory, 'collected'), overheadSamples: 10 });
      expect(results.contestants[0]).toMatchObject({ errors: 2, errorTypes: { timeout: 2 } });
    } finally {
      clearInterval(collector);
    }
  });

  it('runs topology contestants as sessions journaled in the run, and honours --filter', async () => {
    const file = await suite('topologies', [
      'name: topologies',
      'contestants:',
      '  - { name: single, model: offline/arith?accuracy=0.6 }',
      '  - name: vote',
      '    topology: { topology: voting, defaults: { model: offline/arith?accuracy=0.6 }, agents: [{ name: a }, { name: b }, { name: c }], options: { rule: plurality } }',
      '  - { name: other, model: offline/echo }',
      ...prompts,
      'scoring: { assertions: [{ type: numeric }] }',
    ]);
    const { results, run } = await startBench(file, { registry, outDir: join(directory, 'out'), filter: ['v*', 'single'], overheadSamples: 10 });
    expect(results.contestants.map((summary) => summary.name).sort()).toEqual(['single', 'vote']);
    const vote = results.samples.filter((sample) => sample.contestant === 'vote');
    expect(vote).toHaveLength(6);
    expect(vote.every((sample) => sample.metrics.ttftMs === null && sample.sessionId !== undefined && sample.metrics.outputTokens > 0)).toBe(true);
    const store = openStore({ db: run.file('sessions.db') });
    expect((await store.read(vote[0]?.sessionId as string)).some((event) => event.type === 'topology.completed')).toBe(true);
    await store.close();
    await expect(startBench(file, { registry, outDir: join(directory, 'out'), filter: ['nobody'] })).rejects.toThrow(/matches no contestant/);
  });

  it('stops on the signal and resumes to exactly one sample per prompt and repeat', async () => {
    const file = await suite('resumable', ['name: resumable', 'warmup: 0', 'repeat: 2', 'contestants: [{ name: paced, model: "offline/arith?ttft_ms=30" }]', ...prompts]);
    const controller = new AbortController();
    const lines: string[] = [];
    const progress = createProgress({ stream: { write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream, live: false });
    const outDir = join(directory, 'resume');
    setTimeout(() => controller.abort(), 150);
    const first = await startBench(file, { registry, outDir, signal: controller.signal, progress, overheadSamples: 10 });
    expect(first.interrupted).toBe(true);
    expect(first.results.incomplete).toBe(true);
    const kept = first.run.samples.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(12);

    const second = await resumeBench(first.run.runId, { registry, outDir, overheadSamples: 10 });
    expect(second.interrupted).toBe(false);
    expect(second.results.incomplete).toBeUndefined();
    const keys = second.results.samples.map((sample) => `${sample.promptId}#${sample.repeat}`);
    expect(new Set(keys).size).toBe(12);
    expect(keys).toHaveLength(12);
    expect(second.results.samples.filter((sample) => sample.cached)).toHaveLength(0);
    expect((await readdir(second.run.path)).sort()).toEqual(expect.arrayContaining(['report.html', 'results.csv', 'results.json', 'report.md']));
    expect(lines.some((line) => line.startsWith('bench: '))).toBe(true);
  });
});
