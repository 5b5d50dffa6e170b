/**
 * map-reduce — split an input into items, map agents over the items with bounded concurrency, and
 * reduce the mapped results with a `reducer` agent into one answer.
 *
 * What is split: with the `input` option, that text, and the whole task is the instruction. Without
 * it, the task's first line is the instruction and every later line is the input (a one-line task
 * therefore has an empty input); `instruction_line: false` makes the whole task the input, with no
 * instruction. Items come from a deterministic `split` — `lines` (each non-blank line), `paragraphs`
 * (blocks separated by blank lines), `json-array` (each element; non-strings as JSON), `fixed-size`
 * (`chunk_size` characters) — or from a `splitter` agent that replies with a JSON array, or else one
 * item per non-blank line. Item i goes to mapper i mod M (round-robin over `mappers`). The reducer
 * combines at most `reduce_fan_in` results per call; with more, it reduces groups, then groups of
 * those, until one result remains (a tree). There is always at least one reduce.
 *
 * Reason: `reduced`. Nothing to map — an empty input (a one-line task has none), or a splitter that
 * gives no items — fails the run with `invalid_argument` and a hint on how to give items, as does a
 * `json-array` input that is not a JSON array.
 *
 * With `on_agent_error: skip`, a map call that fails for good is left out of the reduce (its item
 * index in `details.failed_items`); when every map call failed, or a reduce call failed (the reduce
 * is the answer), the run fails. A failed splitter gives way to one item per non-blank line.
 *
 * Command paths: `split`, `map:<i>` (i = item index from 0), `reduce:<level>:<group>` (level from 1,
 * group from 0).
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { ConclaveError, type TopologyDefinition, type TopologyInput, type TopologyIssue, type TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption, requireAnswered, requireReply } from './support/agent-failure.js';
import { checkAgentReference } from './support/agent-roles.js';
import { agentCall, callAgentsPlaceholder, userTurn } from './support/call-agents.js';
import { extractJson } from './support/structured-output.js';

export const mapReduceOptions = z.strictObject({
  input: z.string().optional().describe('Text to split; when set, the whole task is the instruction. Default: the task after its first line.'),
  instruction_line: z.boolean().default(true).describe('Without `input`: the task\'s first line is the instruction and the rest is the input; false: the whole task is the input.'),
  split: z.enum(['lines', 'paragraphs', 'json-array', 'fixed-size']).optional().describe('Deterministic splitter (default lines); not allowed with `splitter`.'),
  chunk_size: z.number().int().min(1).max(1_000_000).default(2000).describe('Characters per item for split: fixed-size.'),
  splitter: z.string().optional().describe('Agent that splits the input: it replies with a JSON array or one item per line.'),
  mappers: z.array(z.string()).min(1).optional().describe('Agents that map items, round-robin. Default: every agent but the reducer and splitter (all agents when none is left).'),
  reducer: z.string().optional().describe('Agent that combines mapped results. Default: the last agent in `agents`.'),
  concurrency: z.number().int().min(1).max(1000).default(4).describe('Most map (and reduce) calls in flight at once.'),
  reduce_fan_in: z.number().int().min(2).max(1000).default(8).describe('Most results one reduce call combines; more are reduced as a tree.'),
  on_agent_error: onAgentErrorOption('a failed map call is left out of the reduce and a failed splitter gives way to one item per line; when every map call failed, or a reduce call failed, the run fails'),
});
export type MapReduceOptions = z.infer<typeof mapReduceOptions>;

type SplitResult = { items: string[] } | { error: string };

interface MapReduceContext {
  instruction: string;
  input: string;
  options: MapReduceOptions;
  reducer: string;
  mappers: string[];
  items: string[];
  /** Whether the splitter agent has replied (its items are in `items`). */
  splitDone: boolean;
  invalid: string | undefined;
  /** Results of the current level: mapped results, then each reduce level's outputs. */
  current: string[];
  level: number;
  reason: 'reduced' | undefined;
  /** Indices of items whose map call failed and was skipped. */
  failedItems: number[];
  splitterFailed: boolean;
}

/**
 * The error of a run with nothing to map, with a hint that fits how the input was to be given.
 *
 * @example
 * nothingToMap(context) // → ConclaveError invalid_argument 'map-reduce has nothing to map: …'
 */
function nothingToMap(context: MapReduceContext): ConclaveError {
  if (context.invalid !== undefined) {
    return new ConclaveError('invalid_argument', `map-reduce cannot split its input: ${context.invalid}`, {
      hint: 'give a JSON array as the input (e.g. ["first item", "second item"]), or choose another split: lines, paragraphs or fixed-size',
    });
  }
  const hint =
    context.options.input !== undefined
      ? 'options.input is empty: put the items in it, one per line (split: lines) or as the split option says'
      : context.options.instruction_line
        ? 'the first line of the task is the instruction and every later line is one item: write the items on the lines after it, give them in options.input, or set options.instruction_line: false to split the whole task'
        : 'the task is the input and it is empty: write the items in the task, one per line, or give them in options.input';
  const what = context.splitDone
    ? 'the splitter agent gave no items'
    : context.input.trim() !== ''
      ? `the ${context.options.split ?? 'lines'} split gives no items`
      : context.options.input === undefined && context.options.instruction_line
        ? 'the task is one line (the instruction) and no items follow it on later lines'
        : 'its input is empty';
  return new ConclaveError('invalid_argument', `map-reduce has nothing to map: ${what}`, { hint });
}

/**
 * The instruction and the input a run works on (see the header for the rules).
 *
 * @example
 * mapReduceInput('Summarise each line\nfirst\nsecond', { instruction_line: true }) // → { instruction: 'Summarise each line', input: 'first\nsecond' }
 */
export function mapReduceInput(task: string, options: Pick<MapReduceOptions, 'input' | 'instruction_line'>): { instruction: string; input: string } {
  if (options.input !== undefined) return { instruction: task.trim(), input: options.input };
  if (!options.instruction_line) return { instruction: '', input: task };
  const newline = task.indexOf('\n');
  return newline < 0 ? { instruction: task.trim(), input: '' } : { instruction: task.slice(0, newline).trim(), input: task.slice(newline + 1) };
}

/**
 * Splits `input` deterministically.
 *
 * @example
 * splitInput('a\n\nb', 'lines', 2000)           // → { items: ['a', 'b'] }
 * splitInput('[1, "x"]', 'json-array', 2000)     // → { items: ['1', 'x'] }
 * splitInput('abcde', 'fixed-size', 2)           // → { items: ['ab', 'cd', 'e'] }
 */
export function splitInput(input: string, split: NonNullable<MapReduceOptions['split']>, chunkSize: number): SplitResult {
  const trimmed = input.trim();
  if (trimmed === '') return { items: [] };
  switch (split) {
    case 'lines':
      return { items: nonBlankLines(trimmed) };
    case 'paragraphs':
      return { items: trimmed.split(/\n[ \t]*\n/).map((part) => part.trim()).filter((part) => part !== '') };
    case 'fixed-size': {
      const items: string[] = [];
      for (let start = 0; start < trimmed.length; start += chunkSize) items.push(trimmed.slice(start, start + chunkSize));
      return { items };
    }
    case 'json-array': {
      const value = extractJson(trimmed);
      if (!Array.isArray(value)) return { error: 'split "json-array" needs the input to be a JSON array' };
      return { items: value.map((element: unknown) => (typeof element === 'string' ? element : JSON.stringify(element))) };
    }
  }
}

/**
 * Items from a splitter agent's reply: a JSON array when the reply is one (bare or fenced), else
 * each non-blank line.
 *
 * @example
 * splitterItems('["a", "b"]') // → ['a', 'b']
 * splitterItems('a\nb\n')     // → ['a', 'b']
 */
export function splitterItems(reply: string): string[] {
  if (/^\s*(```|\[)/.test(reply)) {
    const value = extractJson(reply);
    if (Array.isArray(value)) return value.map((element: unknown) => (typeof element === 'string' ? element : JSON.stringify(element))).filter((item) => item.trim() !== '');
  }
  return nonBlankLines(reply);
}

function nonBlankLines(text: string): string[] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

function splitterPrompt(context: MapReduceContext): string {
  const goal = context.instruction === '' ? '' : `The items will be processed with this instruction: ${context.instruction}\n\n`;
  return `${goal}Split the input below into independent items. Reply with a JSON array of strings, or with one item per line and nothing else.\n\nInput:\n${context.input}`;
}

function mapPrompt(instruction: string, item: string, index: number, total: number): string {
  const task = instruction === '' ? 'Process this item.' : instruction;
  return `${task}\n\nItem ${index + 1} of ${total}:\n${item}`;
}

/**
 * The reducer's prompt for one group of results.
 *
 * @example
 * reducePrompt('Summarise', ['part one', 'part two'], 1)
 */
export function reducePrompt(instruction: string, parts: readonly string[], level: number): string {
  const label = level === 1 ? 'Result' : 'Partial result';
  const sections = parts.map((part, index) => `### ${label} ${index + 1}\n${part}`).join('\n\n');
  const goal = instruction === '' ? '' : `Instruction: ${instruction}\n\n`;
  return `${goal}Combine these ${parts.length} results into one coherent result.\n\n${sections}`;
}

function groups(parts: readonly string[], fanIn: number): string[][] {
  const result: string[][] = [];
  for (let start = 0; start < parts.length; start += fanIn) result.push(parts.slice(start, start + fanIn));
  return result;
}

function defaultMappers(names: readonly string[], reducer: string, splitter: string | undefined): string[] {
  const others = names.filter((name) => name !== reducer && name !== splitter);
  return others.length > 0 ? others : [...names];
}

const machine = setup({
  types: {
    context: {} as MapReduceContext,
    input: {} as TopologyInput<MapReduceOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    needsSplitter: ({ context }) => context.options.splitter !== undefined && !context.splitDone && context.input.trim() !== '',
    invalidInput: ({ context }) => context.invalid !== undefined,
    noItems: ({ context }) => context.items.length === 0,
    singleResult: ({ context }) => context.current.length === 1,
  },
}).createMachine({
  id: 'map-reduce',
  context: ({ input }) => {
    const names = input.agents.map((agent) => agent.name);
    const { instruction, input: text } = mapReduceInput(input.task, input.options);
    const reducer = input.options.reducer ?? (names[names.length - 1] as string);
    const split: SplitResult = input.options.splitter !== undefined ? { items: [] } : splitInput(text, input.options.split ?? 'lines', input.options.chunk_size);
    return {
      instruction,
      input: text,
      options: input.options,
      reducer,
      mappers: input.options.mappers ?? defaultMappers(names, reducer, input.options.splitter),
      items: 'items' in split ? split.items : [],
      splitDone: false,
      invalid: 'error' in split ? split.error : undefined,
      current: [],
      level: 0,
      reason: undefined,
      failedItems: [],
      splitterFailed: false,
    };
  },
  initial: 'checking',
  states: {
    splitting: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({ calls: [agentCall('split', context.options.splitter as string, userTurn(splitterPrompt(context)), { phase: 'split' })] }),
        onDone: {
          target: 'checking',
          actions: assign(({ context, event }) =>
            event.output[0]?.skipped !== undefined
              ? { items: nonBlankLines(context.input), splitDone: true, splitterFailed: true }
              : { items: splitterItems(event.output[0]?.text ?? ''), splitDone: true },
          ),
        },
      },
    },
    checking: {
      always: [
        { guard: 'needsSplitter', target: 'splitting' },
        // Nothing to map is the user's mistake, said so with a hint, never an empty answer.
        {
          guard: 'invalidInput',
          target: 'done',
          actions: ({ context }) => {
            throw nothingToMap(context);
          },
        },
        {
          guard: 'noItems',
          target: 'done',
          actions: ({ context }) => {
            throw nothingToMap(context);
          },
        },
        { target: 'mapping' },
      ],
    },
    mapping: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: context.items.map((item, index) =>
            agentCall(`map:${index}`, context.mappers[index % context.mappers.length] as string, userTurn(mapPrompt(context.instruction, item, index, context.items.length)), {
              phase: 'map',
            }),
          ),
          concurrency: context.options.concurrency,
        }),
        onDone: {
          target: 'reducing',
          actions: assign(({ event }) => ({
            current: requireAnswered('map-reduce', event.output, 'every map call failed').map((reply) => reply.text),
            failedItems: event.output.flatMap((reply, index) => (reply.skipped !== undefined ? [index] : [])),
            level: 1,
          })),
        },
      },
    },
    reducing: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: groups(context.current, context.options.reduce_fan_in).map((group, index) =>
            agentCall(`reduce:${context.level}:${index}`, context.reducer, userTurn(reducePrompt(context.instruction, group, context.level)), {
              phase: 'reduce',
              round: context.level,
            }),
          ),
          concurrency: context.options.concurrency,
        }),
        onDone: { target: 'reduced', actions: assign({ current: ({ event }) => event.output.map((reply) => requireReply('map-reduce', 'reducer', reply)) }) },
      },
    },
    reduced: {
      always: [
        { guard: 'singleResult', target: 'done', actions: assign({ reason: 'reduced' as const }) },
        { target: 'reducing', actions: assign({ level: ({ context }) => context.level + 1 }) },
      ],
    },
    done: { type: 'final' },
  },
  output: ({ context }) => {
    const details: Record<string, unknown> = { items: context.items.length, reduce_levels: context.level, mappers: context.mappers, reducer: context.reducer };
    if (context.failedItems.length > 0) details['failed_items'] = context.failedItems;
    if (context.splitterFailed) details['splitter_failed'] = true;
    return { answer: context.current[0] ?? '', reason: context.reason ?? 'reduced', aggregation: 'reducer', details };
  },
});

export const mapReduceTopology: TopologyDefinition<MapReduceOptions> = {
  name: 'map-reduce',
  description: 'Split the input into items, map agents over them with bounded concurrency, reduce the results (as a tree when many).',
  steering: 'At the next step: during the splitter, every map call (all items are mapped in one batch); during the map batch, every reduce call of level 1; during a reduce level, the reduce calls of the next level. During the last reduce (the one that leaves a single result) it becomes the next turn.',
  options: mapReduceOptions,
  minAgents: 1,
  check(options, agents): TopologyIssue[] {
    const names = agents.map((agent) => agent.name);
    const issues = [...checkAgentReference(agents, 'reducer', options.reducer), ...checkAgentReference(agents, 'splitter', options.splitter)];
    (options.mappers ?? []).forEach((name, index) => {
      if (!names.includes(name)) issues.push({ path: ['options', 'mappers', index], message: `options.mappers[${index}] names agent "${name}", which is not in agents` });
    });
    if (options.splitter !== undefined && options.split !== undefined) {
      issues.push({ path: ['options', 'split'], message: `options.split ("${options.split}") and options.splitter are both set`, hint: 'drop one of them' });
    }
    return issues;
  },
  machine,
};
