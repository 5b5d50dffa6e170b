/**
 * The mixed batch of sessions the chaos test runs: five topologies (pipeline, debate, voting,
 * mixture-of-agents, map-reduce) over the offline persona model, each session with its own seed.
 * The same batch comes in two speeds — slow (every call waits `ttft_ms` first, sized so that each
 * session lasts about as long whatever its topology, and a kill lands in the middle of it) and
 * fast (no waiting) — which write the same text: the offline models' timing parameters never
 * change what they write.
 */
import type { SessionDefinition } from '../../src/kernel/index.js';

/** One session of the batch: what it runs and the seed it runs with. */
export interface ChaosSession {
  definition: SessionDefinition;
  seed: number;
}

/** `slow`: each session takes about `sessionMs` (timing only: the text is the same as `fast`). */
export type SessionSpeed = { kind: 'slow'; sessionMs: number } | { kind: 'fast' };

const personas = ['optimist', 'skeptic', 'pragmatist', 'analyst', 'contrarian', 'ethicist'] as const;

/** The model of one agent; `depth` is how many calls of the session run one after another. */
function model(persona: string, speed: SessionSpeed, depth: number): string {
  return speed.kind === 'slow' ? `offline/persona?persona=${persona}&ttft_ms=${Math.round(speed.sessionMs / depth)}` : `offline/persona?persona=${persona}`;
}

function agents(count: number, speed: SessionSpeed, depth: number, offset: number): SessionDefinition['agents'] {
  return Array.from({ length: count }, (_, index) => {
    const persona = personas[(index + offset) % personas.length] as string;
    return { name: `${persona}-${index + 1}`, system: `You are the ${persona} of the group.`, model: model(persona, speed, depth) };
  });
}

/** The topologies of the batch, as documents for one speed; session `index` uses `builders[index % 5]`. */
const builders: ReadonlyArray<(speed: SessionSpeed, index: number) => SessionDefinition> = [
  // Three stages, one after another.
  (speed, index) => ({ topology: 'pipeline', name: `pipeline ${index}`, agents: agents(3, speed, 3, index), options: { passes: 1 } }),
  // Two rounds of three debaters answering at once.
  (speed, index) => ({ topology: 'debate', name: `debate ${index}`, agents: agents(3, speed, 2, index), options: { rounds: 2, min_rounds: 2, stop_on_consensus: true } }),
  // One round of five votes at once.
  (speed, index) => ({ topology: 'voting', name: `voting ${index}`, agents: agents(5, speed, 1, index), options: { rule: 'plurality', tie_break: 'first' } }),
  // Two layers of three proposers, then the aggregator.
  (speed, index) => ({
    topology: 'mixture-of-agents',
    name: `mixture ${index}`,
    agents: [...agents(3, speed, 3, index), { name: 'aggregator', system: 'You combine proposals into one plan.', model: model('analyst', speed, 3) }],
    options: { layers: 2, aggregator: 'aggregator' },
  }),
  // Three items mapped two at a time (two steps), then one reduce.
  (speed, index) => ({
    topology: 'map-reduce',
    name: `map-reduce ${index}`,
    agents: [...agents(2, speed, 3, index), { name: 'reducer', system: 'You combine findings into one list.', model: model('pragmatist', speed, 3) }],
    options: { split: 'lines', concurrency: 2, reduce_fan_in: 3, reducer: 'reducer' },
  }),
];

const tasks: readonly string[] = [
  'Should our 40-person company move to a four-day work week?',
  'Monorepo or separate repositories for a team of twelve?',
  'What should the first week of onboarding look like for a backend engineer?',
  'Which database should a small team pick for an event-sourced application?',
];

const feedback = [
  'For each piece of customer feedback, name the main problem and whether to act on it now.',
  'The export to CSV times out on reports with more than ten thousand rows.',
  'Two-factor login codes arrive minutes late by SMS.',
  'Search ignores accents, so "café" and "cafe" give different results.',
].join('\n');

/** How many topologies the batch mixes. */
export const chaosTopologyCount = builders.length;

/**
 * The batch: `count` sessions cycling through the topologies, session `i` seeded `1000 + i`.
 *
 * @example
 * const slow = chaosSessions(200, { kind: 'slow', sessionMs: 1500 });
 * const fast = chaosSessions(200, { kind: 'fast' }); // same documents and seeds, no waiting
 */
export function chaosSessions(count: number, speed: SessionSpeed): ChaosSession[] {
  return Array.from({ length: count }, (_, index) => {
    const definition = (builders[index % builders.length] as (speed: SessionSpeed, index: number) => SessionDefinition)(speed, index);
    definition.task = definition.topology === 'map-reduce' ? feedback : (tasks[index % tasks.length] as string);
    return { definition, seed: 1000 + index };
  });
}
