// A document's `memory:` section: entries kept as written (stores are resolved when a session is
// created), agents may name the memory tools, and every problem — a bad entry, a store listed twice,
// a memory tool without a store, memory_write with only read-only stores — at its JSON path and line.
import { describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';
import { expectDocumentError } from './expect-document-error.js';

const registry = createConfigTestRegistry();
const file = 'test/fixtures/memory.yaml';

describe('the memory section', () => {
  it('keeps the entries and lets agents name memory tools', () => {
    const document = parseTopologyDocument(
      [
        'topology: pipeline',
        'memory:',
        '  - { store: notes, access: read_write, instructions: One topic per path. }',
        '  - { store: memstore_abc, access: read }',
        'agents:',
        '  - { name: scribe, model: offline/echo }',
        '  - { name: reader, model: offline/echo, tools: [memory_read, memory_search] }',
      ].join('\n'),
      { file, registry },
    );
    expect(document.memory).toEqual([
      { store: 'notes', access: 'read_write', instructions: 'One topic per path.' },
      { store: 'memstore_abc', access: 'read' },
    ]);
    expect(document.agents[1]).toMatchObject({ tools: ['memory_read', 'memory_search'] });
  });

  it('reports a bad entry and a store listed twice at their paths', () => {
    const error = expectDocumentError(() =>
      parseTopologyDocument(['topology: pipeline', 'memory:', '  - { store: notes, access: write }', '  - { store: notes }', 'agents: [{ name: a, model: offline/echo }]'].join('\n'), { file, registry }),
    );
    const problems = (error.issues ?? []).map((issue) => `${issue.location?.path} line ${issue.location?.line}: ${issue.message}`);
    expect(problems).toEqual([expect.stringMatching(/^memory\[0\]\.access line 3: /), expect.stringMatching(/^memory\[1\]\.store line 4: .*listed twice/)]);
  });

  it('refuses memory tools without a store, and memory_write without a writable one', () => {
    const none = expectDocumentError(() => parseTopologyDocument('topology: pipeline\nagents: [{ name: a, model: offline/echo, tools: [memory_read] }]\n', { file, registry }));
    expect(none.location).toMatchObject({ path: 'agents[0].tools[0]', line: 2 });
    expect(none.message).toContain('"memory_read" needs a memory store');
    const readOnly = expectDocumentError(() =>
      parseTopologyDocument('topology: pipeline\nmemory: [{ store: notes, access: read }]\nagents: [{ name: a, model: offline/echo, tools: [memory_write] }]\n', { file, registry }),
    );
    expect(readOnly.location).toMatchObject({ path: 'agents[0].tools[0]' });
    expect(readOnly.message).toContain('needs a store with access read_write');
  });
});
