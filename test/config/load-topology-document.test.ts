// Loading from disk: a missing file is document_not_found with its path; a real file is parsed
// with its path in every location.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTopologyDocument } from '../../src/config/index.js';
import { isConclaveError, type ConclaveError } from '../../src/protocol/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';

const registry = createConfigTestRegistry();
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-config-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<ConclaveError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isConclaveError(error)).toBe(true);
  return error as ConclaveError;
}

describe('loadTopologyDocument', () => {
  it('reports a missing file as document_not_found with the path', async () => {
    const file = join(directory, 'missing.yaml');
    const error = await rejection(loadTopologyDocument(file, registry));
    expect(error.code).toBe('document_not_found');
    expect(error.category).toBe('user');
    expect(error.message).toBe(`document not found: ${file}`);
    expect(error.location).toEqual({ file });
  });

  it('reports a directory as an invalid argument', async () => {
    const error = await rejection(loadTopologyDocument(directory, registry));
    expect(error.code).toBe('invalid_argument');
  });

  it('loads and normalises a document, and locates problems in the file', async () => {
    const good = join(directory, 'good.yaml');
    await writeFile(good, 'topology: pipeline\nagents:\n  - name: a\n    model: offline/echo\n');
    await expect(loadTopologyDocument(good, registry)).resolves.toMatchObject({ topology: 'pipeline', agents: [{ name: 'a' }] });

    const bad = join(directory, 'bad.json');
    await writeFile(bad, '{\n  "topology": "debat",\n  "agents": [{ "name": "a", "model": "offline/echo" }, { "name": "b", "model": "offline/echo" }]\n}\n');
    const error = await rejection(loadTopologyDocument(bad, registry));
    expect(error.code).toBe('invalid_document');
    expect(error.location).toEqual({ file: bad, line: 2, column: 15, path: 'topology' });
    expect(error.hint).toBe('did you mean "debate"?');
  });
});
