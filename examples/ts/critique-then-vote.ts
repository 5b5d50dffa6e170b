// A topology of your own, usable from YAML once registered: every agent answers, then every agent
// reads the others' answers and votes for the best one (never its own); most votes wins, ties go
// to the earlier agent. It reaches models only through the kernel's `callAgents` actor, so every
// call is journaled, retried and replayed like the built-ins'.
//   npm run build && npx tsx examples/ts/critique-then-vote.ts
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { agentCall, callAgentsPlaceholder, Conclave, defineTopology, userTurn, type AgentReply, type TopologyInput, type TopologyResult } from 'conclave';

const options = z.strictObject({});

interface Context {
  task: string;
  names: string[];
  answers: AgentReply[];
  ballots: AgentReply[];
}

function ballotSchema(candidates: string[]): Record<string, unknown> {
  return { type: 'object', properties: { critique: { type: 'string' }, best: { type: 'string', enum: candidates } }, required: ['critique', 'best'], additionalProperties: false };
}

function tally(context: Context): TopologyResult {
  const votes = new Map(context.names.map((name) => [name, 0]));
  for (const ballot of context.ballots) {
    try {
      const best = (JSON.parse(ballot.text) as { best?: unknown }).best;
      if (typeof best === 'string' && best !== ballot.agent && votes.has(best)) votes.set(best, (votes.get(best) ?? 0) + 1);
    } catch {
      // A ballot that is not JSON counts as an abstention.
    }
  }
  const winner = [...votes.entries()].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  const answer = context.answers.find((reply) => reply.agent === winner[0])?.text ?? '';
  return { answer, reason: 'voted', aggregation: 'critique_then_vote', details: { tally: Object.fromEntries(votes), winner: winner[0] } };
}

const machine = setup({
  types: { context: {} as Context, input: {} as TopologyInput<z.infer<typeof options>>, output: {} as TopologyResult },
  actors: { callAgents: callAgentsPlaceholder },
}).createMachine({
  id: 'critique-then-vote',
  context: ({ input }) => ({ task: input.task, names: input.agents.map((agent) => agent.name), answers: [], ballots: [] }),
  initial: 'answering',
  states: {
    answering: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({ calls: context.names.map((name, index) => agentCall(`answer:${index}`, name, userTurn(context.task), { phase: 'answer' })) }),
        onDone: { target: 'voting', actions: assign({ answers: ({ event }) => event.output }) },
      },
    },
    voting: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: context.names.map((name, index) => {
            const others = context.answers.filter((reply) => reply.agent !== name);
            const prompt = `Task: ${context.task}\n\n${others.map((reply) => `### ${reply.agent}\n${reply.text}`).join('\n\n')}\n\nCritique these answers, then name the best one.`;
            const call = agentCall(`vote:${index}`, name, userTurn(prompt), { phase: 'vote' });
            return { ...call, responseFormat: { type: 'json' as const, schema: ballotSchema(others.map((reply) => reply.agent)), name: 'ballot' } };
          }),
        }),
        onDone: { target: 'done', actions: assign({ ballots: ({ event }) => event.output }) },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => tally(context),
});

const critiqueThenVote = defineTopology({
  name: 'critique-then-vote',
  description: 'Every agent answers; every agent critiques the others and votes for the best; most votes wins.',
  options,
  minAgents: 3,
  machine,
});

const conclave = new Conclave({ store: ':memory:', topologies: [critiqueThenVote] });
try {
  const result = await conclave.run(`
topology: critique-then-vote
task: Name one good reason to write tests first.
seed: 3
defaults: { model: offline/persona }
agents:
  - { name: ada }
  - { name: grace }
  - { name: linus }
`);
  console.log(`${result.status}: winner ${String(result.details?.['winner'])}, tally ${JSON.stringify(result.details?.['tally'])}`);
  console.log(result.answer);
} finally {
  await conclave.close();
}
