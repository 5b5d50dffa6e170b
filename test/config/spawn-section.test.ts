// An agent's `spawn:` roster in a document: entries validated like any agent slot (defaults
// filled, nested topologies normalised), and every problem — spawn_agent without a roster, a
// roster without spawn_agent, a bad entry, a duplicate name, an unknown tool of a child — at its
// JSON path and line.
import { describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';
import { expectDocumentError } from './expect-document-error.js';

const registry = createConfigTestRegistry();
const file = 'test/fixtures/spawn.yaml';

function problemsOf(text: string): string[] {
  const error = expectDocumentError(() => parseTopologyDocument(text, { file, registry }));
  return (error.issues ?? [error.toJSON()]).map((issue) => `${issue.location?.path} line ${issue.location?.line}: ${issue.message}`);
}

describe('the spawn roster', () => {
  it('keeps the roster, with defaults filled and nested topologies normalised', () => {
    const document = parseTopologyDocument(
      [
        'topology: pipeline',
        'defaults: { model: offline/echo }',
        'agents:',
        '  - name: lead',
        '    tools: [spawn_agent]',
        '    spawn:',
        '      max_children: 3',
        '      agents:',
        '        - { name: researcher, system: You research. }',
        '        - { name: ring, topology: circular, agents: [{ name: a }, { name: b, tools: [spawn_agent], spawn: { agents: [{ name: c }] } }] }',
      ].join('\n'),
      { file, registry },
    );
    expect(document.agents[0]).toEqual({
      name: 'lead',
      model: 'offline/echo',
      tools: ['spawn_agent'],
      spawn: {
        max_children: 3,
        agents: [
          { name: 'researcher', model: 'offline/echo', system: 'You research.' },
          {
            name: 'ring',
            topology: 'pipeline',
            options: { passes: 3 },
            agents: [
              { name: 'a', model: 'offline/echo' },
              { name: 'b', model: 'offline/echo', tools: ['spawn_agent'], spawn: { agents: [{ name: 'c', model: 'offline/echo' }] } },
            ],
          },
        ],
      },
    });
  });

  it('refuses spawn_agent without a roster, and a roster without spawn_agent', () => {
    expect(problemsOf('topology: pipeline\nagents:\n  - { name: lead, model: offline/echo, tools: [bash, spawn_agent] }\n')).toEqual([
      expect.stringMatching(/^agents\[0\]\.tools\[1\] line 3: .*"spawn_agent" needs the agents it may spawn, under spawn\.agents/),
    ]);
    expect(problemsOf('topology: pipeline\nagents:\n  - name: lead\n    model: offline/echo\n    spawn: { agents: [{ name: r, model: offline/echo }] }\n')).toEqual([
      expect.stringMatching(/^agents\[0\]\.spawn line 5: .*a spawn roster needs "spawn_agent" in the agent's tools/),
    ]);
  });

  it('reports each bad roster entry at its path', () => {
    const problems = problemsOf(
      [
        'topology: pipeline',
        'agents:',
        '  - name: lead',
        '    model: offline/echo',
        '    tools: [spawn_agent]',
        '    spawn:',
        '      max_children: 0',
        '      agents:',
        '        - { name: r, system: no model }',
        '        - { name: s, model: offline/echo }',
        '        - { name: s, model: offline/nope }',
      ].join('\n'),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^agents\[0\]\.spawn\.max_children line 7: .*must be at least 1/),
      expect.stringMatching(/^agents\[0\]\.spawn\.agents\[0\]\.model line 9: .*required, set model/),
      expect.stringMatching(/^agents\[0\]\.spawn\.agents\[2\]\.name line 11: .*duplicate agent name "s"/),
      expect.stringMatching(/^agents\[0\]\.spawn\.agents\[2\]\.model line 11: .*offline has no model "nope"/),
    ]);
    const tools = problemsOf('topology: pipeline\nagents:\n  - name: lead\n    model: offline/echo\n    tools: [spawn_agent]\n    spawn: { agents: [{ name: s, model: offline/echo, tools: [bsh] }] }\n');
    expect(tools).toEqual([expect.stringMatching(/^agents\[0\]\.spawn\.agents\[0\]\.tools\[0\] line 6: .*unknown tool "bsh"/)]);
    expect(problemsOf('topology: pipeline\nagents:\n  - { name: lead, model: offline/echo, tools: [spawn_agent], spawn: { agents: [] } }\n')).toEqual([
      expect.stringMatching(/^agents\[0\]\.spawn\.agents line 3: .*at least one agent, found an empty list/),
    ]);
  });

  it('refuses a document tool named spawn_agent', () => {
    expect(problemsOf('topology: pipeline\ntools:\n  - { name: spawn_agent, description: mine, command: echo hi }\nagents: [{ name: a, model: offline/echo }]\n')).toEqual([
      expect.stringMatching(/^tools\[0\]\.name line 3: .*"spawn_agent" is a built-in tool of conclave/),
    ]);
  });

  it('counts roster agents against limits.agents', () => {
    const text = 'topology: pipeline\nagents:\n  - name: lead\n    model: offline/echo\n    tools: [spawn_agent]\n    spawn:\n      agents:\n        - { name: r, model: offline/echo }\n        - { name: s, model: offline/echo }\n';
    expect(() => parseTopologyDocument(text, { file, registry, limits: { agents: 3 } })).not.toThrow();
    const error = expectDocumentError(() => parseTopologyDocument(text, { file, registry, limits: { agents: 2 } }));
    expect(error.code).toBe('document_too_large');
    expect(error.location).toMatchObject({ path: 'agents[0].spawn.agents[1]', line: 9 });
  });
});
