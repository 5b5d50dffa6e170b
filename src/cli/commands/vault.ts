/**
 * `conclave vault set|list|rm`: the encrypted local secret store that `${secret:NAME}` references
 * read from when the environment has no variable of that name. `set` reads the value from stdin when
 * it is not an argument (hidden at a terminal), so it stays out of shell history and `ps`; no command
 * ever prints a value. The file and its passphrase come from --vault / CONCLAVE_VAULT and
 * CONCLAVE_VAULT_KEY (see src/vault/vault-file.ts).
 */
import { ConclaveError } from '../../protocol/index.js';
import { assertSecretName, openVaultFile, workspaceSecretEntry, type VaultFile } from '../../vault/index.js';
import { assertWorkspaceName } from '../../server/api-keys.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { stylerFor } from '../terminal.js';

/** Where the vault commands read and write; the process's own streams unless a test passes others. */
export interface VaultCommandIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
}

export interface VaultCommandOptions {
  /** The vault file (`--vault`); else CONCLAVE_VAULT, else ./.conclave/vault.json. */
  vault?: string;
  json?: boolean;
  /** `--workspace`: the secret belongs to this workspace's API documents only. */
  workspace?: string;
}

/** The vault entry a command names: `NAME`, or `workspace/NAME` with `--workspace`. */
function entryOf(name: string, options: VaultCommandOptions): string {
  assertSecretName(name);
  if (options.workspace === undefined) return name;
  assertWorkspaceName(options.workspace);
  return workspaceSecretEntry(options.workspace, name);
}

function processIo(): VaultCommandIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

function open(options: VaultCommandOptions, io: VaultCommandIo): VaultFile {
  return openVaultFile({ ...(options.vault !== undefined ? { path: options.vault } : {}), env: io.env });
}

/** A note when an environment variable will shadow the vault entry: the environment wins. */
function shadowNote(name: string, io: VaultCommandIo): void {
  const value = io.env[name];
  if (value !== undefined && value !== '') io.stderr.write(`note: the environment variable ${name} is set and wins over the vault\n`);
}

/**
 * Stores a secret. Without `value`, reads it from stdin: hidden at a terminal, otherwise the whole
 * input minus one trailing newline (`printf %s "$TOKEN" | conclave vault set TOKEN`).
 *
 * @example
 * await vaultSetCommand(context, 'OPENAI_API_KEY', undefined, {}); // value from stdin
 */
export async function vaultSetCommand(_context: CliContext, name: string, value: string | undefined, options: VaultCommandOptions, io: VaultCommandIo = processIo()): Promise<number> {
  const entry = entryOf(name, options);
  const vault = open(options, io);
  // Before prompting: a missing or wrong CONCLAVE_VAULT_KEY should not cost the user a typed secret.
  await vault.verifyKey();
  const secret = value ?? (await readSecretInput(name, io));
  const { replaced, updatedAt } = await vault.set(entry, secret);
  const workspace = options.workspace === undefined ? {} : { workspace: options.workspace };
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify({ name, ...workspace, path: vault.path, replaced, updatedAt }, null, 2)}\n`);
  } else {
    io.stdout.write(`${replaced ? 'replaced' : 'stored'} secret ${name}${options.workspace === undefined ? '' : ` of workspace ${options.workspace}`} in ${vault.path}\n`);
  }
  if (options.workspace === undefined) shadowNote(name, io);
  return exitCodes.success;
}

/**
 * Lists stored secrets: names and dates, never values.
 *
 * @example
 * await vaultListCommand(context, { json: true });
 */
export async function vaultListCommand(_context: CliContext, options: VaultCommandOptions, io: VaultCommandIo = processIo()): Promise<number> {
  if (options.workspace !== undefined) assertWorkspaceName(options.workspace);
  const vault = open(options, io);
  const all = await vault.list();
  const entries = options.workspace === undefined ? all : all.filter((entry) => entry.name.startsWith(`${options.workspace}/`));
  const shadowed = (name: string): boolean => io.env[name] !== undefined && io.env[name] !== '';
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify(entries.map((entry) => ({ ...entry, shadowedByEnvironment: shadowed(entry.name) })), null, 2)}\n`);
    return exitCodes.success;
  }
  if (entries.length === 0) {
    io.stdout.write(`no secrets in ${vault.path} — add one with: conclave vault set NAME\n`);
    return exitCodes.success;
  }
  const style = stylerFor(io.stdout as NodeJS.WriteStream, io.env);
  const width = Math.max(4, ...entries.map((entry) => entry.name.length));
  const rows = entries.map((entry) => `${entry.name.padEnd(width)}  ${entry.updatedAt.replace('T', ' ').slice(0, 19)}${shadowed(entry.name) ? '  (the environment variable wins)' : ''}`);
  io.stdout.write(`${style.bold(`${'NAME'.padEnd(width)}  UPDATED`)}\n${rows.join('\n')}\n${style.dim(`(${vault.path})`)}\n`);
  return exitCodes.success;
}

/**
 * Deletes a secret; `secret_not_found` when it is not stored.
 *
 * @example
 * await vaultRemoveCommand(context, 'OPENAI_API_KEY', {});
 */
export async function vaultRemoveCommand(_context: CliContext, name: string, options: VaultCommandOptions, io: VaultCommandIo = processIo()): Promise<number> {
  const entry = entryOf(name, options);
  const vault = open(options, io);
  if (!(await vault.remove(entry))) {
    throw new ConclaveError('secret_not_found', `no secret ${entry} in the vault ${vault.path}`, { location: { file: vault.path }, hint: 'list them with: conclave vault list' });
  }
  if (options.json === true) io.stdout.write(`${JSON.stringify({ name, path: vault.path, removed: true }, null, 2)}\n`);
  else io.stdout.write(`removed secret ${name} from ${vault.path}\n`);
  return exitCodes.success;
}

/** The value for `vault set NAME` without an argument: a hidden prompt at a terminal, else all of stdin. */
async function readSecretInput(name: string, io: VaultCommandIo): Promise<string> {
  const text = io.stdin.isTTY === true && io.stdin.setRawMode !== undefined ? await readHidden(name, io) : stripOneNewline(await readAll(io.stdin));
  if (text === '') {
    throw new ConclaveError('invalid_argument', `no value for secret ${name}: stdin was empty`, {
      hint: `type it at the prompt, or pipe it in: printf %s "$VALUE" | conclave vault set ${name}`,
    });
  }
  return text;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function stripOneNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** Reads one line at a terminal without echoing it (raw mode); Ctrl-C aborts, Backspace edits. */
function readHidden(name: string, io: VaultCommandIo): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(`value for ${name} (input hidden, Enter to finish): `);
  return new Promise((resolvePromise, rejectPromise) => {
    let value = '';
    const finish = (error?: ConclaveError): void => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (error === undefined) resolvePromise(value);
      else rejectPromise(error);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const character of chunk.toString()) {
        if (character === '\r' || character === '\n' || character === '\u0004') return finish();
        if (character === '\u0003') return finish(new ConclaveError('aborted', `vault set ${name} cancelled`));
        if (character === '\u007f' || character === '\b') value = [...value].slice(0, -1).join('');
        else value += character;
      }
    };
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}
