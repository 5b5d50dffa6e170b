// The tool sections of a document: agents' tools must exist (with a suggestion when they do not),
// the document's own tools must not shadow built-ins, and the environment's seed must be a directory.
import { describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';
import { expectDocumentError } from './expect-document-error.js';

const registry = createConfigTestRegistry();
const file = 'test/fixtures/tools.yaml';

describe('tool sections', () => {
  it('accepts built-in, custom and MCP tools, and resolves the seed against the document', () => {
    const document = parseTopologyDocument(
      [
        'topology: pipeline',
        'environment: { seed: ., network: false, limits: { wall_time_ms: 5000 } }',
        'tools: [{ name: run_tests, description: Run the tests, command: "python3 -m unittest {{module}}" }]',
        'mcp_servers: [{ name: files, command: npx }]',
        'agents: [{ name: coder, model: offline/echo, tools: [bash, run_tests, files__read] }]',
      ].join('\n'),
      { file, registry },
    );
    expect(document.environment).toMatchObject({ driver: 'bubblewrap', network: false, limits: { wall_time_ms: 5000 } });
    expect(document.environment?.seed).toMatch(/\/test\/fixtures$/);
    expect(document.tools?.[0]).toMatchObject({ name: 'run_tests', input_schema: { type: 'object' } });
  });

  it('names an unknown tool with its path and a suggestion', () => {
    const error = expectDocumentError(() => parseTopologyDocument('topology: pipeline\nagents: [{ name: coder, model: offline/echo, tools: [bsh] }]\n', { file, registry }));
    expect(error.location).toMatchObject({ line: 2, path: 'agents[0].tools[0]' });
    expect(error.message).toContain('unknown tool "bsh"');
    expect(error.hint).toContain('bash');
  });

  it('refuses a custom tool named like a built-in, a missing seed, and an unknown driver', () => {
    const error = expectDocumentError(() =>
      parseTopologyDocument(
        ['topology: pipeline', 'environment: { seed: nowhere, driver: docker }', 'tools: [{ name: bash, description: mine, command: ls }]', 'agents: [{ name: a, model: offline/echo }]'].join('\n'),
        { file, registry },
      ),
    );
    const paths = (error.issues ?? []).map((issue) => issue.location?.path);
    expect(paths).toEqual(expect.arrayContaining(['environment.driver', 'tools[0].name']));
  });
});
