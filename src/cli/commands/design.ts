/**
 * `conclave design "<task>"`: asks a designer model for a topology document that fits the task,
 * validates it (repairing it from the validation errors), and writes the commented YAML to a file
 * or to standard output. With no key set, `offline/designer` designs deterministically.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { designTopology } from '../../design/design-topology.js';
import { ConclaveError, isNestedTopology } from '../../protocol/index.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { stylerFor } from '../terminal.js';

export interface DesignCommandOptions {
  /** Write the YAML here instead of standard output. */
  out?: string;
  /** Overwrite `out` if it exists. */
  force?: boolean;
  /** The designer model. */
  model?: string;
  /** Repairs after the first answer, at most. */
  repairs?: number;
  json?: boolean;
}

/**
 * Designs a document for `task`; returns the exit code.
 *
 * @example
 * await designCommand(context, 'Should we adopt a monorepo?', { out: 'monorepo.yaml' });
 */
export async function designCommand(context: CliContext, task: string, options: DesignCommandOptions): Promise<number> {
  if (task.trim() === '') throw new ConclaveError('invalid_argument', 'the task is empty', { hint: 'conclave design "Should we adopt a monorepo?" -o team.yaml' });
  if (options.out !== undefined && existsSync(options.out) && options.force !== true) {
    throw new ConclaveError('invalid_argument', `${options.out} already exists`, { hint: 'choose another --out file, or add --force to overwrite it' });
  }
  const progress = process.stderr.isTTY === true && options.json !== true;
  const style = stylerFor(process.stderr);
  const design = await designTopology({
    task,
    registry: context.registry,
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.repairs !== undefined ? { maxRepairs: options.repairs } : {}),
    onAttempt: (attempt, problems) => {
      if (!progress) return;
      process.stderr.write(attempt === 1 ? style.dim('designing…\n') : style.dim(`repairing ${problems.length} problem(s) (attempt ${attempt})…\n`));
    },
  });
  if (options.out !== undefined) await writeFile(options.out, design.yaml);
  const agents = design.document.agents.map((slot) => (isNestedTopology(slot) ? `${slot.name} (${slot.topology})` : slot.name));
  if (options.json === true) {
    process.stdout.write(
      `${JSON.stringify({ topology: design.document.topology, agents, designer: design.model, models: design.models, attempts: design.attempts, ...(options.out !== undefined ? { file: options.out } : { yaml: design.yaml }) }, null, 2)}\n`,
    );
    return exitCodes.success;
  }
  if (options.out === undefined) {
    process.stdout.write(design.yaml);
    return exitCodes.success;
  }
  const repaired = design.attempts > 1 ? `, repaired ${design.attempts - 1} time(s)` : '';
  process.stdout.write(
    `${style.green('✓')} ${design.document.topology} with ${agents.length} agents (${agents.join(', ')}), designed by ${design.model}${repaired}\n` +
      `  wrote ${options.out}\n  check it:  conclave validate ${options.out}\n  run it:    conclave run ${options.out}\n`,
  );
  return exitCodes.success;
}
