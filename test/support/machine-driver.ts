// Drives a topology machine directly (no kernel, no store) with scripted agent replies, recording
// every state it enters — transient ones included, via XState's microstep inspection — so a suite
// can prove that every state of every machine is reached by some test.
import { expect } from 'vitest';
import { createActor, fromPromise, type AnyStateMachine, type AnyStateNode } from 'xstate';
import type { AgentCall, AgentReply, CallAgentsInput, TopologyDefinition, TopologyResult } from '../../src/protocol/index.js';

export type ScriptedAnswer = string | Error;

export interface DriveResult {
  output: TopologyResult | undefined;
  error: unknown;
  visited: Set<string>;
  calls: AgentCall[];
}

/**
 * Runs `definition.machine` to completion with `respond` answering every agent call. Options are
 * parsed with the topology's schema first, as the kernel does.
 */
export async function driveMachine(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any topology
  definition: TopologyDefinition<any>,
  input: { task: string; agents: Array<{ name: string; model?: string }>; options?: Record<string, unknown>; seed?: number },
  respond: (call: AgentCall) => ScriptedAnswer,
): Promise<DriveResult> {
  const visited = new Set<string>();
  const calls: AgentCall[] = [];
  let completed = 0;
  const callAgents = fromPromise<AgentReply[], CallAgentsInput>(async ({ input: batch }) =>
    batch.calls.map((call) => {
      calls.push(call);
      const answer = respond(call);
      if (answer instanceof Error) throw answer;
      completed += 1;
      return { path: call.path, agent: call.agent, text: answer, usage: { inputTokens: 1, outputTokens: 1 }, cost: { usd: 0 }, completedSeq: completed };
    }),
  );
  const machine = definition.machine.provide({ actors: { callAgents } });
  const options = definition.options.parse(input.options ?? {});
  const agents = input.agents.map((agent) => ({ model: 'script/any', ...agent }));
  const actor = createActor(machine, {
    input: { task: input.task, agents, options, seed: input.seed ?? 1 },
    inspect: (event) => {
      if (event.type === '@xstate.microstep' || event.type === '@xstate.snapshot') {
        const nodes = (event.snapshot as { _nodes?: AnyStateNode[] })._nodes ?? [];
        for (const node of nodes) visited.add(node.id);
      }
    },
  });
  return new Promise((resolve) => {
    actor.subscribe({
      complete: () => resolve({ output: actor.getSnapshot().output as TopologyResult, error: undefined, visited, calls }),
      error: (error) => resolve({ output: undefined, error, visited, calls }),
    });
    actor.start();
  });
}

/** Every state id of a machine (`debate.deciding`, …), the root excluded. */
export function machineStateIds(machine: AnyStateMachine): string[] {
  const ids: string[] = [];
  const walk = (node: AnyStateNode): void => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      ids.push(child.id);
      walk(child);
    }
  };
  walk(machine.root);
  return ids;
}

/** Accumulates visited states across a suite; `expectComplete` names any state never reached. */
export class StateCoverage {
  private readonly visited = new Set<string>();
  constructor(private readonly machine: AnyStateMachine) {}

  add(result: { visited: Set<string> }): void {
    for (const id of result.visited) this.visited.add(id);
  }

  expectComplete(): void {
    const missing = machineStateIds(this.machine).filter((id) => !this.visited.has(id));
    expect(missing, 'states never reached by any test').toEqual([]);
  }
}
