// A small registry for the config tests: three fake topologies (with option defaults, a strict
// schema, a union option and a `check`), two aliases, and two fake providers. No machine here is
// ever run; the loader only reads names, option schemas, minimum agent counts and checks.
import { setup } from 'xstate';
import { z } from 'zod';
import type { ProviderAdapter, ProviderModule, Registry, TopologyAlias, TopologyDefinition } from '../../src/protocol/index.js';

function finishedMachine(id: string) {
  return setup({}).createMachine({ id, initial: 'done', states: { done: { type: 'final' } } });
}

const debateOptions = z.strictObject({
  rounds: z.number().int().min(1).default(2),
  judge: z.string().optional(),
  stopOnConsensus: z.boolean().default(true),
});

const debate: TopologyDefinition<z.infer<typeof debateOptions>> = {
  name: 'debate',
  description: 'Debaters answer in rounds, seeing each other.',
  options: debateOptions,
  minAgents: 2,
  check(options, agents) {
    if (options.judge === undefined || agents.some((agent) => agent.name === options.judge)) return [];
    return [{ path: ['options', 'judge'], message: `no agent named "${options.judge}"`, hint: 'name one of the agents' }];
  },
  machine: finishedMachine('debate'),
};

const pipelineOptions = z.strictObject({ passes: z.number().int().min(1).default(1) });

const pipeline: TopologyDefinition<z.infer<typeof pipelineOptions>> = {
  name: 'pipeline',
  description: 'Stages in order.',
  options: pipelineOptions,
  minAgents: 1,
  machine: finishedMachine('pipeline'),
};

const votingOptions = z.strictObject({
  rule: z.enum(['majority', 'plurality', 'unanimous']).default('majority'),
  extract: z.union([z.literal('text'), z.strictObject({ regex: z.string().min(1) })]).default('text'),
  tieBreak: z
    .discriminatedUnion('by', [z.strictObject({ by: z.literal('first') }), z.strictObject({ by: z.literal('seeded'), seed: z.number().int().optional() })])
    .optional(),
});

const voting: TopologyDefinition<z.infer<typeof votingOptions>> = {
  name: 'voting',
  description: 'Voters answer; a rule picks the winner.',
  options: votingOptions,
  minAgents: 1,
  machine: finishedMachine('voting'),
};

const aliases: TopologyAlias[] = [
  { alias: 'circular', topology: 'pipeline', options: { passes: 3 }, description: 'pipeline as a ring' },
  { alias: 'sequential', topology: 'pipeline', description: 'another name for pipeline' },
];

function fakeProvider(name: string, models: string[]): ProviderModule {
  return {
    specificationVersion: 'v1',
    name,
    description: `fake ${name}`,
    simulated: true,
    defaultModels: models,
    validateModel(model) {
      const id = model.split('?')[0] ?? '';
      return models.includes(id) ? undefined : `${name} has no model "${id}"`;
    },
    create(): ProviderAdapter {
      throw new Error('not used by the config tests');
    },
  };
}

/** Builds a fresh registry for one test file. */
export function createConfigTestRegistry(): Registry {
  return {
    topologies: new Map<string, TopologyDefinition<any>>([ // eslint-disable-line @typescript-eslint/no-explicit-any -- mixed option types
      ['debate', debate],
      ['pipeline', pipeline],
      ['voting', voting],
    ]),
    aliases: new Map(aliases.map((alias) => [alias.alias, alias])),
    providers: new Map([
      ['offline', fakeProvider('offline', ['echo', 'persona'])],
      ['openai', fakeProvider('openai', ['gpt-4.1-mini'])],
    ]),
  };
}
