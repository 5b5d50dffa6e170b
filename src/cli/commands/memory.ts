/**
 * `conclave memory stores|create-store|ls|read|write|search|versions|rm`: the memory stores agents
 * read and write, for operators — over the same agent memory store the server and `conclave run`
 * use (beside the sessions: `--store`), in one workspace (`--workspace`, default `default`, the
 * workspace of sessions `conclave run` starts). A store is named by its id (`memstore_…`) or by its
 * name when that name is unique in the workspace. Writes record no author (versions show `-`):
 * the operator is neither a session nor an API key.
 */
import { readFile } from 'node:fs/promises';
import type { AgentMemoryStore, MemoryRecord, MemoryStoreRecord, MemoryVersionRecord } from '../../memory/agent-memory-types.js';
import { checkMemoryContent, checkMemoryPath, checkPathPrefix, MemoryPreconditionError } from '../../memory/memory-paths.js';
import { memorySnippet, queryTerms } from '../../memory/memory-search.js';
import { writeMemoryAtPath } from '../../memory/memory-write.js';
import { createId } from '../../protocol/ids.js';
import { ConclaveError } from '../../protocol/errors.js';
import { assertWorkspaceName } from '../../server/api-keys.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { stylerFor } from '../terminal.js';

/** Options every memory command takes. */
export interface MemoryCommandOptions {
  /** `--workspace`: whose stores (default `default`). */
  workspace?: string;
  json?: boolean;
}

/** Longest store name and description, as the Managed API allows them. */
const maximumNameLength = 255;
const maximumDescriptionLength = 1024;
/** Page size when a command reads a whole listing. */
const pageSize = 200;

/** An open memory store and the workspace a command works in. */
interface MemoryScope {
  memory: AgentMemoryStore;
  workspace: string;
  /** Where the stores live, fit to print (`--store`). */
  where: string;
}

async function openScope(context: CliContext, options: MemoryCommandOptions): Promise<MemoryScope> {
  const workspace = options.workspace ?? 'default';
  assertWorkspaceName(workspace);
  return { memory: await context.agentMemory(), workspace, where: context.storeDisplay() };
}

/** The store `reference` names: its id, or a name only one live store of the workspace has. */
async function findStore(scope: MemoryScope, reference: string): Promise<MemoryStoreRecord> {
  const listHint = `list the stores with: conclave memory stores --workspace ${scope.workspace}`;
  if (reference.startsWith('memstore_')) {
    const record = await scope.memory.getStore(scope.workspace, reference);
    if (record === undefined) throw new ConclaveError('not_found', `no memory store ${reference} in workspace "${scope.workspace}" of ${scope.where}`, { hint: listHint });
    return record;
  }
  const named = await scope.memory.findStoresByName(scope.workspace, reference);
  const live = named.filter((record) => record.archivedAt === null);
  // An archived store stays readable: its name still finds it when no live store has that name.
  const candidates = live.length > 0 ? live : named;
  if (candidates.length > 1) {
    throw new ConclaveError('invalid_argument', `${candidates.length} memory stores of workspace "${scope.workspace}" are named "${reference}"`, { hint: `name one by its id: ${candidates.map((record) => record.id).join(', ')}` });
  }
  const [record] = candidates;
  if (record === undefined) {
    throw new ConclaveError('not_found', `no memory store named "${reference}" in workspace "${scope.workspace}" of ${scope.where}`, {
      hint: `create it with: conclave memory create-store ${JSON.stringify(reference)}; or ${listHint}`,
    });
  }
  return record;
}

function printJson(value: unknown): number {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return exitCodes.success;
}

/** Rows as aligned columns under a bold header; the last column is not padded. */
function printTable(header: string[], rows: string[][]): void {
  const style = stylerFor(process.stdout);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  process.stdout.write(`${style.bold(line(header))}\n${rows.map(line).join('\n')}\n`);
}

const shortTime = (iso: string): string => iso.replace('T', ' ').slice(0, 19);

/** A memory without its content: what listings and write confirmations show. */
function memorySummary(memory: MemoryRecord): Omit<MemoryRecord, 'content'> {
  const { content: _content, ...rest } = memory;
  return rest;
}

/**
 * Lists the workspace's memory stores, newest first.
 *
 * @example
 * await memoryStoresCommand(context, { workspace: 'default', json: true });
 */
export async function memoryStoresCommand(context: CliContext, options: MemoryCommandOptions & { includeArchived?: boolean }): Promise<number> {
  const scope = await openScope(context, options);
  const stores: MemoryStoreRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await scope.memory.listStores(scope.workspace, { limit: pageSize, includeArchived: options.includeArchived === true, ...(cursor !== undefined ? { cursor } : {}) });
    stores.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  if (options.json === true) return printJson(stores);
  if (stores.length === 0) {
    process.stdout.write(`no memory stores in workspace "${scope.workspace}" of ${scope.where} — create one with: conclave memory create-store NAME\n`);
    return exitCodes.success;
  }
  const rows = stores.map((store) => [store.id, store.name, shortTime(store.createdAt), store.archivedAt === null ? '' : 'archived', store.description]);
  printTable(['ID', 'NAME', 'CREATED', 'STATE', 'DESCRIPTION'], rows);
  return exitCodes.success;
}

/**
 * Creates a memory store. Its name must be new among the workspace's live stores, so that it
 * names the store everywhere (here, and in a document's `memory:`).
 *
 * @example
 * await memoryCreateStoreCommand(context, 'project-notes', { description: 'Decisions and their reasons' });
 */
export async function memoryCreateStoreCommand(context: CliContext, name: string, options: MemoryCommandOptions & { description?: string }): Promise<number> {
  if (name === '' || name.length > maximumNameLength || /\p{Cc}/u.test(name)) {
    throw new ConclaveError('invalid_argument', `NAME: a memory store name has 1 to ${maximumNameLength} characters and no control characters, got ${JSON.stringify(name.slice(0, 80))}`);
  }
  if (name.startsWith('memstore_')) throw new ConclaveError('invalid_argument', `NAME: "${name}" looks like a store id (memstore_…); choose a name that does not start with memstore_`);
  if (options.description !== undefined && options.description.length > maximumDescriptionLength) {
    throw new ConclaveError('invalid_argument', `--description: at most ${maximumDescriptionLength} characters, got ${options.description.length}`);
  }
  const scope = await openScope(context, options);
  const taken = (await scope.memory.findStoresByName(scope.workspace, name)).filter((record) => record.archivedAt === null);
  if (taken.length > 0) {
    throw new ConclaveError('invalid_argument', `workspace "${scope.workspace}" already has a memory store named "${name}" (${taken.map((record) => record.id).join(', ')})`, { hint: 'choose another name: a name names one store' });
  }
  const store = await scope.memory.createStore({ id: createId('memoryStore'), workspace: scope.workspace, name, ...(options.description !== undefined ? { description: options.description } : {}) });
  if (options.json === true) return printJson(store);
  process.stdout.write(`created memory store ${stylerFor(process.stdout).bold(store.id)} "${store.name}" in workspace "${store.workspace}" of ${scope.where}\n`);
  return exitCodes.success;
}

/**
 * Lists a store's memories in path order, below `--prefix` when given.
 *
 * @example
 * await memoryListCommand(context, 'project-notes', { prefix: '/decisions/' });
 */
export async function memoryListCommand(context: CliContext, reference: string, options: MemoryCommandOptions & { prefix?: string }): Promise<number> {
  const prefix = checkPathPrefix(options.prefix ?? '/', '--prefix');
  const scope = await openScope(context, options);
  const store = await findStore(scope, reference);
  const memories: MemoryRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await scope.memory.listMemories(scope.workspace, store.id, { pathPrefix: prefix, limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) });
    for (const item of page.items) if (item.type === 'memory') memories.push(item.memory);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  if (options.json === true) return printJson(memories.map(memorySummary));
  if (memories.length === 0) {
    process.stdout.write(`no memories${prefix === '/' ? '' : ` below ${prefix}`} in "${store.name}" — write one with: conclave memory write ${store.id} /notes.md --file notes.md\n`);
    return exitCodes.success;
  }
  printTable(['PATH', 'BYTES', 'SHA256', 'UPDATED'], memories.map((memory) => [memory.path, String(memory.sizeBytes), memory.contentSha256, shortTime(memory.updatedAt)]));
  return exitCodes.success;
}

/**
 * Prints the content of the memory at a path, exactly (with `--json`, the memory with its SHA-256).
 *
 * @example
 * await memoryReadCommand(context, 'project-notes', '/decisions/db.md', {});
 */
export async function memoryReadCommand(context: CliContext, reference: string, path: string, options: MemoryCommandOptions): Promise<number> {
  checkMemoryPath(path, 'PATH');
  const scope = await openScope(context, options);
  const store = await findStore(scope, reference);
  const memory = await scope.memory.getMemoryByPath(scope.workspace, store.id, path);
  if (memory === undefined) throw new ConclaveError('not_found', `no memory at ${path} in memory store "${store.name}" (${store.id})`, { hint: `list them with: conclave memory ls ${store.id}` });
  if (options.json === true) return printJson(memory);
  // A terminal gets its prompt on a new line; a pipe gets the content byte for byte.
  const end = process.stdout.isTTY === true && !memory.content.endsWith('\n') ? '\n' : '';
  process.stdout.write(`${memory.content}${end}`);
  return exitCodes.success;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The text to write: `--file`, else stdin (never a terminal, where nobody would know to end it, nor empty). */
async function writeInput(file: string | undefined): Promise<string> {
  if (file !== undefined) {
    return readFile(file, 'utf8').catch((error: unknown) => {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new ConclaveError('invalid_argument', `--file: cannot read ${file}: ${reason}`, { location: { file } });
    });
  }
  const example = 'printf "Ship on Monday.\\n" | conclave memory write STORE /notes.md';
  if (process.stdin.isTTY === true) throw new ConclaveError('invalid_argument', 'no text to write: give it with --file F, or on stdin', { hint: example });
  // An empty stdin is more often a script's mistake than a wish: an empty memory takes --file /dev/null.
  const text = await readStdin();
  if (text === '') throw new ConclaveError('invalid_argument', 'no text to write: stdin was empty', { hint: `${example}; to write an empty memory, use --file /dev/null` });
  return text;
}

/**
 * Writes the memory at a path (creates it, or replaces its content) from `--file` or stdin; with
 * `ifSha256`, only if the memory there has that SHA-256 (a `version_conflict` otherwise).
 *
 * @example
 * await memoryWriteCommand(context, 'project-notes', '/decisions/db.md', { file: 'db.md', ifSha256: '9f86d0…' });
 */
export async function memoryWriteCommand(context: CliContext, reference: string, path: string, options: MemoryCommandOptions & { file?: string; ifSha256?: string }): Promise<number> {
  checkMemoryPath(path, 'PATH');
  const content = checkMemoryContent(await writeInput(options.file), options.file ?? 'stdin');
  const scope = await openScope(context, options);
  const store = await findStore(scope, reference);
  let written: Awaited<ReturnType<typeof writeMemoryAtPath>>;
  try {
    written = await writeMemoryAtPath(scope.memory, scope.workspace, store.id, { path, content, ...(options.ifSha256 !== undefined ? { expectedSha256: options.ifSha256 } : {}) });
  } catch (error) {
    if (!(error instanceof MemoryPreconditionError)) throw error;
    const current = await scope.memory.getMemoryByPath(scope.workspace, store.id, path);
    const now = current === undefined ? 'there is no memory there' : `its sha256 is now ${current.contentSha256}`;
    throw new ConclaveError('version_conflict', `--if-sha256: ${path} in memory store "${store.name}" does not have sha256 ${options.ifSha256 ?? ''}: ${now}; nothing was written`, {
      hint: `read it again (conclave memory read ${store.id} ${path}), apply your change, and pass its current sha256`,
    });
  }
  const { outcome, memory } = written;
  if (options.json === true) return printJson({ outcome, memory: memorySummary(memory) });
  process.stdout.write(`${outcome} ${memory.path} in "${store.name}" (${memory.sizeBytes} bytes, sha256 ${memory.contentSha256})\n`);
  return exitCodes.success;
}

/**
 * Full-text search of a store: memories with every word of the query, best first, with a snippet.
 *
 * @example
 * await memorySearchCommand(context, 'project-notes', 'deploy*', { limit: 5 });
 */
export async function memorySearchCommand(context: CliContext, reference: string, query: string, options: MemoryCommandOptions & { prefix?: string; limit?: number }): Promise<number> {
  const terms = queryTerms(query);
  const prefix = options.prefix === undefined ? undefined : checkPathPrefix(options.prefix, '--prefix');
  const scope = await openScope(context, options);
  const store = await findStore(scope, reference);
  const hits = await scope.memory.searchMemories(scope.workspace, store.id, query, { limit: options.limit ?? 10, ...(prefix !== undefined ? { pathPrefix: prefix } : {}) });
  const found = hits.map((hit) => ({ path: hit.memory.path, score: hit.score, snippet: memorySnippet(hit.memory.content, terms), memoryId: hit.memory.id, contentSha256: hit.memory.contentSha256 }));
  if (options.json === true) return printJson(found);
  if (found.length === 0) {
    process.stdout.write(`no memory in "${store.name}" has every word of ${JSON.stringify(query)}\n`);
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  process.stdout.write(`${found.map((hit) => `${style.bold(hit.path)}\n  ${hit.snippet}`).join('\n')}\n`);
  return exitCodes.success;
}

/** The id of the memory at `path` now, else of the last one that was there (deleted since). */
async function memoryIdAt(scope: MemoryScope, store: MemoryStoreRecord, path: string): Promise<string> {
  const current = await scope.memory.getMemoryByPath(scope.workspace, store.id, path);
  if (current !== undefined) return current.id;
  let cursor: string | undefined;
  do {
    const page = await scope.memory.listVersions(scope.workspace, store.id, { limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) });
    const last = page.items.find((version) => version.path === path);
    if (last !== undefined) return last.memoryId;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  throw new ConclaveError('not_found', `no memory was ever at ${path} in memory store "${store.name}" (${store.id})`, { hint: `list the memories with: conclave memory ls ${store.id}` });
}

/**
 * Lists the versions of the memory at a path, newest first — also of one deleted since.
 *
 * @example
 * await memoryVersionsCommand(context, 'project-notes', '/decisions/db.md', { json: true });
 */
export async function memoryVersionsCommand(context: CliContext, reference: string, path: string, options: MemoryCommandOptions): Promise<number> {
  checkMemoryPath(path, 'PATH');
  const scope = await openScope(context, options);
  const store = await findStore(scope, reference);
  const memoryId = await memoryIdAt(scope, store, path);
  const versions: MemoryVersionRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await scope.memory.listVersions(scope.workspace, store.id, { memoryId, limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) });
    versions.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  if (options.json === true) return printJson(versions);
  const author = (version: MemoryVersionRecord): string => {
    const actor = version.createdBy;
    if (actor === null) return '-';
    return actor.type === 'session_actor' ? `session ${actor.session_id}` : actor.type === 'api_actor' ? `api key ${actor.api_key_id}` : `user ${actor.user_id}`;
  };
  const rows = versions.map((version) => [
    version.id,
    version.operation,
    shortTime(version.createdAt),
    version.redactedAt !== null ? 'redacted' : String(version.sizeBytes ?? '-'),
    version.contentSha256 ?? '-',
    author(version),
  ]);
  printTable(['VERSION', 'OPERATION', 'CREATED', 'BYTES', 'SHA256', 'BY'], rows);
  return exitCodes.success;
}

/**
 * Deletes the memory at a path (its versions stay); with `ifSha256`, only if it has that SHA-256.
 *
 * @example
 * await memoryRemoveCommand(context, 'project-notes', '/drafts/old.md', {});
 */
export async function memoryRemoveCommand(context: CliContext, reference: string, path: string, options: MemoryCommandOptions & { ifSha256?: string }): Promise<number> {
  checkMemoryPath(path, 'PATH');
  const scope = await openScope(context, options);
  const store = await findStore(scope, reference);
  const memory = await scope.memory.getMemoryByPath(scope.workspace, store.id, path);
  if (memory === undefined) throw new ConclaveError('not_found', `no memory at ${path} in memory store "${store.name}" (${store.id})`, { hint: `list them with: conclave memory ls ${store.id}` });
  try {
    const deleted = await scope.memory.deleteMemory(scope.workspace, store.id, memory.id, { versionId: createId('memoryVersion'), ...(options.ifSha256 !== undefined ? { expectedSha256: options.ifSha256 } : {}) });
    if (!deleted) throw new ConclaveError('not_found', `${path} in memory store "${store.name}" was deleted by another writer meanwhile`);
  } catch (error) {
    if (!(error instanceof MemoryPreconditionError)) throw error;
    throw new ConclaveError('version_conflict', `--if-sha256: ${path} in memory store "${store.name}" has sha256 ${memory.contentSha256}, not ${options.ifSha256 ?? ''}; nothing was deleted`);
  }
  if (options.json === true) return printJson({ removed: true, storeId: store.id, path, memoryId: memory.id });
  process.stdout.write(`removed ${path} from "${store.name}" (its versions stay: conclave memory versions ${store.id} ${path})\n`);
  return exitCodes.success;
}
