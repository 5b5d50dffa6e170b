/**
 * An outcome: what "done" means for a session's turns (the document's `outcome:`, the Managed
 * Agents `user.define_outcome`). A grader model checks each answer against it; see
 * `src/kernel/session-outcome.ts`.
 */
import { z } from 'zod';

export const outcomeSchema = z.strictObject({
  /** What a finished answer is, in a sentence or two. */
  description: z.string().min(1, 'describe what a finished answer is'),
  /** The criteria the grader checks, one per line; quoted phrases must appear in the answer for the offline grader. */
  rubric: z.string().min(1).optional(),
  /** The grader model (default: the first model agent's). */
  grader: z.string().min(1).optional(),
  /** Answers graded at most (the first one included); default 3. */
  max_iterations: z.number().int().min(1).max(20).optional(),
});
export type OutcomeSettings = z.infer<typeof outcomeSchema>;

/**
 * An outcome a user message defines (`user.message` data `outcome`, what the Managed Agents
 * `user.define_outcome` journals): the turn that message starts, or steers, is graded against it
 * instead of the document's. `eventId` is the id of the message that defined it, which the
 * gradings name (`outcomeEventId`).
 */
export interface DefinedOutcome {
  eventId: string;
  settings: OutcomeSettings;
}
