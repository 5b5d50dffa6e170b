// Valid documents: YAML and JSON normalise identically; defaults, retry, option defaults, aliases
// and nested topologies come out in their normalised form.
import { describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';

const registry = createConfigTestRegistry();

const debateYaml = `# a small debate
topology: debate
name: Remote work debate
description: Two personas argue.
task: "Should teams work remotely?"
seed: 7
defaults:
  model: offline/persona
  temperature: 0.7
  max_tokens: 400
retry:
  max_attempts: 2
agents:
  - name: optimist
    model: offline/persona?persona=optimist
    system: You are an optimist.
  - name: skeptic
    temperature: 0.2
options:
  rounds: 3
`;

const debateJson = JSON.stringify({
  topology: 'debate',
  name: 'Remote work debate',
  description: 'Two personas argue.',
  task: 'Should teams work remotely?',
  seed: 7,
  defaults: { model: 'offline/persona', temperature: 0.7, max_tokens: 400 },
  retry: { max_attempts: 2 },
  agents: [
    { name: 'optimist', model: 'offline/persona?persona=optimist', system: 'You are an optimist.' },
    { name: 'skeptic', temperature: 0.2 },
  ],
  options: { rounds: 3 },
}, null, 2);

describe('parseTopologyDocument (valid documents)', () => {
  it('normalises a YAML document', () => {
    const document = parseTopologyDocument(debateYaml, { file: 'debate.yaml', registry });
    expect(document).toEqual({
      topology: 'debate',
      name: 'Remote work debate',
      description: 'Two personas argue.',
      task: 'Should teams work remotely?',
      seed: 7,
      retry: { maxAttempts: 2, initialDelayMs: 250, maxDelayMs: 8000 },
      agents: [
        { name: 'optimist', model: 'offline/persona?persona=optimist', system: 'You are an optimist.', temperature: 0.7, max_tokens: 400 },
        { name: 'skeptic', model: 'offline/persona', temperature: 0.2, max_tokens: 400 },
      ],
      options: { rounds: 3, stopOnConsensus: true },
    });
  });

  it('normalises the same document written as JSON identically', () => {
    const fromYaml = parseTopologyDocument(debateYaml, { file: 'debate.yaml', registry });
    const fromJson = parseTopologyDocument(debateJson, { file: 'debate.json', registry });
    expect(fromJson).toEqual(fromYaml);
  });

  it('fills the default retry policy and option defaults, and leaves absent fields out', () => {
    const document = parseTopologyDocument('topology: pipeline\nagents:\n  - name: only\n    model: offline/echo\n', { registry });
    expect(document).toEqual({
      topology: 'pipeline',
      retry: { maxAttempts: 4, initialDelayMs: 250, maxDelayMs: 8000 },
      agents: [{ name: 'only', model: 'offline/echo' }],
      options: { passes: 1 },
    });
    expect(Object.keys(document)).not.toContain('alias');
  });

  it('does not override what an agent sets with defaults', () => {
    const document = parseTopologyDocument(
      'topology: pipeline\ndefaults: { model: offline/echo, system: be brief }\nagents:\n  - { name: a, system: be long, model: offline/persona }\n',
      { registry },
    );
    expect(document.agents).toEqual([{ name: 'a', system: 'be long', model: 'offline/persona' }]);
  });

  it('resolves an alias to its topology and keeps what was written', () => {
    const document = parseTopologyDocument('topology: sequential\nagents: [{ name: a, model: offline/echo }]\n', { registry });
    expect(document.topology).toBe('pipeline');
    expect(document.alias).toBe('sequential');
    expect(document.options).toEqual({ passes: 1 });
  });

  it('merges alias presets under the user options', () => {
    const preset = parseTopologyDocument('topology: circular\nagents: [{ name: a, model: offline/echo }]\n', { registry });
    expect(preset.options).toEqual({ passes: 3 });
    const overridden = parseTopologyDocument('topology: circular\nagents: [{ name: a, model: offline/echo }]\noptions: { passes: 5 }\n', {
      registry,
    });
    expect(overridden).toMatchObject({ topology: 'pipeline', alias: 'circular', options: { passes: 5 } });
  });

  it('normalises nested topologies recursively, applying defaults inside them', () => {
    const text = `topology: debate
defaults: { model: offline/echo }
agents:
  - name: solo
  - name: team
    topology: circular
    description: a ring of two
    agents:
      - name: drafter
      - name: editor
        model: offline/persona
`;
    const document = parseTopologyDocument(text, { registry });
    expect(document.agents).toEqual([
      { name: 'solo', model: 'offline/echo' },
      {
        name: 'team',
        topology: 'pipeline',
        description: 'a ring of two',
        agents: [
          { name: 'drafter', model: 'offline/echo' },
          { name: 'editor', model: 'offline/persona' },
        ],
        options: { passes: 3 },
      },
    ]);
  });

  it('reads an empty mapping key as absent', () => {
    const document = parseTopologyDocument('topology: pipeline\noptions:\nagents: [{ name: a, model: offline/echo }]\n', { registry });
    expect(document.options).toEqual({ passes: 1 });
  });

  it('accepts union-valued options in either form', () => {
    const text = 'topology: voting\nagents: [{ name: a, model: offline/echo }]\noptions:\n  extract: { regex: "ANSWER: (.*)" }\n';
    expect(parseTopologyDocument(text, { registry }).options).toEqual({ rule: 'majority', extract: { regex: 'ANSWER: (.*)' } });
  });

  it('resolves YAML anchors and aliases', () => {
    const text = 'topology: pipeline\nagents:\n  - { name: a, model: &shared offline/echo }\n  - { name: b, model: *shared }\n';
    expect(parseTopologyDocument(text, { registry }).agents).toEqual([
      { name: 'a', model: 'offline/echo' },
      { name: 'b', model: 'offline/echo' },
    ]);
  });
});
