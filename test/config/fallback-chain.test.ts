// Fallback chains in documents: `model` may be a list, each entry checked at its own index.
import { describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';
import { expectDocumentError } from './expect-document-error.js';

const document = (models: string) => `topology: pipeline
task: x
agents:
  - name: writer
    model: ${models}
`;

describe('fallback chains', () => {
  it('accepts a list of models and keeps their order', () => {
    const parsed = parseTopologyDocument(document('[offline/echo, openai/gpt-4.1-mini]'), { file: 'chain.yaml', registry: createConfigTestRegistry() });
    expect(parsed.agents[0]).toMatchObject({ model: ['offline/echo', 'openai/gpt-4.1-mini'] });
  });

  it('reports a bad entry at its index', () => {
    const error = expectDocumentError(() => parseTopologyDocument(document('[offline/echo, ofline/echo]'), { file: 'chain.yaml', registry: createConfigTestRegistry() }));
    expect(error.location).toMatchObject({ file: 'chain.yaml', line: 5, path: 'agents[0].model[1]' });
    expect(error.issues?.[0]?.code).toBe('unknown_provider');
  });

  it('rejects an empty chain', () => {
    const error = expectDocumentError(() => parseTopologyDocument(document('[]'), { file: 'chain.yaml', registry: createConfigTestRegistry() }));
    expect(error.location?.path).toBe('agents[0].model');
  });
});
