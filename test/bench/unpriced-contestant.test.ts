// A bench suite with one contestant whose model has no known price (an OpenAI model id the catalogue
// does not list, answered by the OpenAI wire emulator) and one priced contestant: the unpriced one
// reads "unpriced" in the table, the Markdown and the HTML reports, never $0.00, and results.json
// marks it; the priced one keeps its dollar figure. A topology contestant on the same model is
// marked too, from its session's journal.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatResultsTable, renderHtmlReport, startBench } from '../../src/bench/index.js';
import { renderMarkdownReport } from '../../src/bench/report-markdown.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';

let directory: string;
let emulator: OpenAIEmulator;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-bench-unpriced-'));
  emulator = await startOpenAIEmulator();
});
afterAll(async () => {
  await emulator.close();
  await rm(directory, { recursive: true, force: true });
});

describe('a bench with an unpriced contestant', () => {
  it('shows "unpriced" for it, never $0.00, and a dollar figure for the priced one', async () => {
    const file = join(directory, 'unpriced.yaml');
    await writeFile(
      file,
      [
        'name: unpriced',
        'warmup: 0',
        'providers:',
        `  openai: { base_url: "${emulator.baseUrl}", api_key_env: CONCLAVE_TEST_OPENAI_KEY }`,
        'contestants:',
        '  - { name: nameless, model: openai/gpt-nope }',
        '  - { name: priced, model: "offline/echo?price_in=3&price_out=15" }',
        '  - name: team',
        '    topology: { name: Team, topology: pipeline, agents: [{ name: only, model: openai/gpt-nope }] }',
        'prompts:',
        '  - { id: p0, prompt: "Say hello." }',
        '  - { id: p1, prompt: "Say goodbye." }',
        '',
      ].join('\n'),
    );
    const { results } = await startBench(file, {
      registry: createDefaultRegistry(),
      outDir: join(directory, 'out'),
      cache: false,
      overheadSamples: 5,
      env: { CONCLAVE_TEST_OPENAI_KEY: 'sk-test' },
    });
    const byName = new Map(results.contestants.map((contestant) => [contestant.name, contestant]));
    expect(byName.get('nameless')).toMatchObject({ errors: 0, cost: { totalUsd: 0, unpriced: true } });
    expect(byName.get('priced')?.cost.unpriced).toBeUndefined();
    expect(byName.get('team')).toMatchObject({ kind: 'topology', errors: 0, cost: { totalUsd: 0, unpriced: true } });
    expect(results.samples.filter((sample) => sample.contestant === 'nameless').every((sample) => sample.metrics.unpriced === true)).toBe(true);

    const table = formatResultsTable(results, { color: false });
    const namelessRow = table.split('\n').find((line) => line.startsWith('nameless')) ?? '';
    expect(namelessRow).toMatch(/unpriced$/);
    expect(namelessRow).not.toContain('$');
    expect(table).toMatch(/unpriced \(no known price.*\): .*nameless/);
    expect(table).toMatch(/unpriced \(no known price.*\): .*team/);
    expect(table.split('\n').find((line) => line.startsWith('priced'))).toMatch(/\$\S+$/);

    const markdown = renderMarkdownReport(results);
    expect(markdown).toMatch(/\| \*\*nameless\*\* \|.*\| unpriced \|/);
    expect(markdown).toContain('**Unpriced**');
    expect(renderHtmlReport(results)).toContain('unpriced');
    const saved = JSON.parse(await readFile(join(directory, 'out', results.runId, 'results.json'), 'utf8')) as typeof results;
    expect(saved.contestants.find((contestant) => contestant.name === 'nameless')?.cost.unpriced).toBe(true);
  });
});
