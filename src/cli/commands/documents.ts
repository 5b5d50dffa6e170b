/**
 * `conclave topologies`, `conclave validate` and `conclave schema`: commands that read documents and
 * the registry but never open the session store.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadTopologyDocument, locatedProblemsError, readYamlSource, topologyDocumentJsonSchema, type DocumentProblem } from '../../config/index.js';
import { modelCatalogueWarnings } from '../../config/model-catalogue-warnings.js';
import { isNestedTopology, type AgentSlot, type ConclaveError } from '../../protocol/index.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes, formatWarning } from '../cli-errors.js';
import { stylerFor } from '../terminal.js';

/**
 * Lists the topologies and their aliases.
 *
 * @example
 * await topologiesCommand(context, { json: false });
 */
export async function topologiesCommand(context: CliContext, options: { json?: boolean }): Promise<number> {
  const topologies = [...context.registry.topologies.values()].map((topology) => ({
    name: topology.name,
    description: topology.description,
    aliases: [...context.registry.aliases.values()].filter((alias) => alias.topology === topology.name).map((alias) => alias.alias),
  }));
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ topologies, aliases: [...context.registry.aliases.values()] }, null, 2)}\n`);
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  const width = Math.max(...topologies.map((topology) => topology.name.length));
  for (const topology of topologies) {
    const aliases = topology.aliases.length > 0 ? style.dim(` (aliases: ${topology.aliases.join(', ')})`) : '';
    process.stdout.write(`${style.bold(topology.name.padEnd(width))}  ${topology.description}${aliases}\n`);
  }
  return exitCodes.success;
}

/**
 * Validates a document; prints what it declares, or every problem with file:line and path. Model
 * ids the model catalogue does not know are warnings, printed after the ✓ line (`warnings` in
 * `--json`); `strict` makes them errors (exit 2).
 *
 * @example
 * await validateCommand(context, 'examples/debate.yaml', {});
 * await validateCommand(context, 'examples/debate-multimodel.yaml', { strict: true });
 */
export async function validateCommand(context: CliContext, file: string, options: { json?: boolean; strict?: boolean }): Promise<number> {
  const document = await loadTopologyDocument(file, context.registry);
  const problems = modelCatalogueWarnings(document, context.registry);
  const located = problems.length === 0 ? undefined : await locateWarnings(file, problems);
  if (options.strict === true && located !== undefined) throw located;
  const warnings = located === undefined ? [] : (located.issues ?? [located.toJSON()]);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ valid: true, file, document, warnings }, null, 2)}\n`);
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  const alias = document.alias !== undefined ? ` (written as ${document.alias})` : '';
  process.stdout.write(`${style.green('✓')} ${file}: ${document.topology}${alias}, ${describeAgents(document.agents)}${document.task !== undefined ? '' : ' — no task (pass --task when running)'}\n`);
  for (const warning of warnings) process.stdout.write(formatWarning(warning, style));
  if (warnings.length > 0) process.stdout.write(style.dim(`${warnings.length === 1 ? 'a warning' : `${warnings.length} warnings`}; --strict makes warnings errors\n`));
  return exitCodes.success;
}

/** The warnings with file:line:column, as one error whose issues are the warnings (thrown by --strict). */
async function locateWarnings(file: string, problems: readonly DocumentProblem[]): Promise<ConclaveError> {
  // The document parsed a moment ago, so this only re-reads it for positions.
  const { locate } = readYamlSource(await readFile(file, 'utf8'), file, '');
  return locatedProblemsError(problems, locate, file);
}

function describeAgents(agents: readonly AgentSlot[]): string {
  const nested = agents.filter(isNestedTopology).length;
  return `${agents.length} agent${agents.length === 1 ? '' : 's'}${nested > 0 ? ` (${nested} nested topolog${nested === 1 ? 'y' : 'ies'})` : ''}`;
}

/**
 * Prints (or writes) the JSON Schema of topology documents, for editor autocompletion.
 *
 * @example
 * await schemaCommand(context, { out: 'conclave.schema.json' });
 */
export async function schemaCommand(context: CliContext, options: { out?: string }): Promise<number> {
  const text = `${JSON.stringify(topologyDocumentJsonSchema(context.registry), null, 2)}\n`;
  if (options.out !== undefined) {
    await writeFile(options.out, text);
    process.stderr.write(`wrote ${options.out}\n`);
  } else {
    process.stdout.write(text);
  }
  return exitCodes.success;
}
