/**
 * The batch the scale benchmark runs: pipeline and debate sessions, alternating, over the offline
 * persona model with no latency at all — so what a run measures is the harness around the model
 * (queue, kernel, journal, PostgreSQL), not simulated waiting. Each session has its own seed.
 */
import type { SessionDefinition } from '../../src/kernel/index.js';

/** One session of the batch. */
export interface ScaleSession {
  definition: SessionDefinition;
  seed: number;
}

const personas = ['optimist', 'skeptic', 'pragmatist'] as const;

function agents(): SessionDefinition['agents'] {
  return personas.map((persona) => ({ name: persona, system: `You are the ${persona} of the group.`, model: `offline/persona?persona=${persona}` }));
}

/** Model calls per session: a pipeline of three stages, a debate of three agents over two rounds. */
export const stepsPerSession = { pipeline: 3, debate: 6 } as const;

/**
 * `count` sessions, even indexes pipelines and odd ones debates, session `i` seeded `i + 1`.
 *
 * @example
 * const batch = scaleSessions(200); // 100 pipelines (3 calls each), 100 debates (6 calls each)
 */
export function scaleSessions(count: number): ScaleSession[] {
  return Array.from({ length: count }, (_, index) => ({
    seed: index + 1,
    definition:
      index % 2 === 0
        ? { topology: 'pipeline', name: `pipeline ${index}`, task: 'Write release notes for version 2.0 of a command-line tool.', agents: agents(), options: { passes: 1 } }
        : { topology: 'debate', name: `debate ${index}`, task: 'Should a 40-person company move to a four-day work week?', agents: agents(), options: { rounds: 2, min_rounds: 2 } },
  }));
}
