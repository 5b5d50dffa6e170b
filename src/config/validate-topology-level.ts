/**
 * Validates one level of a document — a topology name, its agents and its options — and recurses
 * into agent slots that hold nested topologies, so `agents[2].agents[0].model` is checked by the
 * same rules as `agents[0].model`. Problems are collected, never thrown, so one pass reports them all.
 *
 * A level's normalised value is returned whenever its shape is sound (even if, say, a provider is
 * unknown), because a topology's `check` needs well-formed agents and options to look at; whether
 * the document as a whole is accepted is decided by the collected problems alone.
 */
import { onAgentErrorSchema, type AgentSlot, type ModelAgent, type Registry } from '../protocol/index.js';
import { outputSchemaProblem } from '../json-schema/output-schema-validator.js';
import { checkModelReferences } from './check-model-reference.js';
import { checkSpawnSection } from './check-spawn-section.js';
import {
  defaultableAgentFields,
  documentModelAgentSchema,
  documentNestedTopologySchema,
  type DocumentDefaults,
} from './document-schema.js';
import { appendProblems, describeValueType, documentProblem, isPlainObject, type DocumentProblem } from './document-problem.js';
import { formatJsonPath, type JsonPath } from './format-json-path.js';
import { resolveTopologyName } from './resolve-topology-name.js';
import { shapeKeysAt } from './zod-shape-keys.js';
import { parseWithProblems } from './zod-problems.js';

/** Shared state of one validation pass. */
export interface ValidationContext {
  registry: Registry;
  /** The document's `defaults`, only the fields that are themselves valid. */
  defaults: DocumentDefaults;
  problems: DocumentProblem[];
}

/** What a level is made of, as written. */
export interface TopologyLevelInput {
  topology: unknown;
  agents: unknown;
  options: unknown;
  /** Path of the level: `[]` for the document, `['agents', 2]` for a nested slot. */
  path: JsonPath;
}

export interface NormalisedLevel {
  topology: string;
  alias?: string;
  agents: AgentSlot[];
  options: Record<string, unknown>;
}

/** Alias presets sit under the user's options: user values win, nested mappings are merged. */
function mergeUnder(preset: Record<string, unknown>, user: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...preset };
  for (const [key, value] of Object.entries(user)) {
    const below = merged[key];
    merged[key] = isPlainObject(below) && isPlainObject(value) ? mergeUnder(below, value) : value;
  }
  return merged;
}

function validateModelAgent(raw: Record<string, unknown>, path: JsonPath, context: ValidationContext): ModelAgent | undefined {
  const filled: Record<string, unknown> = { ...raw };
  for (const field of defaultableAgentFields) {
    if (filled[field] === undefined && context.defaults[field] !== undefined) filled[field] = context.defaults[field];
  }
  const modelPath = [...path, 'model'];
  if (filled.model === undefined) {
    const hint = 'write it as provider/model, e.g. offline/echo';
    context.problems.push(documentProblem(modelPath, 'required, set model on the agent or defaults.model', { hint }));
  } else if (raw.model !== undefined) {
    // A model that came from `defaults` was checked once, at defaults.model.
    appendProblems(context.problems, checkModelReferences(filled.model, modelPath, context.registry));
  }
  const summaryModel = isPlainObject(raw.context) ? raw.context['model'] : undefined;
  if (summaryModel !== undefined) appendProblems(context.problems, checkModelReferences(summaryModel, [...path, 'context', 'model'], context.registry));
  // The roster is made of agent slots, checked like the document's own (defaults, nested topologies).
  const { spawn: _roster, ...withoutRoster } = filled;
  const roster = checkSpawnSection(raw, path, context, validateSlot);
  const parsed = parseWithProblems(documentModelAgentSchema, withoutRoster, path);
  if (!parsed.ok) {
    appendProblems(context.problems, parsed.problems);
    return undefined;
  }
  if (roster.spawn !== undefined) parsed.value.spawn = roster.spawn;
  const schemaProblem = parsed.value.output_schema === undefined ? undefined : outputSchemaProblem(parsed.value.output_schema);
  if (schemaProblem !== undefined) {
    context.problems.push(documentProblem([...path, 'output_schema'], `not a usable JSON Schema: ${schemaProblem}`, { hint: 'write a JSON Schema object, e.g. { type: object, properties: { … }, required: [ … ] }' }));
  }
  return filled.model === undefined || !roster.ok ? undefined : (parsed.value as ModelAgent);
}

function validateNestedSlot(raw: Record<string, unknown>, path: JsonPath, context: ValidationContext): AgentSlot | undefined {
  const parsed = parseWithProblems(documentNestedTopologySchema, raw, path);
  if (!parsed.ok) appendProblems(context.problems, parsed.problems);
  const options = raw.options === null ? undefined : raw.options;
  const level = validateTopologyLevel({ topology: raw.topology, agents: raw.agents, options, path }, context);
  if (!parsed.ok || level === undefined) return undefined;
  const slot: AgentSlot = { name: parsed.value.name, topology: level.topology, agents: level.agents, options: level.options };
  if (parsed.value.description !== undefined) slot.description = parsed.value.description;
  if (parsed.value.on_agent_error !== undefined) slot.on_agent_error = parsed.value.on_agent_error;
  return slot;
}

function validateSlot(raw: unknown, path: JsonPath, context: ValidationContext): AgentSlot | undefined {
  if (!isPlainObject(raw)) {
    context.problems.push(
      documentProblem(path, `expected an agent, received ${describeValueType(raw)}`, {
        hint: 'an agent is a mapping with name and model, or with name, topology and agents',
      }),
    );
    return undefined;
  }
  return 'topology' in raw ? validateNestedSlot(raw, path, context) : validateModelAgent(raw, path, context);
}

function reportDuplicateNames(slots: unknown[], path: JsonPath, context: ValidationContext): void {
  const firstIndex = new Map<string, number>();
  slots.forEach((slot, index) => {
    if (!isPlainObject(slot) || typeof slot.name !== 'string') return;
    const earlier = firstIndex.get(slot.name);
    if (earlier === undefined) {
      firstIndex.set(slot.name, index);
      return;
    }
    const detail = `duplicate agent name "${slot.name}", already used by ${formatJsonPath([...path, earlier])}`;
    context.problems.push(documentProblem([...path, index, 'name'], detail, { hint: 'agent names must be unique within one agents list' }));
  });
}

function validateAgents(
  raw: unknown,
  path: JsonPath,
  minAgents: number,
  topology: string | undefined,
  context: ValidationContext,
): AgentSlot[] | undefined {
  const needed = Math.max(1, minAgents);
  const who = topology === undefined ? 'a topology' : `the "${topology}" topology`;
  const atLeast = `at least ${needed} agent${needed === 1 ? '' : 's'}`;
  const example = 'e.g. agents: [{ name: first, model: offline/echo }]';
  if (raw === undefined) {
    context.problems.push(documentProblem(path, `required, ${who} needs ${atLeast}`, { hint: example }));
    return undefined;
  }
  if (!Array.isArray(raw)) {
    context.problems.push(documentProblem(path, `expected array, received ${describeValueType(raw)}`, { hint: example }));
    return undefined;
  }
  if (raw.length < needed) {
    const found = raw.length === 0 ? 'none' : String(raw.length);
    context.problems.push(documentProblem(path, `${who} needs ${atLeast}, found ${found}`));
  }
  const slots = raw.map((slot, index) => validateSlot(slot, [...path, index], context));
  reportDuplicateNames(raw, path, context);
  if (raw.length < needed || slots.some((slot) => slot === undefined)) return undefined;
  return slots as AgentSlot[];
}

/**
 * Validates a level and everything below it, pushing problems onto `context.problems`. Returns the
 * normalised level when its shape is sound.
 *
 * Issues returned by a topology's `check` carry paths relative to the level they were raised for
 * (`['options', 'judge']`, `['agents', 1, 'name']`); for the document that is its root, for a
 * nested slot it is the slot, so they are prefixed with the level's own path here.
 *
 * @example
 * const context = { registry, defaults: {}, problems: [] };
 * validateTopologyLevel({ topology: 'debate', agents: [...], options: { rounds: 2 }, path: [] }, context);
 */
export function validateTopologyLevel(input: TopologyLevelInput, context: ValidationContext): NormalisedLevel | undefined {
  const lookup = resolveTopologyName(input.topology, [...input.path, 'topology'], context.registry);
  if (!lookup.ok) context.problems.push(lookup.problem);
  const resolved = lookup.ok ? lookup.resolved : undefined;
  const agents = validateAgents(input.agents, [...input.path, 'agents'], resolved?.definition.minAgents ?? 1, resolved?.name, context);
  if (resolved === undefined) return undefined;

  const optionsPath = [...input.path, 'options'];
  if (input.options !== undefined && !isPlainObject(input.options)) {
    context.problems.push(documentProblem(optionsPath, `expected object, received ${describeValueType(input.options)}`));
    return undefined;
  }
  const merged = mergeUnder(resolved.presetOptions, input.options ?? {});
  let options = parseWithProblems(resolved.definition.options, merged, optionsPath);
  // `on_agent_error` is every topology's option, also of one whose own schema lacks it (built-in
  // topologies declare it, with what `skip` means for each).
  if (!options.ok && merged.on_agent_error !== undefined && !shapeKeysAt(resolved.definition.options, []).includes('on_agent_error')) {
    const { on_agent_error: policy, ...rest } = merged;
    const without = parseWithProblems(resolved.definition.options, rest, optionsPath);
    const policyOk = onAgentErrorSchema.safeParse(policy).success;
    if (!policyOk) context.problems.push(documentProblem([...optionsPath, 'on_agent_error'], `expected "fail" or "skip", received ${JSON.stringify(policy)}`, { hint: 'on_agent_error: fail (the default) or skip' }));
    options = without.ok && policyOk ? { ok: true, value: { ...(without.value as Record<string, unknown>), on_agent_error: policy } } : without;
    if (!without.ok) appendProblems(context.problems, without.problems);
  } else if (!options.ok) appendProblems(context.problems, options.problems);
  if (!options.ok || agents === undefined) return undefined;

  const parsedOptions = options.value as Record<string, unknown>;
  for (const issue of resolved.definition.check?.(parsedOptions, agents) ?? []) {
    context.problems.push(documentProblem([...input.path, ...issue.path], issue.message, { hint: issue.hint }));
  }
  const level: NormalisedLevel = { topology: resolved.name, agents, options: parsedOptions };
  if (resolved.alias !== undefined) level.alias = resolved.alias;
  return level;
}
