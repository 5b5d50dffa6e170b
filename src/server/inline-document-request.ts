/**
 * The heavy part of creating a session from a caller's document, as one pure function: parse the
 * request body's JSON, and parse and validate its inline `document` (YAML/JSON text or a JSON object)
 * with the catalog. It runs in the request's thread or in the document parser thread
 * (`document-parser-thread.ts`), which keeps large or hostile bodies off the event loop.
 */
import type { TopologyDocument } from '../config/index.js';
import { ConclaveError, toConclaveError, type ConclaveErrorJSON } from '../protocol/index.js';
import type { DocumentCatalog } from './document-catalog.js';

/** A request body with its inline document parsed on the side. */
export interface InlineDocumentRequest {
  /** The parsed body; a parsed inline document is replaced by `{}`, so the body schema still sees one was given. */
  body: unknown;
  /** The inline document, validated and normalised. */
  document?: TopologyDocument;
  /** Why the inline document was refused (reported after the body's own problems). */
  documentError?: ConclaveErrorJSON;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A request body's JSON (undefined for an empty body); `invalid_argument` for text that is not JSON.
 *
 * @example
 * parseJsonBody('{"text":"hi"}') // → { text: 'hi' }
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConclaveError('invalid_argument', `the request body is not valid JSON: ${reason}`, { hint: 'send a JSON object with content-type: application/json' });
  }
}

/**
 * Parses a request body and the inline document in its `document` field. Throws `invalid_argument`
 * for a body that is not JSON; a bad document is returned as `documentError`, not thrown.
 *
 * @example
 * const request = readInlineDocumentRequest('{"task":"hi","document":"topology: debate\\n…"}', catalog);
 * request.document?.topology // → 'debate'
 */
export function readInlineDocumentRequest(text: string, catalog: Pick<DocumentCatalog, 'parse' | 'fromObject'>, origin = 'body.document'): InlineDocumentRequest {
  const body = parseJsonBody(text);
  if (!isPlainObject(body)) return { body };
  const given = body['document'];
  if (typeof given !== 'string' && !isPlainObject(given)) return { body };
  const rest = { ...body, document: {} };
  try {
    const document = typeof given === 'string' ? catalog.parse(given, origin) : catalog.fromObject(given, origin);
    return { body: rest, document };
  } catch (error) {
    return { body: rest, documentError: toConclaveError(error).toJSON() };
  }
}
