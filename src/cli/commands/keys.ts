/**
 * `conclave keys create|list|revoke`: the API keys of `conclave serve`. A key belongs to one
 * workspace and reaches only that workspace's agents, environments and sessions. The secret is
 * printed once, at creation, and never stored — listings show its first characters only.
 */
import { ConclaveError, type ApiKeyRecord } from '../../protocol/index.js';
import { createApiKey } from '../../server/api-keys.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { stylerFor } from '../terminal.js';

/** A key as printed by `--json`: everything but the hash. */
function publicKey(record: ApiKeyRecord): Omit<ApiKeyRecord, 'hash'> {
  const { hash: _hash, ...rest } = record;
  return rest;
}

function databaseNote(context: CliContext): string | undefined {
  return context.resources().kind === 'memory' ? 'note: --db is :memory:, so this key disappears when the command exits\n' : undefined;
}

/**
 * Creates a key for a workspace and prints its secret once.
 *
 * @example
 * await keysCreateCommand(context, { workspace: 'default', name: 'laptop' });
 */
export async function keysCreateCommand(context: CliContext, options: { workspace: string; name?: string; json?: boolean }): Promise<number> {
  const { key, record } = await createApiKey(context.resources(), { workspace: options.workspace, name: options.name ?? null });
  const note = databaseNote(context);
  if (note !== undefined) process.stderr.write(note);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ ...publicKey(record), key }, null, 2)}\n`);
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  process.stdout.write(
    [
      `created API key ${style.bold(record.id)} for workspace ${style.bold(record.workspace)}${record.name !== null ? ` (${record.name})` : ''}`,
      '',
      `  ${key}`,
      '',
      `${style.yellow('Copy it now: it is not shown again.')} Use it as "Authorization: Bearer <key>" or "x-api-key: <key>",`,
      `or with the Anthropic SDK: new Anthropic({ apiKey, baseURL: 'http://127.0.0.1:8787/anthropic' }).`,
      '',
    ].join('\n'),
  );
  return exitCodes.success;
}

/**
 * Lists keys (never their secrets), oldest first.
 *
 * @example
 * await keysListCommand(context, { json: true });
 */
export async function keysListCommand(context: CliContext, options: { json?: boolean; workspace?: string }): Promise<number> {
  const keys = await context.resources().listKeys(options.workspace);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(keys.map(publicKey), null, 2)}\n`);
    return exitCodes.success;
  }
  if (keys.length === 0) {
    process.stdout.write('no API keys yet — create one with: conclave keys create --workspace default\n');
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  const day = (time: string | null): string => (time === null ? '-' : time.replace('T', ' ').slice(0, 16));
  const rows = keys.map((key) => [key.id, key.workspace, `${key.prefix}…`, key.revokedAt === null ? 'active' : 'revoked', day(key.createdAt), day(key.lastUsedAt), key.name ?? '']);
  const header = ['ID', 'WORKSPACE', 'KEY', 'STATUS', 'CREATED', 'LAST USED', 'NAME'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  process.stdout.write(`${style.bold(line(header))}\n${rows.map(line).join('\n')}\n`);
  return exitCodes.success;
}

/**
 * Revokes a key: requests with it are refused from now on. Revoking twice is harmless.
 *
 * @example
 * await keysRevokeCommand(context, 'key_4fG7…', {});
 */
export async function keysRevokeCommand(context: CliContext, id: string, options: { json?: boolean }): Promise<number> {
  const record = await context.resources().revokeKey(id);
  if (record === undefined) throw new ConclaveError('not_found', `no API key ${id}`, { hint: 'list keys with: conclave keys list' });
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(publicKey(record), null, 2)}\n`);
    return exitCodes.success;
  }
  process.stdout.write(`revoked API key ${record.id} (workspace ${record.workspace}, ${record.prefix}…) at ${record.revokedAt}\n`);
  return exitCodes.success;
}
