/**
 * `conclave topologies show NAME` and `conclave topologies docs`: a topology explained from the
 * registry itself — description, where steering goes, aliases, options with their defaults (from
 * the zod schema), a mermaid diagram drawn from the machine, and the runnable example document. `docs` renders all of
 * them as the Markdown of topologies/README.md, and a test keeps that file in step with the code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { suggestClosest } from '../../config/index.js';
import { ConclaveError, type Registry, type TopologyDefinition } from '../../protocol/index.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { machineDiagram } from '../machine-diagram.js';

interface OptionRow {
  name: string;
  type: string;
  default: string;
  description: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any topology
function optionRows(definition: TopologyDefinition<any>): OptionRow[] {
  const schema = z.toJSONSchema(definition.options, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Record<string, unknown>> };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    type: describeType(property),
    default: property['default'] === undefined ? '—' : JSON.stringify(property['default']),
    description: typeof property['description'] === 'string' ? property['description'] : '',
  }));
}

function describeType(property: Record<string, unknown>): string {
  if (Array.isArray(property['enum'])) return (property['enum'] as unknown[]).map((value) => JSON.stringify(value)).join(' | ');
  if (Array.isArray(property['anyOf'])) return (property['anyOf'] as Array<Record<string, unknown>>).map(describeType).join(' | ');
  if (property['type'] === 'array') return `${describeType((property['items'] as Record<string, unknown> | undefined) ?? {})}[]`;
  return typeof property['type'] === 'string' ? property['type'] : 'any';
}

/** Resolves a name or alias, or fails with a did-you-mean. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any topology
function resolveTopology(registry: Registry, name: string): TopologyDefinition<any> {
  const canonical = registry.aliases.get(name)?.topology ?? name;
  const definition = registry.topologies.get(canonical);
  if (definition !== undefined) return definition;
  const suggestion = suggestClosest(name, [...registry.topologies.keys(), ...registry.aliases.keys()]);
  throw new ConclaveError('unknown_topology', `unknown topology "${name}"`, {
    hint: suggestion !== undefined ? `did you mean "${suggestion}"?` : `see: conclave topologies`,
  });
}

function exampleFor(name: string): { path: string; text: string } | undefined {
  const path = join('examples', `${name}.yaml`);
  return existsSync(path) ? { path, text: readFileSync(path, 'utf8') } : undefined;
}

/**
 * The Markdown section for one topology.
 *
 * @example
 * topologyMarkdown(registry, 'debate') // '## debate\n\nN debaters × R rounds…'
 */
export function topologyMarkdown(registry: Registry, name: string, headingLevel = 2): string {
  const definition = resolveTopology(registry, name);
  const aliases = [...registry.aliases.values()].filter((alias) => alias.topology === definition.name);
  const heading = '#'.repeat(headingLevel);
  const parts = [`${heading} ${definition.name}`, '', definition.description, ''];
  if (definition.steering !== undefined) parts.push(`**Steering:** ${definition.steering}`, '');
  if (aliases.length > 0) parts.push(`Aliases: ${aliases.map((alias) => `\`${alias.alias}\` (${alias.description})`).join('; ')}.`, '');
  parts.push(`At least ${definition.minAgents} agent${definition.minAgents === 1 ? '' : 's'}.`, '');
  const rows = optionRows(definition);
  if (rows.length > 0) {
    parts.push('| option | type | default | meaning |', '|---|---|---|---|');
    for (const row of rows) parts.push(`| \`${row.name}\` | ${row.type.replace(/\|/g, '\\|')} | ${row.default.replace(/\|/g, '\\|')} | ${row.description.replace(/\|/g, '\\|')} |`);
    parts.push('');
  }
  parts.push('```mermaid', machineDiagram(definition.machine), '```', '');
  const example = exampleFor(definition.name);
  if (example !== undefined) parts.push(`Example ([${example.path}](../${example.path}), runs offline):`, '', '```yaml', example.text.trimEnd(), '```', '');
  return parts.join('\n');
}

/**
 * Prints one topology's documentation.
 *
 * @example
 * await topologyShowCommand(context, 'debate', {});
 */
export async function topologyShowCommand(context: CliContext, name: string, options: { json?: boolean }): Promise<number> {
  const definition = resolveTopology(context.registry, name);
  if (options.json === true) {
    const example = exampleFor(definition.name);
    process.stdout.write(
      `${JSON.stringify(
        {
          name: definition.name,
          description: definition.description,
          steering: definition.steering ?? null,
          minAgents: definition.minAgents,
          aliases: [...context.registry.aliases.values()].filter((alias) => alias.topology === definition.name),
          options: optionRows(definition),
          diagram: machineDiagram(definition.machine),
          example: example?.text ?? null,
        },
        null,
        2,
      )}\n`,
    );
    return exitCodes.success;
  }
  process.stdout.write(`${topologyMarkdown(context.registry, name, 1)}`);
  return exitCodes.success;
}

/**
 * The whole of topologies/README.md.
 *
 * @example
 * writeFileSync('topologies/README.md', topologiesReadme(registry));
 */
export function topologiesReadme(registry: Registry): string {
  const names = [...registry.topologies.keys()];
  const header = [
    '# Topologies',
    '',
    '<!-- Generated by `conclave topologies docs > topologies/README.md`; a test checks it is current. -->',
    '',
    `conclave ships ${names.length} topologies. Each is one file here: a zod options schema (the defaults below are its`,
    'defaults) and a pure XState v5 machine that reaches models only through the kernel\'s journaled',
    '`callAgents` actor, so every topology resumes after a crash without repeating finished calls. Any agent',
    'slot may hold a nested topology instead of a model. Every topology writes its termination `reason` and',
    'its `aggregation` to `topology.completed`.',
    '',
    '**Steering and turns.** A session is a conversation: each user message starts a turn, in which the',
    'topology runs once with the earlier turns as history. A message sent while a turn runs steers it: it is',
    'delivered at the topology\'s next step, the next batch of agent calls its machine makes (one `callAgents`',
    'invocation), appended under "Message from the user while you were working:" to the last user message of',
    'every model call in that batch; calls of the batch already under way (even those still queued behind',
    '`concurrency`) do not see it, and a nested topology slot takes it at its own next batch. A message that',
    'arrives when no further batch will happen, such as during the last step, is not lost: it becomes the next',
    'turn\'s task. Each topology\'s **Steering** line below says where its next step is.',
    '',
    names.map((name) => `- [${name}](#${name})`).join('\n'),
    '',
  ].join('\n');
  return `${header}\n${names.map((name) => topologyMarkdown(registry, name)).join('\n')}`;
}

/**
 * Prints topologies/README.md.
 *
 * @example
 * await topologyDocsCommand(context);
 */
export async function topologyDocsCommand(context: CliContext): Promise<number> {
  process.stdout.write(topologiesReadme(context.registry));
  return exitCodes.success;
}
