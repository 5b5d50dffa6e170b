// Loading benchmark suites: what a user gets back for a good suite (resolved contestants, prompts
// from a dataset, defaults) and, for a bad one, every problem in one error with line and path.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSuite } from '../../src/bench/load-suite.js';
import { ConclaveError } from '../../src/protocol/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';

const registry = createDefaultRegistry();
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-suite-'));
  await mkdir(join(directory, 'docs'));
  await writeFile(join(directory, 'docs', 'vote.yaml'), 'topology: voting\ndefaults: { model: offline/arith }\nagents: [{ name: a }, { name: b }, { name: c }]\n');
  await writeFile(join(directory, 'data.jsonl'), '{"id": "q1", "prompt": "What is 2+2?", "expected": 4}\n\n// a comment\n{"prompt": "What is 3*3?", "expected": 9}\n');
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function suiteFile(name: string, lines: string[]): Promise<string> {
  const file = join(directory, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function problemsOf(file: string): Promise<ConclaveError> {
  const error = await loadSuite(file, registry).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(ConclaveError);
  return error as ConclaveError;
}

describe('loadSuite', () => {
  it('resolves models, topology files relative to the suite, inline topologies and the dataset', async () => {
    const file = await suiteFile('good.yaml', [
      'name: good',
      'dataset: data.jsonl',
      'system: Answer briefly.',
      'contestants:',
      '  - { name: solo, model: offline/arith, temperature: 0.2 }',
      '  - { name: vote, topology: docs/vote.yaml }',
      '  - name: inline',
      '    topology: { topology: pipeline, agents: [{ name: only, model: offline/echo }] }',
      'scoring:',
      '  assertions: [{ type: numeric }]',
    ]);
    const suite = await loadSuite(file, registry);
    expect(suite.contestants.map((contestant) => contestant.kind)).toEqual(['model', 'topology', 'topology']);
    expect(suite.contestants[0]).toMatchObject({ model: 'offline/arith', system: 'Answer briefly.', temperature: 0.2 });
    expect(suite.contestants[1]).toMatchObject({ document: { topology: 'voting' } });
    expect(suite.prompts).toEqual([
      { id: 'q1', prompt: 'What is 2+2?', expected: 4 },
      { id: '2', prompt: 'What is 3*3?', expected: 9 },
    ]);
    expect(suite).toMatchObject({ repeat: 1, warmup: 1, concurrency: 1, timeoutMs: 120_000 });
  });

  it('reports every problem at once, each with its line and path', async () => {
    const file = await suiteFile('bad.yaml', [
      'name: bad',
      'contestants:',
      '  - { name: one, model: offline/echo }',
      '  - { name: one, model: offline/arith }',
      '  - { name: both, model: offline/echo, topology: docs/vote.yaml }',
      '  - { name: judge-typo, model: offlin/echo }',
      'prompts: [{ prompt: hi }]',
      'scoring:',
      '  assertions: [{ type: regex, pattern: "(" }, { type: equals }]',
      '  pairwise: { judge: offline/arith?accuracy=2 }',
    ]);
    const error = await problemsOf(file);
    const issues = (error.issues ?? []).map((issue) => `${issue.location?.line}:${issue.location?.path}`);
    expect(issues).toEqual(expect.arrayContaining(['4:contestants[1].name', '5:contestants[2]', '6:contestants[3].model', '9:scoring.assertions[0]', '9:scoring.assertions', '10:scoring.pairwise.judge']));
  });

  it('places problems of an inline topology under the contestant', async () => {
    const file = await suiteFile('inline.yaml', [
      'name: inline',
      'prompts: [{ prompt: hi }]',
      'contestants:',
      '  - name: broken',
      '    topology: { topology: votng, agents: [{ name: a, model: offline/echo }] }',
    ]);
    const error = await problemsOf(file);
    expect(error.issues?.[0]?.location).toMatchObject({ line: 5, path: 'contestants[0].topology' });
    expect(error.message).toContain('votng');
  });

  it('refuses a function scorer whose file does not exist before anything runs', async () => {
    const file = await suiteFile('scorer.yaml', ['name: s', 'prompts: [{ prompt: hi }]', 'contestants: [{ name: e, model: offline/echo }]', 'scoring:', '  assertions: [{ type: function, file: missing.js }]']);
    const error = await problemsOf(file);
    expect(error.location).toMatchObject({ line: 5, path: 'scoring.assertions[0].file' });
    expect(error.message).toContain('missing.js');
  });

  it('names a missing dataset file', async () => {
    const file = await suiteFile('nodata.yaml', ['name: n', 'dataset: nowhere.jsonl', 'contestants: [{ name: e, model: offline/echo }]']);
    const error = await problemsOf(file);
    expect(error.code).toBe('document_not_found');
    expect(error.message).toContain('nowhere.jsonl');
  });
});
