/**
 * Reads a topology document from disk and hands it to `parseTopologyDocument`. The path is kept as
 * given, so messages show what the user typed (`examples/debate.yaml:4`), not an absolute path.
 */
import { readFile } from 'node:fs/promises';
import { ConclaveError, type Registry } from '../protocol/index.js';
import type { TopologyDocument } from './document-schema.js';
import { parseTopologyDocument } from './parse-topology-document.js';

function readFailure(file: string, error: unknown): ConclaveError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new ConclaveError('document_not_found', `document not found: ${file}`, {
      location: { file },
      hint: 'check the path; it is resolved from the current directory',
      cause: error,
    });
  }
  if (code === 'EISDIR') {
    return new ConclaveError('invalid_argument', `${file} is a directory, not a topology document`, { location: { file }, cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ConclaveError('invalid_argument', `cannot read ${file}: ${reason}`, { location: { file }, cause: error });
}

/**
 * Loads, parses and validates the document at `file`.
 *
 * @example
 * const document = await loadTopologyDocument('examples/debate.yaml', registry);
 * document.agents.length // → 3
 */
export async function loadTopologyDocument(file: string, registry: Registry): Promise<TopologyDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw readFailure(file, error);
  }
  return parseTopologyDocument(text, { file, registry });
}
