/**
 * How the CLI reports failures: code, message and where (file:line:column and JSON path), plus a
 * hint — never a stack trace for a user mistake. System errors print their stack only with
 * CONCLAVE_DEBUG=1. Exit codes: 0 success, 1 run failed, 2 usage or validation error.
 */
// From errors.js, not the protocol index, whose zod schemas would slow every `conclave --help`.
import { isConclaveError, toConclaveError, type ConclaveErrorJSON } from '../protocol/errors.js';
import type { Styler } from './terminal.js';

export const exitCodes = { success: 0, runFailed: 1, usage: 2, interrupted: 130 } as const;

/** Codes that mean the user gave us something wrong: exit 2. */
const usageCodes = new Set([
  'invalid_document',
  'document_too_large',
  'document_not_found',
  'document_syntax',
  'invalid_argument',
  'unknown_topology',
  'unknown_provider',
  'unknown_model',
  'session_not_found',
  'session_not_resumable',
  'tool_use_not_found',
  'tool_use_not_pending',
  'tool_use_already_answered',
  'missing_credentials',
  'sandbox_unavailable',
  'secret_not_found',
  'not_found',
]);

/**
 * The exit code for an error.
 *
 * @example
 * exitCodeFor(new ConclaveError('invalid_document', '…')) // → 2
 */
export function exitCodeFor(error: unknown): number {
  const code = isConclaveError(error) ? error.code : 'internal';
  return usageCodes.has(code) ? exitCodes.usage : exitCodes.runFailed;
}

function where(error: ConclaveErrorJSON): string | undefined {
  const location = error.location;
  if (location === undefined) return undefined;
  let place = location.file ?? '';
  if (location.line !== undefined) place += `${place === '' ? 'line ' : ':'}${location.line}`;
  if (location.column !== undefined && location.line !== undefined) place += `:${location.column}`;
  if (location.path !== undefined && location.path !== '') place += `${place === '' ? '' : ' '}(${location.path})`;
  return place === '' ? undefined : place;
}

/**
 * Renders an error for a person: `error[code]: message`, `  --> file:line:col (path)`, `  hint: …`,
 * one block per issue when the error carries several.
 *
 * @example
 * process.stderr.write(formatError(error, style));
 */
export function formatError(thrown: unknown, style: Styler): string {
  const error = toConclaveError(thrown).toJSON();
  const blocks: string[] = [];
  const issues = error.issues !== undefined && error.issues.length > 0 ? error.issues : [error];
  if (issues.length > 1) blocks.push(`${style.red(style.bold(`error[${error.code}]`))}: ${error.message}`);
  for (const issue of issues) {
    const lines = [`${style.red(style.bold(`error[${issue.code}]`))}: ${issue.message}`];
    const place = where(issue);
    if (place !== undefined) lines.push(`  ${style.dim('-->')} ${place}`);
    if (issue.hint !== undefined) lines.push(`  ${style.cyan('hint')}: ${issue.hint}`);
    blocks.push(lines.join('\n'));
  }
  if (!usageCodes.has(error.code) && process.env['CONCLAVE_DEBUG'] === '1' && thrown instanceof Error && thrown.stack !== undefined) {
    blocks.push(style.dim(thrown.stack));
  }
  return `${blocks.join('\n')}\n`;
}

/**
 * Renders a warning like an error block, labelled `warning[code]` in yellow: message, where, hint.
 *
 * @example
 * process.stdout.write(formatWarning(issue, style));
 * // warning[unknown_model]: agents[0].model: "gpt-nope" is not a model of openai …
 * //   --> doc.yaml:5:12 (agents[0].model)
 * //   hint: did you mean "openai/gpt-4o"?
 */
export function formatWarning(warning: ConclaveErrorJSON, style: Styler): string {
  const lines = [`${style.yellow(style.bold(`warning[${warning.code}]`))}: ${warning.message}`];
  const place = where(warning);
  if (place !== undefined) lines.push(`  ${style.dim('-->')} ${place}`);
  if (warning.hint !== undefined) lines.push(`  ${style.cyan('hint')}: ${warning.hint}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The error of a `--json` command, as scripts read it: one line on stdout,
 * `{"error":{"code","message","category","retryable","location"?,"hint"?,"issues"?}}`, with the same
 * exit code as the text form. System errors never carry their stack here.
 *
 * @example
 * process.stdout.write(formatJsonError(new ConclaveError('session_not_found', 'no session "x"')));
 * // {"error":{"name":"ConclaveError","code":"session_not_found","category":"user",…}}
 */
export function formatJsonError(thrown: unknown): string {
  return `${JSON.stringify({ error: toConclaveError(thrown).toJSON() })}\n`;
}

/**
 * Whether a command line asks for JSON output: a `--json` flag before any `--` (which ends the
 * options). Used where commander has not parsed the options yet — a usage error — or cannot say
 * which command they belong to.
 *
 * @example
 * wantsJson(['node', 'conclave', 'validate', 'x.yaml', '--json']) // → true
 */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

