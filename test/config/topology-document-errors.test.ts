// Invalid documents: every class of problem is reported with its code, file, line, column, JSON
// path and hint, and all problems of a document come back together in one invalid_document error.
import { describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import type { ConclaveErrorJSON } from '../../src/protocol/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';
import { expectDocumentError } from './expect-document-error.js';

const registry = createConfigTestRegistry();
const file = 'team.yaml';

function reject(text: string) {
  return expectDocumentError(() => parseTopologyDocument(text, { file, registry }));
}

/** The only issue of a document with exactly one problem. */
function onlyIssue(text: string): ConclaveErrorJSON {
  const error = reject(text);
  expect(error.code).toBe('invalid_document');
  expect(error.issues).toHaveLength(1);
  return error.issues![0]!;
}

function issueAt(issues: ConclaveErrorJSON[] | undefined, path: string): ConclaveErrorJSON {
  const issue = issues?.find((candidate) => candidate.location?.path === path);
  expect(issue, `an issue at ${path}`).toBeDefined();
  return issue!;
}

const twoAgents = 'agents:\n  - { name: a, model: offline/echo }\n  - { name: b, model: offline/echo }\n';

describe('parseTopologyDocument (syntax and shape)', () => {
  it('reports a YAML syntax error with its line and column', () => {
    const error = reject('topology: debate\nagents:\n  - name: a\n    model: offline/echo\n  bad: [1, 2\n');
    expect(error.code).toBe('document_syntax');
    expect(error.location).toMatchObject({ file, line: 5 });
    expect(error.message).toMatch(/^invalid YAML: /);
    expect(error.message).not.toMatch(/\n/);
  });

  it('reports a JSON syntax error with its line', () => {
    const error = reject('{\n  "topology": "debate",,\n  "agents": []\n}\n');
    expect(error.code).toBe('document_syntax');
    expect(error.location).toMatchObject({ file, line: 2 });
  });

  it('reports duplicate keys as a syntax error', () => {
    const error = reject('topology: debate\ntopology: pipeline\n');
    expect(error.code).toBe('document_syntax');
    expect(error.location?.line).toBe(2);
  });

  it('rejects an empty document clearly', () => {
    for (const text of ['', '\n\n', '# nothing but a comment\n']) {
      const error = reject(text);
      expect(error.code).toBe('invalid_document');
      expect(error.message).toBe('the document is empty');
      expect(error.hint).toContain('topology:');
    }
  });

  it('rejects a document whose top level is not a mapping', () => {
    const error = reject('- topology: debate\n');
    expect(error.code).toBe('invalid_document');
    expect(error.message).toContain('must be a mapping, found array');
    expect(error.location).toMatchObject({ file, line: 1 });
  });
});

describe('parseTopologyDocument (topology)', () => {
  it('reports an unknown topology at its line with a suggestion', () => {
    const error = reject(`topology: debat\n${twoAgents}`);
    expect(error.message).toBe('topology: unknown topology "debat"');
    expect(error.location).toEqual({ file, line: 1, column: 11, path: 'topology' });
    expect(error.hint).toBe('did you mean "debate"?');
    expect(error.issues![0]!.code).toBe('unknown_topology');
  });

  it('suggests aliases too, and lists all names when nothing is close', () => {
    expect(onlyIssue('topology: sequentail\nagents: [{ name: a, model: offline/echo }]\n').hint).toBe('did you mean "sequential"?');
    const issue = onlyIssue('topology: swarm\nagents: [{ name: a, model: offline/echo }]\n');
    expect(issue.code).toBe('unknown_topology');
    expect(issue.hint).toBe('valid topologies: debate, pipeline, voting (aliases: circular, sequential)');
  });

  it('reports a missing topology at the top of the document', () => {
    const issue = onlyIssue('agents: [{ name: a, model: offline/echo }]\n');
    expect(issue.location).toMatchObject({ file, line: 1, path: 'topology' });
    expect(issue.message).toContain('topology: required');
  });

  it('reports a topology that is not a string', () => {
    expect(onlyIssue(`topology: 3\n${twoAgents}`).message).toBe('topology: expected string, received number');
  });
});

describe('parseTopologyDocument (keys)', () => {
  it('reports an unknown top-level key at the key, with a suggestion', () => {
    const error = reject('topology: pipeline\nagent:\n  - { name: a, model: offline/echo }\n');
    const unknown = issueAt(error.issues, 'agent');
    expect(unknown).toMatchObject({ message: 'unknown top-level key "agent"', hint: 'did you mean "agents"?' });
    expect(unknown.location).toMatchObject({ file, line: 2, column: 1 });
    expect(issueAt(error.issues, 'agents').message).toContain('agents: required');
  });

  it('reports unknown keys inside agents and retry', () => {
    const error = reject('topology: pipeline\nretry:\n  max_atempts: 3\nagents:\n  - name: a\n    modle: offline/echo\n    model: offline/echo\n');
    expect(error.message).toBe('team.yaml: 2 problems');
    expect(issueAt(error.issues, 'retry.max_atempts')).toMatchObject({
      message: 'retry: unknown key "max_atempts"',
      hint: 'did you mean "max_attempts"?',
      location: { file, line: 3, column: 3 },
    });
    expect(issueAt(error.issues, 'agents[0].modle')).toMatchObject({ message: 'agents[0]: unknown key "modle"', location: { line: 6, column: 5 } });
  });

  it('lists the allowed keys when no key is close', () => {
    const issue = onlyIssue('topology: pipeline\nretry: { jitter: 1 }\nagents: [{ name: a, model: offline/echo }]\n');
    expect(issue.hint).toBe('allowed keys: max_attempts, initial_delay_ms, max_delay_ms');
  });
});

describe('parseTopologyDocument (agents)', () => {
  it('reports missing, empty and too short agent lists at agents', () => {
    const missing = onlyIssue('topology: pipeline\n');
    expect(missing.location).toMatchObject({ line: 1, path: 'agents' });
    const empty = onlyIssue('topology: pipeline\nagents: []\n');
    expect(empty).toMatchObject({ message: 'agents: the "pipeline" topology needs at least 1 agent, found none', location: { line: 2, path: 'agents' } });
    const short = onlyIssue('topology: debate\nagents:\n  - { name: a, model: offline/echo }\n');
    expect(short).toMatchObject({ message: 'agents: the "debate" topology needs at least 2 agents, found 1', location: { line: 2, path: 'agents' } });
  });

  it('reports an agents value that is not a list', () => {
    expect(onlyIssue('topology: pipeline\nagents: a\n').message).toBe('agents: expected array, received string');
  });

  it('reports a duplicate agent name at the second one', () => {
    const issue = onlyIssue('topology: debate\nagents:\n  - name: same\n    model: offline/echo\n  - name: same\n    model: offline/echo\n');
    expect(issue.message).toBe('agents[1].name: duplicate agent name "same", already used by agents[0]');
    expect(issue.location).toEqual({ file, line: 5, column: 11, path: 'agents[1].name' });
  });

  it('maps wrong types onto the offending node', () => {
    const issue = onlyIssue('topology: pipeline\nagents:\n  - name: a\n    model: offline/echo\n    temperature: hot\n');
    expect(issue.message).toBe('agents[0].temperature: expected number, received string');
    expect(issue.location).toEqual({ file, line: 5, column: 18, path: 'agents[0].temperature' });
  });

  it('keeps the messages a schema sets itself and words ranges plainly', () => {
    const error = reject('topology: pipeline\nagents:\n  - { name: 1st, model: offline/echo, max_tokens: 0 }\n');
    expect(issueAt(error.issues, 'agents[0].name').message).toContain('an agent name starts with a letter');
    expect(issueAt(error.issues, 'agents[0].max_tokens').message).toBe('agents[0].max_tokens: must be greater than 0');
  });

  it('reports an agent that is not a mapping', () => {
    const issue = onlyIssue('topology: pipeline\nagents:\n  - just-a-name\n');
    expect(issue).toMatchObject({ message: 'agents[0]: expected an agent, received string', location: { line: 3, column: 5 } });
  });
});

describe('parseTopologyDocument (models)', () => {
  it('asks for provider/model when there is no slash', () => {
    const issue = onlyIssue('topology: pipeline\nagents:\n  - name: a\n    model: gpt4\n');
    expect(issue).toMatchObject({ message: 'agents[0].model: "gpt4" is not a model reference', hint: 'write it as provider/model, e.g. offline/echo' });
    expect(issue.location).toEqual({ file, line: 4, column: 12, path: 'agents[0].model' });
  });

  it('reports an unknown provider with a suggestion', () => {
    const issue = onlyIssue('topology: pipeline\nagents:\n  - name: a\n    model: ofline/echo\n');
    expect(issue).toMatchObject({ code: 'unknown_provider', message: 'agents[0].model: unknown provider "ofline"', hint: 'did you mean "offline"?' });
    expect(onlyIssue('topology: pipeline\nagents: [{ name: a, model: acme/x }]\n').hint).toBe('known providers: offline, openai');
  });

  it("reports a model the provider rejects with the provider's message", () => {
    const issue = onlyIssue('topology: pipeline\nagents:\n  - name: a\n    model: offline/nope?seed=1\n');
    expect(issue.code).toBe('unknown_model');
    expect(issue.message).toBe('agents[0].model: offline has no model "nope"');
    expect(issue.location).toMatchObject({ line: 4, path: 'agents[0].model' });
  });

  it('reports a model agent without a model and no default at the agent', () => {
    const issue = onlyIssue('topology: pipeline\nagents:\n  - name: a\n');
    expect(issue.message).toBe('agents[0].model: required, set model on the agent or defaults.model');
    expect(issue.location).toEqual({ file, line: 3, column: 5, path: 'agents[0].model' });
  });

  it('checks a default model once, at defaults.model', () => {
    const error = reject('topology: pipeline\ndefaults: { model: ofline/echo }\nagents: [{ name: a }, { name: b }]\n');
    expect(error.issues).toHaveLength(1);
    expect(error.issues![0]).toMatchObject({ code: 'unknown_provider', location: { line: 2, path: 'defaults.model' } });
  });
});

describe('parseTopologyDocument (options and checks)', () => {
  it('reports an unknown option with a suggestion from the schema', () => {
    const issue = onlyIssue(`topology: debate\n${twoAgents}options:\n  round: 2\n`);
    expect(issue).toMatchObject({ message: 'options: unknown key "round"', hint: 'did you mean "rounds"?' });
    expect(issue.location).toEqual({ file, line: 6, column: 3, path: 'options.round' });
  });

  it('reports option values with the schema vocabulary and suggestions', () => {
    const error = reject('topology: voting\nagents: [{ name: a, model: offline/echo }]\noptions:\n  rule: majorty\n  extract: { regex: 5 }\n  tieBreak: { by: seded }\n');
    expect(issueAt(error.issues, 'options.rule')).toMatchObject({ hint: 'did you mean "majority"?', location: { line: 4, column: 9 } });
    expect(issueAt(error.issues, 'options.extract.regex').message).toBe('options.extract.regex: expected string, received number');
    expect(issueAt(error.issues, 'options.tieBreak.by')).toMatchObject({
      message: 'options.tieBreak.by: expected one of "first", "seeded"',
      hint: 'did you mean "seeded"?',
      location: { line: 6, column: 19 },
    });
  });

  it('describes a value that fits no form of a union', () => {
    expect(onlyIssue('topology: voting\nagents: [{ name: a, model: offline/echo }]\noptions: { extract: 5 }\n').message).toBe(
      'options.extract: expected "text" or object, received number',
    );
  });

  it('reports options that are not a mapping', () => {
    expect(onlyIssue(`topology: debate\n${twoAgents}options: [1]\n`).message).toBe('options: expected object, received array');
  });

  it("maps a topology's check issues to located errors", () => {
    const issue = onlyIssue(`topology: debate\n${twoAgents}options:\n  judge: zed\n`);
    expect(issue).toMatchObject({ message: 'options.judge: no agent named "zed"', hint: 'name one of the agents' });
    expect(issue.location).toEqual({ file, line: 6, column: 10, path: 'options.judge' });
  });

  it('validates alias presets together with the user options', () => {
    const issue = onlyIssue('topology: circular\nagents: [{ name: a, model: offline/echo }]\noptions: { passes: 0 }\n');
    expect(issue.message).toBe('options.passes: must be at least 1');
  });
});

describe('parseTopologyDocument (nested topologies and many problems)', () => {
  const nested = `topology: debate
agents:
  - name: a
    model: offline/echo
  - name: team
    topology: pipelin
    agents:
      - name: x
        model: offline/nope
  - name: crew
    topology: debate
    options: { rounds: 0 }
    agents:
      - name: y
        model: offline/echo
`;

  it('validates nested slots with the same rules and nested paths', () => {
    const error = reject(nested);
    expect(error.message).toBe('team.yaml: 4 problems');
    expect(issueAt(error.issues, 'agents[1].topology')).toMatchObject({ code: 'unknown_topology', hint: 'did you mean "pipeline"?', location: { line: 6 } });
    expect(issueAt(error.issues, 'agents[1].agents[0].model')).toMatchObject({ code: 'unknown_model', location: { line: 9, column: 16 } });
    expect(issueAt(error.issues, 'agents[2].options.rounds')).toMatchObject({ message: 'agents[2].options.rounds: must be at least 1', location: { line: 12 } });
    expect(issueAt(error.issues, 'agents[2].agents').message).toBe('agents[2].agents: the "debate" topology needs at least 2 agents, found 1');
  });

  it('prefixes check issues of nested topologies with the slot path', () => {
    const issue = onlyIssue(`topology: pipeline
agents:
  - name: panel
    topology: debate
    options: { judge: nobody }
    agents: [{ name: a, model: offline/echo }, { name: b, model: offline/echo }]
`);
    expect(issue).toMatchObject({ message: 'agents[0].options.judge: no agent named "nobody"', location: { line: 5, path: 'agents[0].options.judge' } });
  });

  it('reports every problem of a document in one error, in source order', () => {
    const error = reject(`topology: debate
seed: 1.5
retry:
  max_attempts: 0
defaults:
  temprature: 1
agents:
  - name: a
    model: gpt4
  - name: a
    model: ofline/echo
    temperature: hot
options:
  round: 2
`);
    expect(error.code).toBe('invalid_document');
    const lines = error.issues!.map((issue) => `${issue.location?.line} ${issue.location?.path}`);
    expect(lines).toEqual([
      '2 seed',
      '4 retry.max_attempts',
      '6 defaults.temprature',
      '9 agents[0].model',
      '10 agents[1].name',
      '11 agents[1].model',
      '12 agents[1].temperature',
      '14 options.round',
    ]);
    expect(error.location).toEqual(error.issues![0]!.location);
    expect(error.issues!.every((issue) => issue.location?.file === file)).toBe(true);
  });

  it('reports a retry policy whose maximum delay is below its initial delay', () => {
    const issue = onlyIssue('topology: pipeline\nretry: { initial_delay_ms: 500, max_delay_ms: 100 }\nagents: [{ name: a, model: offline/echo }]\n');
    expect(issue.message).toBe('retry.max_delay_ms: must be at least initial_delay_ms (500)');
  });

  it('leaves file out of locations when none is given', () => {
    const error = expectDocumentError(() => parseTopologyDocument('topology: debat\nagents: []\n', { registry }));
    expect(error.message).toBe('document: 2 problems');
    expect(error.location).toEqual({ line: 1, column: 11, path: 'topology' });
  });
});
