/**
 * The topology documents a server can run: named files in one directory (`--documents`, default
 * `examples`), plus documents sent inline as YAML/JSON text or as a JSON object. Everything goes
 * through `parseTopologyDocument`, so an inline document is validated exactly like a file and its
 * errors carry the same paths. Names are plain file names: no separators, so no path traversal.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseTopologyDocument, type TopologyDocument } from '../config/index.js';
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
  /** An inline document given as YAML or JSON text; `origin` names it in error locations. */
  parse(text: string, origin?: string): TopologyDocument;
  /** An inline document given as a JSON value (e.g. a field of a request body). */
  fromObject(value: unknown, origin?: string): TopologyDocument;
  /** Names of the documents in the directory, without extension, sorted. */
  list(): Promise<string[]>;
}

export interface DocumentCatalogOptions {
  directory: string;
  registry: Registry;
}

/**
 * A catalog over `directory`, validating against `registry`.
 *
 * @example
 * const documents = createDocumentCatalog({ directory: 'examples', registry });
 * const definition = await documents.load('debate');   // examples/debate.yaml
 * const sessionId = await kernel.createSession(definition, { task: 'Is P = NP?' });
 */
export function createDocumentCatalog(options: DocumentCatalogOptions): DocumentCatalog {
  const { directory, registry } = options;

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

  function parse(text: string, origin?: string): TopologyDocument {
    return parseTopologyDocument(text, { ...(origin !== undefined ? { file: origin } : {}), registry });
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
        return parse(text, candidate);
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
      return parse(JSON.stringify(value, null, 2), origin);
    },
  };
}
