/**
 * Checks an agent's `spawn:` roster — the agents it may start at run time with the built-in
 * `spawn_agent` tool — and the pairing of the two: `spawn_agent` without a roster, or a roster
 * without `spawn_agent` in the agent's `tools`, is refused at its JSON path. Each roster entry is
 * validated like any agent slot of the document (defaults filled, models checked, a nested
 * topology's name and options normalised), at `agents[0].spawn.agents[1]…`.
 */
import { z } from 'zod';
import { maxChildrenSchema, spawnAgentToolName, type AgentSlot, type SpawnSettings } from '../protocol/index.js';
import { appendProblems, describeValueType, documentProblem, isPlainObject } from './document-problem.js';
import { formatJsonPath, type JsonPath } from './format-json-path.js';
import type { ValidationContext } from './validate-topology-level.js';
import { parseWithProblems } from './zod-problems.js';

/** Validates one agent slot at a path (the level validator's own, handed in). */
export type SlotValidator = (raw: unknown, path: JsonPath, context: ValidationContext) => AgentSlot | undefined;

/** The roster's fields; `agents` is checked entry by entry. */
const spawnShapeSchema = z.strictObject({
  agents: z.unknown(),
  max_children: maxChildrenSchema.optional(),
});

const rosterHint = 'e.g. spawn: { agents: [{ name: researcher, model: offline/echo, system: You research one question. }] }';

/**
 * The roster of the model agent `raw` at `path`, pushing its problems (and those of the pairing
 * with `spawn_agent`) onto `context.problems`. `ok` is false when the agent cannot be used.
 *
 * @example
 * const checked = checkSpawnSection({ name: 'lead', tools: ['spawn_agent'], spawn: { agents: [{ name: 'r', model: 'offline/echo' }] } }, ['agents', 0], context, validateSlot);
 * checked.spawn?.agents.map((slot) => slot.name) // → ['r']
 */
export function checkSpawnSection(raw: Record<string, unknown>, path: JsonPath, context: ValidationContext, validateSlot: SlotValidator): { ok: boolean; spawn?: SpawnSettings } {
  const toolIndex = Array.isArray(raw['tools']) ? raw['tools'].indexOf(spawnAgentToolName) : -1;
  const spawnPath = [...path, 'spawn'];
  const given = raw['spawn'] === null ? undefined : raw['spawn'];
  if (given === undefined) {
    if (toolIndex < 0) return { ok: true };
    context.problems.push(documentProblem([...path, 'tools', toolIndex], `"${spawnAgentToolName}" needs the agents it may spawn, under spawn.agents`, { hint: rosterHint }));
    return { ok: false };
  }
  if (toolIndex < 0) {
    context.problems.push(documentProblem(spawnPath, `a spawn roster needs "${spawnAgentToolName}" in the agent's tools`, { hint: `add it: tools: [${spawnAgentToolName}]` }));
  }
  if (!isPlainObject(given)) {
    context.problems.push(documentProblem(spawnPath, `expected a mapping with agents (and max_children), received ${describeValueType(given)}`, { hint: rosterHint }));
    return { ok: false };
  }
  const shape = parseWithProblems(spawnShapeSchema, given, spawnPath);
  if (!shape.ok) appendProblems(context.problems, shape.problems);
  const agentsPath = [...spawnPath, 'agents'];
  const entries = given['agents'];
  if (!Array.isArray(entries) || entries.length === 0) {
    const found = entries === undefined ? 'none' : Array.isArray(entries) ? 'an empty list' : describeValueType(entries);
    context.problems.push(documentProblem(agentsPath, `a spawn roster needs at least one agent, found ${found}`, { hint: rosterHint }));
    return { ok: false };
  }
  const slots = entries.map((entry, index) => validateSlot(entry, [...agentsPath, index], context));
  const seen = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    if (!isPlainObject(entry) || typeof entry['name'] !== 'string') continue;
    const first = seen.get(entry['name']);
    if (first === undefined) seen.set(entry['name'], index);
    else context.problems.push(documentProblem([...agentsPath, index, 'name'], `duplicate agent name "${entry['name']}", already used by ${formatJsonPath([...agentsPath, first])}`, { hint: 'the agents of a spawn roster need unique names: spawn_agent names one' }));
  }
  if (!shape.ok || toolIndex < 0 || slots.some((slot) => slot === undefined)) return { ok: false };
  const spawn: SpawnSettings = { agents: slots as AgentSlot[] };
  if (shape.value.max_children !== undefined) spawn.max_children = shape.value.max_children;
  return { ok: true, spawn };
}
