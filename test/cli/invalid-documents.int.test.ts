// Bad input through the real CLI: exit 2, file:line and JSON path, no stack trace, nothing stored.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-invalid-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const valid = `topology: debate
task: Is tea better than coffee?
agents:
  - name: a
    model: offline/persona
  - name: b
    model: offline/persona
options:
  rounds: 2
`;

const cases: Array<{ name: string; text: string; expect: string[] }> = [
  { name: 'unknown topology', text: valid.replace('topology: debate', 'topology: debat'), expect: ['error[unknown_topology]', 'doc.yaml:1', '(topology)', 'did you mean "debate"'] },
  { name: 'missing agents', text: 'topology: debate\ntask: x\n', expect: ['error[invalid_document]', 'doc.yaml:1', 'agents'] },
  { name: 'wrong type', text: valid.replace('rounds: 2', 'rounds: two'), expect: ['error[invalid_document]', 'doc.yaml:9', '(options.rounds)'] },
  { name: 'YAML syntax error', text: 'topology: debate\nagents: [\n  - name: a\n', expect: ['error[document_syntax]', 'doc.yaml:'] },
  {
    name: 'dag with a cycle',
    text: 'topology: dag\ntask: x\nagents:\n  - { name: a, model: offline/echo }\noptions:\n  nodes:\n    - { id: plan, agent: a }\n    - { id: build, agent: a }\n  edges:\n    - [plan, build]\n    - [build, plan]\n',
    expect: ['error[invalid_document]', '(options.edges)', 'plan → build → plan'],
  },
  {
    name: 'router with an unknown fallback',
    text: 'topology: router\ntask: x\nagents:\n  - { name: classifier, model: offline/echo }\n  - { name: coder, model: offline/echo }\noptions:\n  classifier: classifier\n  fallback: writer\n',
    expect: ['error[invalid_document]', 'doc.yaml:8', '(options.fallback)', 'writer'],
  },
  {
    name: 'vote rule typo',
    text: 'topology: voting\ntask: x\nagents:\n  - { name: a, model: offline/echo }\n  - { name: b, model: offline/echo }\noptions:\n  rule: majorty\n',
    expect: ['error[invalid_document]', 'doc.yaml:7', '(options.rule)', 'did you mean "majority"'],
  },
  { name: 'unknown model provider', text: valid.replace('model: offline/persona\n  - name: b', 'model: offlne/persona\n  - name: b'), expect: ['error[unknown_provider]', 'doc.yaml:5', '(agents[0].model)', 'did you mean "offline"'] },
];

describe('invalid documents', () => {
  for (const testCase of cases) {
    it(`${testCase.name}: exit 2 with file:line and path, no stack trace, nothing written`, async () => {
      const file = join(directory, 'doc.yaml');
      writeFileSync(file, testCase.text);
      const db = join(directory, `${testCase.name.replace(/\s+/g, '-')}.db`);
      for (const command of [['run', file], ['validate', file]]) {
        const result = await runCli([...command, '--db', db]);
        expect(result.code, `${command[0]} exit code`).toBe(2);
        for (const fragment of testCase.expect) expect(result.stderr).toContain(fragment);
        expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
        expect(result.stdout).toBe('');
      }
      expect(existsSync(db), 'the store is never created for an invalid document').toBe(false);
    });
  }

  it('a missing file is a clear error', async () => {
    const result = await runCli(['validate', join(directory, 'nope.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[document_not_found]');
  });

  it('bad arguments are usage errors with exit 2', async () => {
    const result = await runCli(['run', 'examples/debate.yaml', '--seed', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--seed must be a whole number');
  });

  it('validate accepts every example', async () => {
    for (const example of ['debate', 'pipeline', 'parallel', 'nested', 'voting-arith', 'debate-arith']) {
      const result = await runCli(['validate', `examples/${example}.yaml`]);
      expect(result.code, example).toBe(0);
      expect(result.stdout).toContain('✓');
    }
  });
});

describe('documents without a store', () => {
  it('topologies lists names and aliases; schema is JSON Schema', async () => {
    const topologies = await runCli(['topologies']);
    expect(topologies.stdout).toMatch(/debate\s+N debaters/);
    expect(topologies.stdout).toContain('aliases: sequential, circular');
    const schema = JSON.parse((await runCli(['schema'])).stdout) as { $schema: string };
    expect(schema.$schema).toContain('json-schema.org');
  });
});
