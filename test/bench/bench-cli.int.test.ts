// `conclave bench` end to end, as a user runs it: the offline head-to-head suite writes all five
// outputs and ranks the simulated contestants as their injected profiles say; a run killed
// part-way continues with --resume without repeating a request; the cache answers a re-run; bad
// suites are refused with file, line and path. Requests are counted at a wire emulator.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../src/bench/index.js';
import { collect, runCli, startCli } from '../support/cli.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-bench-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function onlyRun(out: string): Promise<string> {
  const runs = (await readdir(out)).filter((name) => name !== 'cache');
  expect(runs).toHaveLength(1);
  return join(out, runs[0] as string);
}

async function sampleLines(run: string): Promise<Array<{ contestant: string; promptId: string; repeat: number; cached: boolean }>> {
  const text = await readFile(join(run, 'samples.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as { contestant: string; promptId: string; repeat: number; cached: boolean });
}

describe('conclave bench, offline head-to-head', () => {
  let results: BenchResults;
  let run: string;
  let stdout: string;
  let stderr: string;

  beforeAll(async () => {
    const out = join(directory, 'head-to-head');
    const result = await runCli(['bench', 'benchmarks/providers/head-to-head.yaml', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    ({ stdout, stderr } = result);
    run = await onlyRun(out);
    results = JSON.parse(await readFile(join(run, 'results.json'), 'utf8')) as BenchResults;
  }, 120_000);

  it('writes results.json, results.csv, report.md and a self-contained report.html', async () => {
    const files = await readdir(run);
    expect(files).toEqual(expect.arrayContaining(['results.json', 'results.csv', 'report.md', 'report.html', 'samples.jsonl', 'run.json']));
    const csv = await readFile(join(run, 'results.csv'), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(1 + 3 * 24);
    expect(await readFile(join(run, 'report.md'), 'utf8')).toContain('| sage');
    const html = await readFile(join(run, 'report.html'), 'utf8');
    expect(html).toContain('data-chart="win-rate"');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });

  it('ranks the contestants as their injected profiles say', () => {
    const byName = new Map(results.contestants.map((summary) => [summary.name, summary]));
    const metric = (name: string, pick: (summary: BenchResults['contestants'][number]) => number): number => pick(byName.get(name)!);
    expect(results.contestants.map((summary) => summary.name)).toEqual(['sage', 'steady', 'swift']);
    const quality = (name: string): number => metric(name, (summary) => summary.quality!.mean);
    expect(quality('sage')).toBeGreaterThan(quality('steady'));
    expect(quality('steady')).toBeGreaterThan(quality('swift'));
    // Injected time to first token 40 / 150 / 400 ms and 400 / 150 / 60 tokens per second.
    expect(metric('swift', (summary) => summary.ttftMs!.p50)).toBeCloseTo(40, -1);
    expect(metric('steady', (summary) => summary.ttftMs!.p50)).toBeCloseTo(150, -1);
    expect(metric('sage', (summary) => summary.ttftMs!.p50)).toBeCloseTo(400, -1);
    expect(metric('swift', (summary) => summary.tokensPerSecond!.p50)).toBeGreaterThan(metric('steady', (summary) => summary.tokensPerSecond!.p50));
    expect(metric('steady', (summary) => summary.tokensPerSecond!.p50)).toBeGreaterThan(metric('sage', (summary) => summary.tokensPerSecond!.p50));
    expect(metric('swift', (summary) => summary.cost.totalUsd)).toBeLessThan(metric('steady', (summary) => summary.cost.totalUsd));
    expect(metric('steady', (summary) => summary.cost.totalUsd)).toBeLessThan(metric('sage', (summary) => summary.cost.totalUsd));
    expect(results.pairwise?.ranking[0]?.name).toBe('sage');
    expect(results.pairwise?.tournaments).toBe(12);
    expect(results.simulated).toBe(true);
  });

  it('prints a ranking table on stdout and plain progress lines in a pipe', () => {
    expect(stdout).toMatch(/contestant\s+quality/);
    expect(stdout).toContain('report.html');
    expect(stderr).toMatch(/bench: .*\d+\/72/);
    expect(stderr).not.toContain('\r');
    expect(stderr).not.toContain('\u001b[');
  });
});

describe('conclave bench against a wire emulator', () => {
  let emulator: OpenAIEmulator;

  beforeAll(async () => {
    emulator = await startOpenAIEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function writeSuite(name: string, prompts: number, ttftMs: number): Promise<string> {
    const file = join(directory, `${name}.yaml`);
    const lines = Array.from({ length: prompts }, (_, index) => `  - { id: p${index + 1}, prompt: "What is ${index} + 1?", expected: "${index + 1}" }`);
    await writeFile(
      file,
      [
        `name: ${name}`,
        'warmup: 1',
        'concurrency: 1',
        'providers:',
        `  openai: { base_url: "${emulator.baseUrl}" }`,
        'contestants:',
        '  - name: mini',
        '    model: openai/gpt-4.1-mini',
        'prompts:',
        ...lines,
        'scoring:',
        '  assertions: [{ type: contains }]',
        '',
      ].join('\n'),
    );
    emulator.enqueue(...Array.from({ length: 200 }, () => ({ text: 'It is 1 or more.', ttftMs })));
    return file;
  }

  it('continues a killed run with --resume, re-requesting nothing that finished', async () => {
    const suite = await writeSuite('resume', 12, 150);
    const out = join(directory, 'resume-out');
    const before = emulator.requests.length;
    const child = startCli(['bench', suite, '--out', out], { OPENAI_API_KEY: 'sk-test' });
    // Kill it once a few samples are journaled.
    let run: string | undefined;
    for (let waited = 0; waited < 20_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const runs = await readdir(out).catch(() => [] as string[]);
      const candidate = runs.find((name) => name !== 'cache');
      if (candidate !== undefined && (await sampleLines(join(out, candidate))).length >= 4) {
        run = join(out, candidate);
        break;
      }
    }
    child.kill('SIGKILL');
    await collect(child);
    expect(run).toBeDefined();
    const kept = await sampleLines(run as string);
    expect(kept.length).toBeGreaterThanOrEqual(4);
    expect(kept.length).toBeLessThan(12);
    const firstRequests = emulator.requests.length - before;

    const resumed = await runCli(['bench', '--resume', run as string], { OPENAI_API_KEY: 'sk-test' });
    expect(resumed.code, resumed.stderr).toBe(0);
    const samples = await sampleLines(run as string);
    const keys = samples.map((sample) => `${sample.promptId}#${sample.repeat}`);
    expect(new Set(keys).size).toBe(12);
    expect(keys).toHaveLength(12);
    // One warm-up per process, plus each sample's request exactly once (one may have been in flight when killed).
    const total = emulator.requests.length - before;
    expect(total - firstRequests).toBe(1 + 12 - kept.length);
    expect(total).toBeLessThanOrEqual(2 + 12 + 1);
    expect(resumed.stderr).toContain(`resuming`);
  }, 60_000);

  it('answers a re-run from the cache and pays again only with --no-cache', async () => {
    const suite = await writeSuite('cached', 5, 0);
    const out = join(directory, 'cache-out');
    const first = emulator.requests.length;
    expect((await runCli(['bench', suite, '--out', out], { OPENAI_API_KEY: 'sk-test' })).code).toBe(0);
    expect(emulator.requests.length - first).toBe(1 + 5);

    const second = emulator.requests.length;
    expect((await runCli(['bench', suite, '--out', out], { OPENAI_API_KEY: 'sk-test' })).code).toBe(0);
    expect(emulator.requests.length - second).toBe(1); // the warm-up only
    const runs = (await readdir(out)).filter((name) => name !== 'cache').sort();
    expect((await sampleLines(join(out, runs[1] as string))).every((sample) => sample.cached)).toBe(true);

    const third = emulator.requests.length;
    const fresh = await runCli(['bench', suite, '--out', out, '--no-cache', '--json'], { OPENAI_API_KEY: 'sk-test' });
    expect(fresh.code).toBe(0);
    expect(emulator.requests.length - third).toBe(1 + 5);
    const summary = JSON.parse(fresh.stdout) as { runId: string; files: string[]; contestants: Array<{ name: string; samples: number; simulated: boolean }> };
    expect(summary.contestants).toMatchObject([{ name: 'mini', samples: 5, simulated: false }]);
    expect(summary.files.map((path) => path.split('/').pop())).toEqual(['results.json', 'results.csv', 'report.md', 'report.html']);
  }, 60_000);
});

describe('conclave bench and Ctrl-C', () => {
  it('stops on SIGINT with exit 130, keeps the finished samples and says how to resume', async () => {
    const file = join(directory, 'sigint.yaml');
    const prompts = Array.from({ length: 20 }, (_, index) => `  - { id: p${index}, prompt: "What is ${index} + 2?" }`);
    await writeFile(file, ['name: sigint', 'warmup: 0', 'contestants: [{ name: paced, model: "offline/arith?ttft_ms=100" }]', 'prompts:', ...prompts, ''].join('\n'));
    const out = join(directory, 'sigint-out');
    const child = startCli(['bench', file, '--out', out]);
    for (let waited = 0; waited < 20_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const runs = await readdir(out).catch(() => [] as string[]);
      const candidate = runs.find((name) => name !== 'cache');
      if (candidate !== undefined && (await sampleLines(join(out, candidate))).length >= 2) break;
    }
    child.kill('SIGINT');
    const result = await collect(child);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted: \d+ samples kept; continue with: conclave bench --resume /);
    const kept = await sampleLines(await onlyRun(out));
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept.length).toBeLessThan(20);
  }, 30_000);
});

describe('conclave bench refuses bad input', () => {
  it('names the file, line and path of a suite problem, and exits 2', async () => {
    const file = join(directory, 'bad.yaml');
    await writeFile(file, ['name: bad', 'contestants:', '  - name: one', '    model: offline/nope', 'prompts:', '  - prompt: hi', 'repeat: 0', ''].join('\n'));
    const result = await runCli(['bench', file, '--out', join(directory, 'bad-out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.yaml:4');
    expect(result.stderr).toContain('contestants[0].model');
    expect(result.stderr).toContain('bad.yaml:7');
    expect(result.stderr).toContain('repeat');
  });

  it('names the dataset line that is not valid', async () => {
    await writeFile(join(directory, 'broken.jsonl'), '{"prompt": "ok"}\n{"prompt": 3}\n');
    const file = join(directory, 'dataset.yaml');
    await writeFile(file, ['name: data', 'dataset: broken.jsonl', 'contestants:', '  - { name: echo, model: offline/echo }', ''].join('\n'));
    const result = await runCli(['bench', file, '--out', join(directory, 'bad-out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('broken.jsonl:2');
    expect(result.stderr).toContain('prompt');
  });

  it('tells how to resume a run that does not exist', async () => {
    const result = await runCli(['bench', '--resume', 'no-such-run', '--out', join(directory, 'bad-out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no benchmark run "no-such-run"');
  });
});
