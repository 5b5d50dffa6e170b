// The shapes of a `tools:` entry beyond command tools: client-run tools (`type: custom`) and
// approvals on built-in, document and MCP tools — each field checked with its path, and an API
// caller's document may use them without the `document_tools` rule (they run nothing on the server).
import { describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { assertDocumentAllowed, defaultServerPolicy } from '../../src/policy/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';
import { expectDocumentError } from './expect-document-error.js';

const registry = createConfigTestRegistry();
const file = 'test/fixtures/tools.yaml';

describe('tool approvals and client-run tools in documents', () => {
  it('accepts approvals on built-in, MCP and command tools, and client-run tools with a default schema', () => {
    const document = parseTopologyDocument(
      [
        'topology: pipeline',
        'mcp_servers: [{ name: github, command: npx }]',
        'tools:',
        '  - { name: bash, approval: always_ask }',
        '  - { name: github__create_issue, approval: always_ask }',
        '  - { name: deploy, description: Deploys, command: "echo {{version}}", approval: always_ask }',
        '  - { name: lookup, type: custom, description: Looked up by the client }',
        'agents: [{ name: ops, model: offline/echo, tools: [bash, deploy, lookup, github__create_issue] }]',
      ].join('\n'),
      { file, registry },
    );
    expect(document.tools).toEqual([
      { name: 'bash', approval: 'always_ask' },
      { name: 'github__create_issue', approval: 'always_ask' },
      { name: 'deploy', description: 'Deploys', command: 'echo {{version}}', approval: 'always_ask', input_schema: { type: 'object', properties: {} } },
      { name: 'lookup', type: 'custom', description: 'Looked up by the client', input_schema: { type: 'object', properties: {} } },
    ]);
  });

  it('refuses fields a shape does not take, each at its path', () => {
    const error = expectDocumentError(() =>
      parseTopologyDocument(
        [
          'topology: pipeline',
          'tools:',
          '  - { name: lookup, type: custom, description: d, command: ls, approval: always_ask }',
          '  - { name: read_file }',
          '  - { name: nothing_to_run, description: d }',
          'agents: [{ name: a, model: offline/echo }]',
        ].join('\n'),
        { file, registry },
      ),
    );
    const paths = (error.issues ?? [error]).map((issue) => issue.location?.path);
    expect(paths).toEqual(expect.arrayContaining(['tools[0].command', 'tools[0].approval', 'tools[1].approval', 'tools[2].command']));
    const unknownValue = expectDocumentError(() => parseTopologyDocument('topology: pipeline\ntools: [{ name: bash, approval: sometimes }]\nagents: [{ name: a, model: offline/echo }]', { file, registry }));
    expect(unknownValue.location?.path).toBe('tools[0].approval');
  });

  it('lets an API caller declare client-run tools and approvals, not command tools', () => {
    const policy = defaultServerPolicy();
    const own = { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo', tools: ['bash', 'lookup'] }] };
    expect(() =>
      assertDocumentAllowed({ ...own, tools: [{ name: 'bash', approval: 'always_ask' }, { name: 'lookup', type: 'custom', description: 'd' }] }, policy, 'default', { untrusted: true }),
    ).not.toThrow();
    expect(() => assertDocumentAllowed({ ...own, tools: [{ name: 'run', description: 'd', command: 'ls' }] }, policy, 'default', { untrusted: true })).toThrow(/command tools/);
  });
});
