/**
 * Every built-in topology and alias. Adding a topology is adding a file and a line here; the default
 * registry (`src/presets`) reads these lists.
 */
import type { TopologyAlias, TopologyDefinition } from '../src/protocol/index.js';
import { dagTopology } from './dag.js';
import { debateTopology } from './debate.js';
import { groupChatTopology } from './group-chat.js';
import { hierarchicalTopology } from './hierarchical.js';
import { mapReduceTopology } from './map-reduce.js';
import { mixtureOfAgentsTopology } from './mixture-of-agents.js';
import { parallelTopology } from './parallel.js';
import { pipelineTopology } from './pipeline.js';
import { reflectionTopology } from './reflection.js';
import { routerTopology } from './router.js';
import { tournamentTopology } from './tournament.js';
import { votingTopology } from './voting.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each topology has its own options type
export const builtInTopologies: ReadonlyArray<TopologyDefinition<any>> = [pipelineTopology, parallelTopology, debateTopology, mixtureOfAgentsTopology, mapReduceTopology, groupChatTopology, reflectionTopology, hierarchicalTopology, routerTopology, dagTopology, votingTopology, tournamentTopology];

export const builtInAliases: readonly TopologyAlias[] = [
  { alias: 'sequential', topology: 'pipeline', description: 'pipeline (the name used by sequential agent chains)' },
  { alias: 'forest', topology: 'dag', description: 'dag (several independent trees in one graph)' },
  { alias: 'star', topology: 'hierarchical', description: 'hierarchical (a manager with workers around it)' },
  { alias: 'mesh', topology: 'group-chat', description: 'group-chat (every agent talks to every other on one transcript)' },
  { alias: 'maker', topology: 'reflection', options: { approval: 'majority' }, description: 'reflection with approval: majority — several critics vote on every draft' },
  { alias: 'circular', topology: 'pipeline', options: { passes: 2 }, description: 'pipeline with passes: 2 — the last stage feeds the first' },
];

export { debateTopology, parallelTopology, pipelineTopology };
