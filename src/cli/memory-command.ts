/**
 * Registers `conclave memory` and its subcommands (stores, create-store, ls, read, write, search,
 * versions, rm) on the program, with the help that teaches each by example; the commands
 * themselves (and the memory store backends) are imported only when one runs.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { integer, type CommandAction } from './cli-action.js';
import type * as MemoryCommands from './commands/memory.js';

const memoryCommands = (): Promise<typeof MemoryCommands> => import('./commands/memory.js');

type Options = { workspace: string; json?: boolean };

/**
 * A parser for a SHA-256 option: 64 hexadecimal characters, returned lowercase.
 *
 * @example
 * command.option('--if-sha256 <sha256>', 'precondition', sha256('--if-sha256'));
 */
export function sha256(name: string): (value: string) => string {
  return (value: string): string => {
    if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new InvalidArgumentError(`${name} must be a SHA-256: 64 hexadecimal characters, got "${value.slice(0, 80)}"`);
    return value.toLowerCase();
  };
}

const storeArgument = ['<store>', 'the memory store: its id (memstore_…) or its name, when only one store of the workspace has it'] as const;
const pathArgument = ['<path>', 'the memory path: starts with "/", e.g. /decisions/db.md'] as const;

/** `--workspace` and `--json`, which every memory subcommand takes. */
function common(command: Command): Command {
  return command.option('-w, --workspace <name>', 'the workspace of the stores (sessions of conclave run use "default")', 'default').option('--json', 'print JSON');
}

/**
 * Adds `memory` and its subcommands to `program`.
 *
 * @example
 * registerMemoryCommands(program, createAction(() => program.opts<GlobalOptions>()));
 */
export function registerMemoryCommands(program: Command, action: CommandAction): void {
  const memory = program
    .command('memory')
    .description('memory stores that agents read and write across sessions: list, read, write, search, versions')
    .addHelpText(
      'after',
      `
Memory stores live beside the sessions (--store), in a workspace (--workspace, default "default":
the workspace of sessions conclave run starts; an API key's workspace for conclave serve). Agents
use them through a document's \`memory:\` section or a Managed session's memory_store resources; these
commands are the operator's view. Every write adds a version; versions are kept after a memory is removed.

Examples:
  $ conclave memory create-store project-notes --description "Decisions and their reasons"
  $ printf 'Use SQLite first.\\n' | conclave memory write project-notes /decisions/db.md
  $ conclave memory ls project-notes
  $ conclave memory read project-notes /decisions/db.md
  $ conclave memory search project-notes "sqlite"
  $ conclave memory versions project-notes /decisions/db.md`,
    );

  common(memory.command('stores'))
    .description('list the memory stores of the workspace, newest first')
    .option('--include-archived', 'also list archived stores')
    .addHelpText('after', '\nExamples:\n  $ conclave memory stores\n  $ conclave memory stores --workspace team-a --json')
    .action(action(async (context, options: Options & { includeArchived?: boolean }) => (await memoryCommands()).memoryStoresCommand(context, options)));

  common(memory.command('create-store'))
    .description('create a memory store (its name must be new in the workspace)')
    .argument('<name>', 'the store name: 1 to 255 characters; documents name the store by it')
    .option('-d, --description <text>', 'what the store holds (agents that use it see this), up to 1,024 characters')
    .addHelpText('after', '\nExamples:\n  $ conclave memory create-store project-notes --description "Decisions and their reasons"\n  $ conclave memory create-store user-preferences --workspace team-a --json')
    .action(action(async (context, name: string, options: Options & { description?: string }) => (await memoryCommands()).memoryCreateStoreCommand(context, name, options)));

  common(memory.command('ls'))
    .description("list a store's memories in path order: path, bytes, sha256, last update")
    .argument(...storeArgument)
    .option('-p, --prefix <path>', 'only memories below this directory, ending with "/" (e.g. /decisions/)')
    .addHelpText('after', '\nExamples:\n  $ conclave memory ls project-notes\n  $ conclave memory ls memstore_01J… --prefix /decisions/ --json')
    .action(action(async (context, store: string, options: Options & { prefix?: string }) => (await memoryCommands()).memoryListCommand(context, store, options)));

  common(memory.command('read'))
    .description('print the content of a memory (byte for byte in a pipe)')
    .argument(...storeArgument)
    .argument(...pathArgument)
    .addHelpText('after', '\nWith --json: the memory with its contentSha256, for a later write --if-sha256.\n\nExamples:\n  $ conclave memory read project-notes /decisions/db.md\n  $ conclave memory read project-notes /decisions/db.md --json')
    .action(action(async (context, store: string, path: string, options: Options) => (await memoryCommands()).memoryReadCommand(context, store, path, options)));

  common(memory.command('write'))
    .description('write a memory: create it, or replace its content (text from --file or stdin)')
    .argument(...storeArgument)
    .argument(...pathArgument)
    .option('-f, --file <file>', 'read the text from this file (default: stdin)')
    .option('--if-sha256 <sha256>', 'write only if the memory there has this sha256 (from ls or read --json): no lost update', sha256('--if-sha256'))
    .addHelpText(
      'after',
      `
Writing the content a memory already has changes nothing (outcome "unchanged", no new version).
With --if-sha256, a memory changed since you read it (or absent) is an error and nothing is written.

Examples:
  $ conclave memory write project-notes /decisions/db.md --file db.md
  $ printf 'Use SQLite first.\\n' | conclave memory write project-notes /decisions/db.md
  $ conclave memory write project-notes /decisions/db.md --file db.md --if-sha256 9f86d081884c7d65…`,
    )
    .action(action(async (context, store: string, path: string, options: Options & { file?: string; ifSha256?: string }) => (await memoryCommands()).memoryWriteCommand(context, store, path, options)));

  common(memory.command('search'))
    .description('find the memories that contain every word of a query, best first, with a snippet')
    .argument(...storeArgument)
    .argument('<query>', 'words to find (case-insensitive); end a word with * to match its beginning')
    .option('-p, --prefix <path>', 'only memories below this directory, ending with "/"')
    .option('-n, --limit <n>', 'most results', integer('--limit', 1), 10)
    .addHelpText('after', '\nExamples:\n  $ conclave memory search project-notes "sqlite postgres"\n  $ conclave memory search project-notes "deploy*" --prefix /runbooks/ --json')
    .action(action(async (context, store: string, query: string, options: Options & { prefix?: string; limit: number }) => (await memoryCommands()).memorySearchCommand(context, store, query, options)));

  common(memory.command('versions'))
    .description('list the versions of a memory, newest first: operation, time, size, sha256, author')
    .argument(...storeArgument)
    .argument(...pathArgument)
    .addHelpText('after', '\nAlso for a memory removed since: its versions stay.\n\nExamples:\n  $ conclave memory versions project-notes /decisions/db.md\n  $ conclave memory versions project-notes /decisions/db.md --json    with each version\'s content')
    .action(action(async (context, store: string, path: string, options: Options) => (await memoryCommands()).memoryVersionsCommand(context, store, path, options)));

  common(memory.command('rm'))
    .description('remove a memory (its versions stay)')
    .argument(...storeArgument)
    .argument(...pathArgument)
    .option('--if-sha256 <sha256>', 'remove only if the memory has this sha256', sha256('--if-sha256'))
    .addHelpText('after', '\nExamples:\n  $ conclave memory rm project-notes /drafts/old.md\n  $ conclave memory rm project-notes /drafts/old.md --if-sha256 9f86d081884c7d65…')
    .action(action(async (context, store: string, path: string, options: Options & { ifSha256?: string }) => (await memoryCommands()).memoryRemoveCommand(context, store, path, options)));
}
