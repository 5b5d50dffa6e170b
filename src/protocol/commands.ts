/**
 * Commands: everything a topology asks of the outside world. A command id is a path that names the
 * command's position in the topology (`debate/round:2/agent:1/generate:0`), never a random value,
 * so that a rebuilt machine asks for the same ids and finished ones can be answered from the log.
 */
import { z } from 'zod';

export const commandKinds = ['model.generate', 'tool.execute', 'session.create', 'session.send', 'session.interrupt'] as const;
export type CommandKind = (typeof commandKinds)[number];

export const commandSchema = z.object({
  id: z.string().min(1),
  sessionId: z.string(),
  kind: z.enum(commandKinds),
  input: z.record(z.string(), z.unknown()),
  parent: z.string().optional(),
});
export type Command = z.infer<typeof commandSchema>;

/**
 * Joins path segments into a command id, dropping empty ones.
 *
 * @example
 * commandPath('debate', 'round:2/agent:1', 'generate:0') // → 'debate/round:2/agent:1/generate:0'
 */
export function commandPath(...segments: Array<string | undefined>): string {
  return segments.filter((segment): segment is string => segment !== undefined && segment !== '').join('/');
}
