/**
 * The document parser thread's body (see `document-parser-thread.ts`): a catalog over the default
 * registry with the server's limits for callers' documents, answering one request body at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDefaultRegistry } from '../presets/default-registry.js';
import { toConclaveError } from '../protocol/index.js';
import { createDocumentCatalog } from './document-catalog.js';
import type { DocumentParserReply, DocumentParserWorkerData } from './document-parser-thread.js';
import { readInlineDocumentRequest } from './inline-document-request.js';

const data = workerData as DocumentParserWorkerData;
const catalog = createDocumentCatalog({
  directory: '.',
  registry: createDefaultRegistry(),
  ...(data.limits !== undefined ? { limits: data.limits } : {}),
  ...(data.limitsSource !== undefined ? { limitsSource: data.limitsSource } : {}),
});

parentPort?.on('message', (message: { id: number; text: string; origin?: string }) => {
  let reply: DocumentParserReply;
  try {
    reply = { id: message.id, result: readInlineDocumentRequest(message.text, catalog, message.origin) };
  } catch (error) {
    reply = { id: message.id, error: toConclaveError(error).toJSON() };
  }
  parentPort?.postMessage(reply);
});
