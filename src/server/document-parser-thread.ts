/**
 * Parsing callers' documents off the event loop. A request body of up to a megabyte is parsed and
 * validated in a worker thread (`document-parser-worker.ts`), so that while one caller's document
 * is checked every other request — `/healthz` included — is answered at once. One thread, started
 * with the server, handles requests in turn; a document that keeps it busy past `timeoutMs` is
 * refused and the thread is replaced. `conclave serve` uses it; tests and embedders that build
 * their own registry parse in the request's thread (`inThreadDocumentParser`).
 */
import { Worker } from 'node:worker_threads';
import type { DocumentLimits } from '../config/index.js';
import { ConclaveError, type ConclaveErrorJSON } from '../protocol/index.js';
import type { DocumentCatalog } from './document-catalog.js';
import { readInlineDocumentRequest, type InlineDocumentRequest } from './inline-document-request.js';

export interface DocumentParser {
  /**
   * The body of `POST /v1/sessions`, parsed, with its inline document parsed and validated;
   * `origin` names the document in error locations (default `body.document`).
   */
  read(text: string, origin?: string): Promise<InlineDocumentRequest>;
  /** Stops the thread, if there is one. */
  close(): Promise<void>;
}

/** What the worker is started with: the catalog settings for callers' documents. */
export interface DocumentParserWorkerData {
  limits?: Partial<DocumentLimits>;
  limitsSource?: string;
}

/** A reply of the worker: the parsed request, or the error reading it threw. */
export type DocumentParserReply = { id: number; result: InlineDocumentRequest } | { id: number; error: ConclaveErrorJSON };

/**
 * Parses in the calling thread, with `catalog`.
 *
 * @example
 * const parser = inThreadDocumentParser(documents);
 */
export function inThreadDocumentParser(catalog: Pick<DocumentCatalog, 'parse' | 'fromObject'>): DocumentParser {
  return {
    read: async (text, origin) => readInlineDocumentRequest(text, catalog, origin),
    close: async () => undefined,
  };
}

/** Default longest time one document may take to validate before it is refused. */
export const defaultDocumentParseTimeoutMs = 10_000;

/**
 * Starts the parser thread over the default registry (what `conclave serve` runs).
 *
 * @example
 * const parser = startDocumentParserThread({ limits: policy.limits });
 * deps.documentParser = parser; … await parser.close();
 */
export function startDocumentParserThread(data: DocumentParserWorkerData, timeoutMs = defaultDocumentParseTimeoutMs): DocumentParser {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: (result: InlineDocumentRequest) => void; reject: (error: unknown) => void; timer: NodeJS.Timeout }>();

  const failAll = (error: ConclaveError): void => {
    for (const [id, waiting] of pending) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      pending.delete(id);
    }
  };

  const start = (): Worker => {
    const created = new Worker(new URL('./document-parser-worker.js', import.meta.url), { workerData: data });
    created.unref();
    created.on('message', (reply: DocumentParserReply) => {
      const waiting = pending.get(reply.id);
      if (waiting === undefined) return;
      pending.delete(reply.id);
      clearTimeout(waiting.timer);
      if ('error' in reply) waiting.reject(ConclaveError.fromJSON(reply.error));
      else waiting.resolve(reply.result);
    });
    const lost = (reason: string): void => {
      if (worker === created) worker = undefined;
      failAll(new ConclaveError('internal', `the document parser stopped: ${reason}`));
    };
    created.on('error', (error) => lost(error.message));
    created.on('exit', (code) => lost(`exit code ${code}`));
    return created;
  };
  worker = start();

  return {
    read(text, origin) {
      const current = (worker ??= start());
      const id = (nextId += 1);
      return new Promise<InlineDocumentRequest>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new ConclaveError('document_too_large', `the document took longer than ${timeoutMs} ms to validate`, { hint: 'send a smaller document' }));
          // The thread is busy with it: replace it, so the next documents are not stuck behind it.
          if (worker === current) worker = undefined;
          void current.terminate();
        }, timeoutMs);
        timer.unref();
        pending.set(id, { resolve, reject, timer });
        current.postMessage({ id, text, origin });
      });
    },
    async close() {
      const current = worker;
      worker = undefined;
      failAll(new ConclaveError('aborted', 'the server is shutting down'));
      await current?.terminate();
    },
  };
}
