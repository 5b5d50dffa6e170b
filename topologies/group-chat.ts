/**
 * group-chat — speakers take turns on one shared transcript. Each turn one speaker sees the task and
 * the whole conversation and adds a message. Who speaks next: `round-robin` (in `speakers` order);
 * `selector` (before every turn a `selector` agent, who never speaks, names a speaker — asked for JSON
 * `{"next": <one of the speakers>}` with the provider's structured output, else the first line of its
 * reply, case-insensitive, quotes and a trailing period ignored); or `handoff` (the speaker
 * ends with a line `NEXT: <name>`). An unknown or missing name falls back to the next speaker in
 * round-robin order, and the fallback is recorded in `details.fallbacks`. The first speaker is
 * `speakers[0]` unless a selector picks.
 *
 * The chat ends, checked after every message in this order: the message contains `stop_phrase`
 * (case-sensitive) → `stop_phrase`; every speaker has spoken and their latest answers (extracted
 * with `answer_pattern`) are all the same, with `stop_on_consensus` → `consensus`; `max_turns`
 * messages were written → `max_turns`. The answer is the last message with the stop phrase removed
 * (the previous message when nothing else is left); on consensus that message holds the agreed answer.
 *
 * With `on_agent_error: skip`, a speaker whose call fails for good loses its turn: nothing is added
 * to the transcript, the turn still counts towards `max_turns`, and the next speaker is the one after
 * it in round-robin order (`details.skipped_turns`). A selector that fails falls back to round-robin
 * as an unknown name does. When every speaker in a row failed, or the chat ends without a message,
 * the run fails.
 *
 * Command paths: `turn:<n>/select` and `turn:<n>/agent:<i>` (n from 1, i = index in `agents`).
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { agentsFailedError, type AgentCall, type AgentReply, type TopologyDefinition, type TopologyInput, type TopologyIssue, type TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption } from './support/agent-failure.js';
import { checkAgentReference } from './support/agent-roles.js';
import { defaultAnswerPattern, extractAnswer, regexError, tallyAnswers } from './support/answers.js';
import { agentCall, agentIndex, callAgentsPlaceholder, userTurn } from './support/call-agents.js';
import { extractJson } from './support/structured-output.js';

export const groupChatOptions = z.strictObject({
  selection: z.enum(['round-robin', 'selector', 'handoff']).default('round-robin').describe('How the next speaker is chosen.'),
  selector: z.string().optional().describe('Agent that names the next speaker before every turn (selection: selector); it never speaks.'),
  speakers: z.array(z.string()).min(2).optional().describe('Speaker names in round-robin order. Default: every agent but the selector.'),
  max_turns: z.number().int().min(1).max(500).default(10).describe('Most messages in the chat.'),
  stop_phrase: z.string().min(1).optional().describe('End the chat when a message contains this text (case-sensitive), e.g. "TERMINATE". Default: none.'),
  stop_on_consensus: z.boolean().default(true).describe('End the chat when every speaker\'s latest answer is the same.'),
  answer_pattern: z.string().default(defaultAnswerPattern).describe('Regular expression (case-insensitive) whose group 1 is a speaker\'s answer.'),
  on_agent_error: onAgentErrorOption('a failed speaker loses its turn (it still counts towards max_turns) and the next speaker in round-robin order goes on; a failed selector falls back to round-robin; when every speaker in a row failed, the run fails'),
});
export type GroupChatOptions = z.infer<typeof groupChatOptions>;

interface ChatMessage {
  agent: string;
  text: string;
  answer: string | undefined;
}

interface Fallback {
  turn: number;
  wanted: string | undefined;
  used: string;
}

interface GroupChatContext {
  task: string;
  names: string[];
  speakers: string[];
  options: GroupChatOptions;
  turn: number;
  current: string;
  messages: ChatMessage[];
  fallbacks: Fallback[];
  reason: 'max_turns' | 'stop_phrase' | 'consensus' | undefined;
  /** Turns whose speaker failed and was skipped, in order. */
  skippedTurns: Array<{ turn: number; agent: string }>;
  /** Whether the latest turn was skipped (then the next speaker follows it in round-robin order). */
  lastSkipped: boolean;
}

function transcript(messages: readonly ChatMessage[]): string {
  return messages.length === 0 ? '(no messages yet)' : messages.map((message) => `[${message.agent}]: ${message.text}`).join('\n\n');
}

/**
 * The prompt of the speaker `agent`: the task, the transcript, and the rules of this chat.
 *
 * @example
 * speakerPrompt(context, 'alice') // "Task: …\n\nConversation so far:\n…\n\nYou are alice. …"
 */
export function speakerPrompt(context: Pick<GroupChatContext, 'task' | 'speakers' | 'options' | 'messages'>, agent: string): string {
  const rules = [`You are ${agent}, one of: ${context.speakers.join(', ')}. Write your next message.`, 'End with a line "Final answer: <your answer>".'];
  if (context.options.stop_phrase !== undefined) rules.push(`When the task is fully solved, include ${context.options.stop_phrase} in your message.`);
  if (context.options.selection === 'handoff') rules.push(`Then add a last line "NEXT: <name>" naming who should speak next (one of: ${context.speakers.join(', ')}).`);
  return `Task: ${context.task}\n\nConversation so far:\n\n${transcript(context.messages)}\n\n${rules.join(' ')}`;
}

function selectorPrompt(context: GroupChatContext): string {
  return `Task: ${context.task}\n\nConversation so far:\n\n${transcript(context.messages)}\n\nParticipants: ${context.speakers.join(', ')}. Who should speak next? Reply with JSON {"next": "<name>"}, or with only their name.`;
}

/**
 * The selector's reply format: one of the speakers' names as `next`. Providers with structured
 * output (and the offline simulator) then always answer with a speaker; a plain name still works.
 */
function selectorFormat(speakers: readonly string[]): NonNullable<AgentCall['responseFormat']> {
  return { type: 'json', name: 'next_speaker', schema: { type: 'object', properties: { next: { type: 'string', enum: [...speakers] } }, required: ['next'], additionalProperties: false } };
}

/**
 * The name a selector's reply gives: `next` of a JSON reply, else its first line.
 *
 * @example
 * selectedName('{"next": "bob"}') // → 'bob'
 * selectedName('Bob.\nBecause…')  // → 'Bob.'
 */
export function selectedName(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const json = extractJson(text);
  if (typeof json === 'object' && json !== null && typeof (json as { next?: unknown }).next === 'string') return (json as { next: string }).next;
  return text.trim().split('\n')[0];
}

/**
 * The speaker a name refers to (case-insensitive, surrounding quotes, `*` and a trailing period
 * ignored), or undefined.
 *
 * @example
 * matchSpeaker(['alice', 'bob'], ' "Bob". ') // → 'bob'
 */
export function matchSpeaker(speakers: readonly string[], name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const cleaned = name.trim().replace(/^["'`*]+|["'`*.]+$/g, '').trim().toLowerCase();
  return speakers.find((speaker) => speaker.toLowerCase() === cleaned);
}

/**
 * The name after the last `NEXT:` line of a message, if any.
 *
 * @example
 * handoffName('I agree.\nNEXT: bob') // → 'bob'
 */
export function handoffName(text: string): string | undefined {
  const matches = [...text.matchAll(/^\s*\**NEXT\**\s*:\s*(.+)$/gim)];
  return matches[matches.length - 1]?.[1]?.trim();
}

function roundRobinNext(context: GroupChatContext): string {
  const last = context.lastSkipped ? context.current : context.messages[context.messages.length - 1]?.agent;
  if (last === undefined) return context.speakers[0] as string;
  return context.speakers[(context.speakers.indexOf(last) + 1) % context.speakers.length] as string;
}

/** Picks the next speaker from a wanted name, falling back to round-robin and recording it. */
function choose(context: GroupChatContext, wanted: string | undefined): Pick<GroupChatContext, 'current' | 'fallbacks'> {
  const chosen = matchSpeaker(context.speakers, wanted);
  if (chosen !== undefined) return { current: chosen, fallbacks: context.fallbacks };
  const used = roundRobinNext(context);
  return { current: used, fallbacks: [...context.fallbacks, { turn: context.turn + 1, wanted, used }] };
}

function nextTurn(context: GroupChatContext): Partial<GroupChatContext> {
  if (context.options.selection === 'handoff' && context.messages.length > 0 && !context.lastSkipped) {
    return { turn: context.turn + 1, ...choose(context, handoffName(context.messages[context.messages.length - 1]?.text ?? '')) };
  }
  return { turn: context.turn + 1, current: roundRobinNext(context) };
}

function latestAnswers(context: GroupChatContext): Array<string | undefined> {
  return context.speakers.map((speaker) => [...context.messages].reverse().find((message) => message.agent === speaker)?.answer);
}

function chatResult(context: GroupChatContext): TopologyResult {
  const reason = context.reason ?? 'max_turns';
  let answer = context.messages[context.messages.length - 1]?.text ?? '';
  const phrase = context.options.stop_phrase;
  if (reason === 'stop_phrase' && phrase !== undefined) {
    answer = answer.split(phrase).join('').trim();
    if (answer === '') answer = context.messages[context.messages.length - 2]?.text ?? '';
  }
  const tally = tallyAnswers(latestAnswers(context));
  return {
    answer,
    reason,
    aggregation: reason === 'consensus' ? 'consensus' : 'last_message',
    details: {
      turns: context.messages.length,
      speakers: context.messages.map((message) => message.agent),
      answers: Object.fromEntries(context.speakers.map((speaker, index) => [speaker, latestAnswers(context)[index] ?? null])),
      tally: Object.fromEntries(tally.counts),
      fallbacks: context.fallbacks,
      ...(context.skippedTurns.length > 0 ? { skipped_turns: context.skippedTurns } : {}),
    },
  };
}

const machine = setup({
  types: {
    context: {} as GroupChatContext,
    input: {} as TopologyInput<GroupChatOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    saidStopPhrase: ({ context }) => {
      const phrase = context.options.stop_phrase;
      return phrase !== undefined && (context.messages[context.messages.length - 1]?.text.includes(phrase) ?? false);
    },
    consensus: ({ context }) => context.options.stop_on_consensus && tallyAnswers(latestAnswers(context)).unanimous,
    // Skipped turns count: a chat of failing speakers still ends.
    maxTurns: ({ context }) => context.turn >= context.options.max_turns,
    usesSelector: ({ context }) => context.options.selection === 'selector',
  },
}).createMachine({
  id: 'group-chat',
  context: ({ input }) => {
    const names = input.agents.map((agent) => agent.name);
    const speakers = input.options.speakers ?? names.filter((name) => name !== input.options.selector);
    return {
      task: input.task,
      names,
      speakers,
      options: input.options,
      turn: 0,
      current: speakers[0] as string,
      messages: [],
      fallbacks: [],
      reason: undefined,
      skippedTurns: [],
      lastSkipped: false,
    };
  },
  initial: 'deciding',
  states: {
    deciding: {
      always: [
        { guard: 'saidStopPhrase', target: 'done', actions: assign({ reason: 'stop_phrase' as const }) },
        { guard: 'consensus', target: 'done', actions: assign({ reason: 'consensus' as const }) },
        { guard: 'maxTurns', target: 'done', actions: assign({ reason: 'max_turns' as const }) },
        { guard: 'usesSelector', target: 'selecting' },
        { target: 'speaking', actions: assign(({ context }) => nextTurn(context)) },
      ],
    },
    selecting: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: [
            {
              ...agentCall(`turn:${context.turn + 1}/select`, context.options.selector as string, userTurn(selectorPrompt(context)), { phase: 'select', round: context.turn + 1 }),
              responseFormat: selectorFormat(context.speakers),
            },
          ],
        }),
        onDone: {
          target: 'speaking',
          actions: assign(({ context, event }) => ({ turn: context.turn + 1, ...choose(context, selectedName(event.output[0]?.text)) })),
        },
      },
    },
    speaking: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: [
            agentCall(`turn:${context.turn}/agent:${agentIndex(context.names, context.current)}`, context.current, userTurn(speakerPrompt(context, context.current)), {
              phase: 'speak',
              round: context.turn,
            }),
          ],
        }),
        onDone: {
          target: 'deciding',
          actions: assign(({ context, event }) => {
            const reply = event.output[0] as AgentReply;
            if (reply.skipped !== undefined) {
              const skippedTurns = [...context.skippedTurns, { turn: context.turn, agent: context.current }];
              const inARow = skippedTurns.filter((skipped) => skipped.turn > context.turn - context.speakers.length).length;
              if (inARow >= context.speakers.length) throw agentsFailedError('group-chat', `the last ${inARow} turns all failed, so no speaker is left to go on`, [reply]);
              if (context.turn >= context.options.max_turns && context.messages.length === 0) throw agentsFailedError('group-chat', 'the chat ended without a message: every turn failed', [reply]);
              return { skippedTurns, lastSkipped: true };
            }
            const text = reply.text;
            return { lastSkipped: false, messages: [...context.messages, { agent: context.current, text, answer: extractAnswer(text, context.options.answer_pattern) }] };
          }),
        },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => chatResult(context),
});

export const groupChatTopology: TopologyDefinition<GroupChatOptions> = {
  name: 'group-chat',
  description: 'Shared transcript; the next speaker by round-robin, a selector agent, or handoff; ends on max turns, a stop phrase or consensus.',
  steering: 'At the next message: the next speaker receives it, except that with `selection: selector` the selector\'s pick comes first and takes it (a message sent while the selector picks goes to the speaker it picked). If the chat ends after the current message (stop phrase, consensus, `max_turns`) it becomes the next turn.',
  options: groupChatOptions,
  minAgents: 2,
  check(options, agents): TopologyIssue[] {
    const names = agents.map((agent) => agent.name);
    const issues = checkAgentReference(agents, 'selector', options.selector);
    if (options.selection === 'selector' && options.selector === undefined) {
      issues.push({ path: ['options', 'selector'], message: 'selection "selector" needs options.selector: the agent that picks the next speaker' });
    }
    if (options.selection !== 'selector' && options.selector !== undefined) {
      issues.push({ path: ['options', 'selector'], message: `options.selector is set but selection is "${options.selection}"`, hint: 'set selection: selector or drop the selector' });
    }
    (options.speakers ?? []).forEach((name, index) => {
      const path = ['options', 'speakers', index];
      if (!names.includes(name)) issues.push({ path, message: `options.speakers[${index}] names agent "${name}", which is not in agents` });
      else if (name === options.selector) issues.push({ path, message: `the selector "${name}" cannot also be a speaker` });
    });
    const speakers = options.speakers ?? names.filter((name) => name !== options.selector);
    if (speakers.length < 2) issues.push({ path: ['agents'], message: `a group chat needs at least 2 speakers besides the selector; it has ${speakers.length}` });
    const problem = regexError(options.answer_pattern);
    if (problem !== undefined) issues.push({ path: ['options', 'answer_pattern'], message: `options.answer_pattern is not a valid regular expression: ${problem}` });
    return issues;
  },
  machine,
};
