/**
 * Registers `conclave design` on the program; the command itself (and the designer) is imported
 * only when it runs.
 */
import type { Command } from 'commander';
import { integer, type CommandAction } from './cli-action.js';
import type * as DesignCommands from './commands/design.js';

const designCommands = (): Promise<typeof DesignCommands> => import('./commands/design.js');

/**
 * Adds `design` to `program`.
 *
 * @example
 * registerDesignCommand(program, createAction(() => program.opts<GlobalOptions>()));
 */
export function registerDesignCommand(program: Command, action: CommandAction): void {
  program
    .command('design')
    .description('propose a topology document for a task: topology, roles, models (from the keys you have set), validated')
    .argument('<task>', 'what the team should do, in a sentence or a few lines')
    .option('-o, --out <file>', 'write the YAML to a file (default: standard output)')
    .option('--force', 'overwrite --out if it exists')
    .option('-m, --model <model>', 'the designer model (default: the first hosted model whose key is set, else offline/designer)')
    .option('--repairs <n>', 'times the designer may repair a document that does not validate', integer('--repairs', 0), 2)
    .option('--json', 'print JSON: topology, agents, designer, attempts (and the YAML without --out)')
    .addHelpText(
      'after',
      `
The designer sees the 12 topologies, the shape of a document, and the models you can run: the
first default model of each provider whose key is set (the offline simulator when none is). Its
document is validated like any other; the problems go back to it to repair, --repairs times at most.
With no key, offline/designer picks a topology from what the task asks (a decision is debated, a
"which is best" is a tournament, a list of items is map-reduced, a plan goes to a manager, …).

Examples:
  $ conclave design "Should we move our services to a monorepo?" -o monorepo.yaml
  $ conclave validate monorepo.yaml && conclave run monorepo.yaml
  $ conclave design "Pick the best name for our CLI" --model openai/gpt-4.1 --json`,
    )
    .action(
      action(async (context, task: string, options: { out?: string; force?: boolean; model?: string; repairs: number; json?: boolean }) =>
        (await designCommands()).designCommand(context, task, options),
      ),
    );
}
