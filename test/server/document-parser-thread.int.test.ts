// The document parser thread of `conclave serve` (the built module, since a worker thread runs
// JavaScript): it answers exactly what parsing in the request's thread answers — the normalised
// document, a located validation error, or a refusal by the limits.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentCatalog } from '../../src/server/document-catalog.js';
import { inThreadDocumentParser, type DocumentParser, type startDocumentParserThread } from '../../src/server/document-parser-thread.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { projectRoot } from '../support/cli.js';

const built = (await import(join(projectRoot, 'dist', 'src', 'server', 'document-parser-thread.js'))) as { startDocumentParserThread: typeof startDocumentParserThread };
const thread: DocumentParser = built.startDocumentParserThread({ limits: { keys: 500 } });
const local = inThreadDocumentParser(createDocumentCatalog({ directory: 'examples', registry: createDefaultRegistry(), limits: { keys: 500 } }));
afterAll(() => thread.close());

const wide: Record<string, unknown> = { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo' }] };
for (let index = 0; index < 600; index += 1) wide[`k${index}`] = index;

describe('the document parser thread', () => {
  it.each([
    ['a YAML document', JSON.stringify({ task: 'hi', document: 'topology: debate\nagents:\n  - { name: a, model: offline/persona }\n  - { name: b, model: offline/persona }\n' })],
    ['a JSON object', JSON.stringify({ task: 'hi', document: { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo' }] } })],
    ['a document with a mistake', JSON.stringify({ document: 'topology: debat\nagents: []\n' })],
    ['a document over the limits', JSON.stringify({ document: wide })],
    ['a body without a document', JSON.stringify({ name: 'debate' })],
  ])('answers %s as the request thread does', async (_case, text) => {
    expect(await thread.read(text)).toEqual(await local.read(text));
  });

  it('reports a body that is not JSON as the request thread does', async () => {
    const error = await thread.read('{"task":').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('the request body is not valid JSON') as string });
  });

  it('refuses with the limit it was started with', async () => {
    const reply = await thread.read(JSON.stringify({ document: wide }));
    expect(reply.documentError).toMatchObject({ code: 'document_too_large', message: expect.stringContaining('limits.keys') as string });
  });
});
