/**
 * `on_agent_error` inside topologies. The kernel decides which calls are skipped (the slot's policy,
 * else the topology's `options.on_agent_error`, else the document's; only an agent's own failure,
 * never an interruption) and marks their replies `skipped` with empty text. Each machine decides
 * what is "enough" without them, and throws `agentsFailedError` (via the helpers here) when it is
 * not — from an action, which ends the run with that error.
 */
import { agentsFailedError, answeredReplies, onAgentErrorSchema, type AgentReply } from '../../src/protocol/index.js';

/**
 * The `on_agent_error` option of a topology, described with what `skip` means for it.
 *
 * @example
 * onAgentErrorOption('a failed voter abstains and the vote is decided over the rest')
 */
export function onAgentErrorOption(skipMeaning: string) {
  return onAgentErrorSchema
    .optional()
    .describe(`A call whose retries (and fallback models) ran out: fail the run, or skip it — ${skipMeaning}. An agent's own on_agent_error wins over this; unset, an enclosing topology's or the document's applies, else fail.`);
}

/**
 * The replies that were skipped.
 *
 * @example
 * skippedReplies(event.output).map((reply) => reply.agent) // → ['b']
 */
export function skippedReplies(replies: readonly AgentReply[]): AgentReply[] {
  return replies.filter((reply) => reply.skipped !== undefined);
}

/**
 * The answered replies of a batch, or the run's failure when none is left.
 *
 * @example
 * const answered = requireAnswered('parallel', event.output, 'every worker failed');
 */
export function requireAnswered(topology: string, replies: readonly AgentReply[], problem: string): AgentReply[] {
  const answered = answeredReplies(replies);
  if (answered.length === 0 && replies.length > 0) throw agentsFailedError(topology, problem, skippedReplies(replies));
  return answered;
}

/**
 * Fails the run when the reply of a role whose output is needed (a judge whose verdict is the
 * answer, a reducer, a manager's plan) was skipped: skipping it has no sound meaning.
 *
 * @example
 * const text = requireReply('map-reduce', 'reducer', event.output[0]);
 */
export function requireReply(topology: string, role: string, reply: AgentReply | undefined): string {
  if (reply?.skipped !== undefined) {
    throw agentsFailedError(topology, `the ${role} "${reply.agent}" failed, and the ${role}'s output is needed to go on, so it cannot be skipped`, [reply]);
  }
  return reply?.text ?? '';
}
