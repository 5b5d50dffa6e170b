/**
 * The topology documents a server can run: named files in one directory (`--documents`, default
 * `examples`), plus documents sent inline as YAML/JSON text or as a JSON object. Everything goes
 * through `parseTopologyDocument`, so an inline document is validated exactly like a file and its
 * errors carry the same paths. Names are plain file names: no separators, so no path traversal.
 *
 * Documents sent by callers are held to `untrustedDocumentLimits` (or the `limits` the server
 * passes); the operator's named documents to the generous `defaultDocumentLimits`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  defaultDocumentLimits,
  documentTooLargeError,
  findValueExcess,
  formatJsonPath,
  parseTopologyDocument,
  resolveDocumentLimits,
  untrustedDocumentLimits,
  type DocumentLimits,
  type TopologyDocument,
} from '../config/index.js';
import { ConclaveError } from '../protocol/errors.js';
import type { Registry } from '../protocol/registry.js';

/** Names a document may be asked for by: a letter or digit, then letters, digits, `_`, `.` or `-`. */
export const documentNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The extensions tried after the bare name, in this order. */
export const documentExtensions = ['.yaml', '.yml', '.json'] as const;

export interface DocumentCatalog {
  /** The directory named documents are read from. */
  readonly directory: string;
  /** The named document, validated and normalised; `not_found` (with the available names) when there is none. */
  load(name: string): Promise<TopologyDocument>;
  /** An inline document given as YAML or JSON text; `origin` names it in error locations. Held to the caller limits. */
  parse(text: string, origin?: string): TopologyDocument;
  /** An inline document given as a JSON value (e.g. a field of a request body). Held to the caller limits. */
  fromObject(value: unknown, origin?: string): TopologyDocument;
  /** Names of the documents in the directory, without extension, sorted. */
  list(): Promise<string[]>;
}

export interface DocumentCatalogOptions {
  directory: string;
  registry: Registry;
  /**
   * Limits on the documents callers send (`parse`, `fromObject`); those left out come from
   * `untrustedDocumentLimits`. Named documents from `directory` keep `defaultDocumentLimits`.
   */
  limits?: Partial<DocumentLimits>;
  /** Where an operator changes `limits`, named in `document_too_large` hints (e.g. "the policy's limits section"). */
  limitsSource?: string;
}

const defaultLimitsSource = "the server's document limits (`limits` of createDocumentCatalog)";

/**
 * A catalog over `directory`, validating against `registry`.
 *
 * @example
 * const documents = createDocumentCatalog({ directory: 'examples', registry });
 * const definition = await documents.load('debate');   // examples/debate.yaml
 * const sessionId = await kernel.createSession(definition, { task: 'Is P = NP?' });
 * // Tighter limits on what callers send, and where to change them:
 * createDocumentCatalog({ directory: 'examples', registry, limits: { depth: 16 }, limitsSource: "the policy's limits section" });
 */
export function createDocumentCatalog(options: DocumentCatalogOptions): DocumentCatalog {
  const { directory, registry } = options;
  const callerLimits = resolveDocumentLimits({ limits: options.limits, limitsSource: options.limitsSource ?? defaultLimitsSource }, untrustedDocumentLimits);
  const { source: limitsSource, ...limits } = callerLimits;

  async function isFile(path: string): Promise<boolean> {
    try {
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  }

  async function list(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(directory);
    } catch {
      return [];
    }
    const names = new Set<string>();
    for (const entry of entries) {
      const extension = extname(entry);
      if (!(documentExtensions as readonly string[]).includes(extension)) continue;
      const name = entry.slice(0, -extension.length);
      if (documentNamePattern.test(name) && (await isFile(join(directory, entry)))) names.add(name);
    }
    return [...names].sort();
  }

  /** A caller's document: held to the caller limits, whose hints name where the server sets them. */
  function parseFromCaller(text: string, origin: string | undefined, documentLimits: Partial<DocumentLimits>): TopologyDocument {
    return parseTopologyDocument(text, { ...(origin !== undefined ? { file: origin } : {}), registry, limits: documentLimits, limitsSource });
  }

  function parse(text: string, origin?: string): TopologyDocument {
    return parseFromCaller(text, origin, limits);
  }

  return {
    directory,
    list,
    parse,

    async load(name: string): Promise<TopologyDocument> {
      if (!documentNamePattern.test(name)) {
        throw new ConclaveError('invalid_argument', `invalid document name "${name}"`, {
          hint: 'a document name is a file name in the documents directory, such as "debate" or "debate.yaml" (no "/")',
        });
      }
      for (const candidate of [name, ...documentExtensions.map((extension) => `${name}${extension}`)]) {
        const path = join(directory, candidate);
        if (!(await isFile(path))) continue;
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new ConclaveError('store_error', `cannot read document ${candidate}: ${reason}`, { cause: error });
        }
        return parseTopologyDocument(text, { file: candidate, registry, limits: defaultDocumentLimits });
      }
      const available = await list();
      throw new ConclaveError('not_found', `no document "${name}" in ${directory}`, {
        hint: available.length === 0 ? `the documents directory ${directory} has no .yaml, .yml or .json files` : `available: ${available.join(', ')}`,
      });
    },

    fromObject(value: unknown, origin?: string): TopologyDocument {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ConclaveError('invalid_document', 'an inline document must be a JSON object', {
          ...(origin !== undefined ? { location: { file: origin } } : {}),
          hint: 'for example {"topology": "debate", "agents": [{"model": "offline/echo"}]}',
        });
      }
      // Measured before it is stringified: JSON.stringify recurses, and overflows a few thousand levels down.
      const excess = findValueExcess(value, limits);
      if (excess !== undefined) {
        throw documentTooLargeError(excess.limit, undefined, callerLimits, { ...(origin !== undefined ? { file: origin } : {}), path: formatJsonPath(excess.path) });
      }
      // Its size is what the caller sent (compact JSON); it is read indented, so that lines mean something.
      const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
      if (bytes > limits.bytes) throw documentTooLargeError('bytes', bytes, callerLimits, origin !== undefined ? { file: origin } : undefined);
      return parseFromCaller(JSON.stringify(value, null, 2), origin, { ...limits, bytes: Number.POSITIVE_INFINITY });
    },
  };
}
