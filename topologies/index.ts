/**
 * Every built-in topology and alias. Adding a topology is adding a file and a line here; the default
 * registry (`src/presets`) reads these lists.
 */
import type { TopologyAlias, TopologyDefinition } from '../src/protocol/index.js';
import { debateTopology } from './debate.js';
import { parallelTopology } from './parallel.js';
import { pipelineTopology } from './pipeline.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each topology has its own options type
export const builtInTopologies: ReadonlyArray<TopologyDefinition<any>> = [pipelineTopology, parallelTopology, debateTopology];

export const builtInAliases: readonly TopologyAlias[] = [
  { alias: 'sequential', topology: 'pipeline', description: 'pipeline (the name used by sequential agent chains)' },
  { alias: 'circular', topology: 'pipeline', options: { passes: 2 }, description: 'pipeline with passes: 2 — the last stage feeds the first' },
];

export { debateTopology, parallelTopology, pipelineTopology };
