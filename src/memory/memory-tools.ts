/**
 * The memory tools agents call — `memory_list`, `memory_read`, `memory_search` and, for a
 * `read_write` store, `memory_write` — over the stores a session's definition names (resolved to
 * ids when it was created). They run in this process against the agent memory store, never in the
 * sandbox, so an agent with only memory tools costs no sandbox. Each call is a `tool.execute`
 * command like any tool's: journaled with its output, so a resumed session answers a finished read
 * or write from the log and never repeats it. A write is recorded as the session's
 * (`session_actor`), and writing the content a memory already has adds no version.
 */
import { ConclaveError, toConclaveError, type ToolDefinition } from '../protocol/index.js';
import type { DisposableSessionTools, SessionTools, ToolOutcome } from '../kernel/index.js';
import type { AgentMemoryStore } from './agent-memory-types.js';
import { checkMemoryContent, checkMemoryPath, checkPathPrefix } from './memory-paths.js';
import { writeMemoryAtPath } from './memory-write.js';
import { memorySnippet, queryTerms } from './memory-search.js';
import { isMemoryTool, memoryToolNames, type MemoryToolName, type ResolvedMemoryEntry } from './memory-settings.js';

export interface MemoryToolsOptions {
  /** The agent memory store (opened on first use). */
  store: () => Promise<AgentMemoryStore>;
  sessionId: string;
  /** The session's workspace: the stores are looked up in it. */
  workspace: string;
  /** The session's stores, as journaled. */
  entries: readonly ResolvedMemoryEntry[];
}

/** Most entries one `memory_list` call shows. */
const listLimit = 200;
/** Most characters of content one `memory_read` returns. */
const readLimit = 102_400;

function storeParameter(entries: readonly ResolvedMemoryEntry[]): Record<string, unknown> {
  const names = entries.map((entry) => entry.name);
  return {
    type: 'string',
    description: entries.length === 1 ? `The memory store (only "${names[0]}"; may be left out).` : `The memory store: one of ${names.map((name) => `"${name}"`).join(', ')}.`,
    ...(new Set(names).size === names.length ? { enum: names } : {}),
  };
}

function storesText(entries: readonly ResolvedMemoryEntry[]): string {
  return entries
    .map((entry) => {
      const parts = [`"${entry.name}" (${entry.access === 'read' ? 'read only' : 'read and write'})`];
      if (entry.description !== '') parts.push(entry.description);
      if (entry.instructions !== undefined && entry.instructions !== '') parts.push(`How to use it: ${entry.instructions}`);
      return `- ${parts.join(': ')}`;
    })
    .join('\n');
}

/** The tool definitions for `entries`: what each tool does, which stores exist, their parameters. */
function toolDefinitions(entries: readonly ResolvedMemoryEntry[]): Map<MemoryToolName, ToolDefinition> {
  const store = storeParameter(entries);
  const required = (fields: string[]): string[] => (entries.length === 1 ? fields : ['store', ...fields]);
  const about = `Memory persists across sessions: what you write is there for later sessions. The memory stores:\n${storesText(entries)}`;
  const definitions = new Map<MemoryToolName, ToolDefinition>([
    [
      'memory_list',
      {
        name: 'memory_list',
        description: `Lists the memories of a memory store: their paths (like files: /projects/foo/notes.md), sizes and SHA-256. ${about}`,
        inputSchema: {
          type: 'object',
          properties: {
            store,
            path_prefix: { type: 'string', description: 'Only memories below this directory, ending with "/" (e.g. "/projects/"). Default: the whole store.' },
            depth: { type: 'integer', minimum: 0, description: 'Directory levels to show below the prefix (1: direct children, deeper memories as "dir/"). Default 0: every memory.' },
          },
          required: required([]),
          additionalProperties: false,
        },
      },
    ],
    [
      'memory_read',
      {
        name: 'memory_read',
        description: `Reads the text of a memory at a path. ${about}`,
        inputSchema: { type: 'object', properties: { store, path: { type: 'string', description: 'The memory path, starting with "/".' } }, required: required(['path']), additionalProperties: false },
      },
    ],
    [
      'memory_search',
      {
        name: 'memory_search',
        description: `Full-text search of a memory store: memories containing every word of the query (case-insensitive; end a word with * to match words starting with it), best first, each with its path and a snippet. ${about}`,
        inputSchema: {
          type: 'object',
          properties: {
            store,
            query: { type: 'string', description: 'Words to find, e.g. "deploy checklist" or "migrat*".' },
            path_prefix: { type: 'string', description: 'Only memories below this directory, ending with "/".' },
            limit: { type: 'integer', minimum: 1, maximum: 50, description: 'Most results. Default 10.' },
          },
          required: required(['query']),
          additionalProperties: false,
        },
      },
    ],
  ]);
  const writable = entries.filter((entry) => entry.access === 'read_write');
  if (writable.length > 0) {
    definitions.set('memory_write', {
      name: 'memory_write',
      description: `Writes a memory: creates it at the path, or replaces the text of the memory already there. Keep memories small and well named (one topic per path) so later sessions find them. ${about}`,
      inputSchema: {
        type: 'object',
        properties: {
          store: storeParameter(writable),
          path: { type: 'string', description: 'The memory path: starts with "/", segments separated by "/", e.g. "/projects/foo/decisions.md".' },
          content: { type: 'string', description: 'The whole new text of the memory (at most 100 kB).' },
          expected_sha256: { type: 'string', description: 'Write only if the memory still has this SHA-256 (from memory_list); leave out to write regardless.' },
        },
        required: writable.length === 1 ? ['path', 'content'] : ['store', 'path', 'content'],
        additionalProperties: false,
      },
    });
  }
  return definitions;
}

function fail(message: string): ToolOutcome {
  return { output: `Error: ${message}`, isError: true };
}

function stringField(input: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    if (required) throw new ConclaveError('invalid_argument', `"${field}" is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new ConclaveError('invalid_argument', `"${field}" must be a string`);
  return value;
}

function integerField(input: Record<string, unknown>, field: string, minimum: number, maximum: number): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) throw new ConclaveError('invalid_argument', `"${field}" must be a whole number from ${minimum} to ${maximum}`);
  return value;
}

/**
 * The memory tools of one session: the definitions it offers for the memory tool names it is asked
 * about, and the calls of those tools.
 *
 * @example
 * const memory = createMemoryTools({ store: () => open(), sessionId, workspace: 'default', entries: definition.memory });
 * await memory.execute({ toolCallId: 'c1', toolName: 'memory_read', input: { path: '/notes.md' } });
 */
export function createMemoryTools(options: MemoryToolsOptions): { definitionsFor(names: readonly string[]): ToolDefinition[]; execute(call: { toolName: string; input?: unknown }): Promise<ToolOutcome> } {
  const entries = options.entries;
  const definitions = toolDefinitions(entries);

  function entryFor(input: Record<string, unknown>, writing: boolean): ResolvedMemoryEntry {
    const named = stringField(input, 'store', false);
    if (named === undefined) {
      const candidates = writing ? entries.filter((entry) => entry.access === 'read_write') : entries;
      if (candidates.length === 1) return candidates[0] as ResolvedMemoryEntry;
      throw new ConclaveError('invalid_argument', `name the store: one of ${candidates.map((entry) => `"${entry.name}"`).join(', ')}`);
    }
    const entry = entries.find((candidate) => candidate.name === named) ?? entries.find((candidate) => candidate.store === named);
    if (entry === undefined) throw new ConclaveError('invalid_argument', `no memory store "${named}" in this session; the stores are ${entries.map((candidate) => `"${candidate.name}"`).join(', ')}`);
    if (writing && entry.access !== 'read_write') throw new ConclaveError('invalid_argument', `memory store "${entry.name}" is read only in this session`);
    return entry;
  }

  async function list(input: Record<string, unknown>): Promise<string> {
    const entry = entryFor(input, false);
    const store = await options.store();
    const prefix = checkPathPrefix(stringField(input, 'path_prefix', false) ?? '/', 'path_prefix');
    const depth = integerField(input, 'depth', 0, 20) ?? 0;
    const page = await store.listMemories(options.workspace, entry.store, { pathPrefix: prefix, depth, limit: listLimit });
    if (page.items.length === 0) return `No memories${prefix === '/' ? '' : ` below ${prefix}`} in "${entry.name}".`;
    const lines = page.items.map((item) => (item.type === 'prefix' ? `${item.path}  (directory)` : `${item.memory.path}  ${item.memory.sizeBytes} bytes  sha256 ${item.memory.contentSha256}`));
    if (page.nextCursor !== null) lines.push(`… more below; list a directory with path_prefix, or use depth: 1`);
    return `Memories in "${entry.name}"${prefix === '/' ? '' : ` below ${prefix}`}:\n${lines.join('\n')}`;
  }

  async function read(input: Record<string, unknown>): Promise<string> {
    const entry = entryFor(input, false);
    const path = checkMemoryPath(stringField(input, 'path', true) as string, 'path');
    const memory = await (await options.store()).getMemoryByPath(options.workspace, entry.store, path);
    if (memory === undefined) throw new ConclaveError('not_found', `no memory at ${path} in "${entry.name}"`, { hint: 'memory_list shows the paths; memory_search finds memories by their words' });
    return memory.content.length > readLimit ? `${memory.content.slice(0, readLimit)}\n… (cut at ${readLimit} characters)` : memory.content;
  }

  async function search(input: Record<string, unknown>): Promise<string> {
    const entry = entryFor(input, false);
    const query = stringField(input, 'query', true) as string;
    const prefix = stringField(input, 'path_prefix', false);
    const limit = integerField(input, 'limit', 1, 50) ?? 10;
    const hits = await (await options.store()).searchMemories(options.workspace, entry.store, query, { limit, ...(prefix !== undefined ? { pathPrefix: checkPathPrefix(prefix, 'path_prefix') } : {}) });
    if (hits.length === 0) return `No memory in "${entry.name}" contains every word of "${query}".`;
    const terms = queryTerms(query);
    return `${hits.length} ${hits.length === 1 ? 'memory' : 'memories'} in "${entry.name}" for "${query}":\n${hits.map((hit) => `${hit.memory.path}: ${memorySnippet(hit.memory.content, terms)}`).join('\n')}`;
  }

  async function write(input: Record<string, unknown>): Promise<string> {
    const entry = entryFor(input, true);
    const path = checkMemoryPath(stringField(input, 'path', true) as string, 'path');
    const content = checkMemoryContent(stringField(input, 'content', true) as string, 'content');
    const expected = stringField(input, 'expected_sha256', false);
    const actor = { type: 'session_actor' as const, session_id: options.sessionId };
    const { outcome, memory } = await writeMemoryAtPath(await options.store(), options.workspace, entry.store, { path, content, actor, ...(expected !== undefined ? { expectedSha256: expected } : {}) });
    const verb = outcome === 'created' ? 'Created' : outcome === 'updated' ? 'Updated' : 'Unchanged';
    return `${verb} ${path} in "${entry.name}" (${memory.sizeBytes} bytes, sha256 ${memory.contentSha256}).`;
  }

  const run: Record<MemoryToolName, (input: Record<string, unknown>) => Promise<string>> = { memory_list: list, memory_read: read, memory_search: search, memory_write: write };

  return {
    definitionsFor(names) {
      return names.flatMap((name) => {
        const definition = isMemoryTool(name) ? definitions.get(name) : undefined;
        return definition === undefined ? [] : [definition];
      });
    },
    async execute(call) {
      if (!isMemoryTool(call.toolName) || !definitions.has(call.toolName)) return fail(`unknown tool "${call.toolName}"; the memory tools are ${[...definitions.keys()].join(', ')}`);
      const input = typeof call.input === 'object' && call.input !== null && !Array.isArray(call.input) ? (call.input as Record<string, unknown>) : {};
      try {
        return { output: await run[call.toolName](input), isError: false };
      } catch (thrown) {
        const error = toConclaveError(thrown);
        if (error.code === 'store_error') throw error;
        return fail(`${error.message}${error.hint !== undefined ? ` (${error.hint})` : ''}`);
      }
    },
  };
}

/**
 * Session tools that answer the memory tools themselves and hand every other name to `inner`
 * (absent: none). A session whose agents only use memory tools never touches `inner`.
 *
 * @example
 * const tools = withMemoryTools(sandboxTools, createMemoryTools({ … }));
 */
export function withMemoryTools(inner: SessionTools | undefined, memory: ReturnType<typeof createMemoryTools>): DisposableSessionTools {
  const tools: DisposableSessionTools = {
    async definitionsFor(names) {
      const wanted = names ?? [];
      const rest = wanted.filter((name) => !isMemoryTool(name));
      const others = rest.length > 0 && inner !== undefined ? await inner.definitionsFor(rest) : [];
      return [...others, ...memory.definitionsFor(wanted)];
    },
    async execute(call, signal) {
      if (isMemoryTool(call.toolName)) {
        if (signal.aborted) throw new ConclaveError('aborted', 'the tool call was aborted');
        return memory.execute(call);
      }
      if (inner === undefined) return fail(`unknown tool "${call.toolName}"`);
      return inner.execute(call, signal);
    },
    async dispose() {
      await inner?.dispose?.();
    },
  };
  if (inner?.policyFor !== undefined) {
    const policyFor = inner.policyFor.bind(inner);
    tools.policyFor = (name) => (isMemoryTool(name) ? 'run' : policyFor(name));
  }
  return tools;
}

/** The memory tools an agent is offered for a session's entries: the readers, and the writer when a store is writable. */
export function offeredMemoryTools(entries: readonly { access?: string }[]): MemoryToolName[] {
  const writable = entries.some((entry) => (entry.access ?? 'read_write') === 'read_write');
  return memoryToolNames.filter((name) => name !== 'memory_write' || writable);
}
