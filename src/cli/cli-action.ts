/**
 * What every command registration shares: option parsers that say which option was wrong and
 * why, and the wrapper that builds a command's context, runs it, and turns its outcome or error
 * into an exit code — so no command prints a stack trace for a user's mistake.
 */
import { InvalidArgumentError } from 'commander';
// The context (registry, kernel, stores) is imported when a command runs, not when it is registered:
// `conclave --help` never loads it.
import type { CliContext, GlobalOptions } from './cli-context.js';
import { exitCodeFor, formatError, formatJsonError } from './cli-errors.js';
import { stylerFor } from './terminal.js';

/** Runs a command body with a fresh context; what `program.command(…).action(…)` is given. */
export type CommandAction = <Args extends unknown[]>(body: (context: CliContext, ...args: Args) => Promise<number>) => (...args: Args) => Promise<void>;

/**
 * A parser for a whole-number option, at least `minimum`.
 *
 * @example
 * program.option('-n, --limit <n>', 'how many', integer('--limit', 1), 50);
 */
export function integer(name: string, minimum = 0): (value: string) => number {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value) || Number(value) < minimum) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${minimum}, got "${value}"`);
    return Number(value);
  };
}

/**
 * A repeatable option's parser: each use adds its value to the list (`--budget a=1 --budget b=2`).
 *
 * @example
 * program.option('--budget <limits>', 'limits', collect, []);
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * A parser for a TCP port option (0 picks a free one).
 *
 * @example
 * program.option('--health-port <port>', 'port of /readyz', port('--health-port'), 0);
 */
export function port(name: string): (value: string) => number {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError(`${name} must be a whole number from 0 to 65535, got "${value}"`);
    return Number(value);
  };
}

/** Commander passes an action its arguments, then the options, then the command itself. */
interface ParsedCommand {
  optsWithGlobals(): Record<string, unknown>;
}

function isParsedCommand(value: unknown): value is ParsedCommand {
  return typeof value === 'object' && value !== null && typeof (value as Partial<ParsedCommand>).optsWithGlobals === 'function';
}

/**
 * Whether the command being run was given `--json` — on itself or on a parent that has the same
 * option (`conclave providers ping X --json` is parsed by `providers`).
 */
function jsonRequested(args: readonly unknown[]): boolean {
  const command = args[args.length - 1];
  return isParsedCommand(command) && command.optsWithGlobals()['json'] === true;
}

/**
 * The action wrapper of a program whose global options `globals` reads at run time.
 *
 * @example
 * const action = createAction(() => program.opts<GlobalOptions>());
 * program.command('status').action(action((context) => statusCommand(context, {})));
 */
export function createAction(globals: () => GlobalOptions): CommandAction {
  return <Args extends unknown[]>(body: (context: CliContext, ...args: Args) => Promise<number>) =>
    async (...args: Args): Promise<void> => {
      let context: CliContext | undefined;
      try {
        const { CliContext } = await import('./cli-context.js');
        context = new CliContext(globals());
        await context.prepare();
        process.exitCode = await body(context, ...args);
      } catch (error) {
        if (jsonRequested(args)) process.stdout.write(formatJsonError(error));
        else process.stderr.write(formatError(error, stylerFor(process.stderr)));
        process.exitCode = exitCodeFor(error);
      } finally {
        await context?.close().catch(() => undefined);
      }
    };
}
