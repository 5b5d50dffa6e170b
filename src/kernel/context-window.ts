/**
 * Context management (`context: { max_input_tokens, strategy, model }` on an agent): before a model
 * call is sent, a request whose system prompt, tools and messages come to more than
 * `max_input_tokens` is made to fit.
 *
 * - The system prompt and the latest user message (the task) are never touched, nor the newest
 *   exchange after it (the latest tool round in a tool loop). What goes is whole units, oldest
 *   first: earlier turns (a user message and everything up to the next one, so the request still
 *   opens with a user message), then earlier tool rounds after the task (an assistant message with
 *   its tool calls and their results together, so no provider sees a result without its call).
 * - `truncate` (the default) leaves them out. `summarize` replaces them by a summary that a model
 *   call writes — the agent's own model or `context.model` — journaled as its own command,
 *   `<commandId>/context-summary:0`, through the dispatcher, so a resumed session answers it from
 *   the log and never pays for it twice; its usage and cost count in the session's totals. In a
 *   tool loop, a round whose previous round was summarized summarizes that summary plus what has
 *   gone since, not everything again. The summary joins the first user message kept: before its
 *   text when only earlier turns went, after it when tool rounds after the task went.
 * - Either way a `context.truncated` or `context.summarized` event records the sizes before and
 *   after, the messages left out and how tokens were counted (`countedBy`: `tiktoken:o200k_base`
 *   for OpenAI models, `estimate` elsewhere — see `token-count.ts`). Fitting is a pure function of
 *   the call's messages and the journal, so a replay makes the same request.
 * - A request whose system prompt, tools and latest messages alone do not fit fails with
 *   `context_overflow`, naming the agent, the limit and the size.
 */
import {
  ConclaveError,
  modelChain,
  type AgentContextSettings,
  type ContextFittedData,
  type Message,
  type ModelAgent,
} from '../protocol/index.js';
import type { DispatcherContext, ModelCall, ModelCallResult } from './dispatcher.js';
import { historyLength } from './conversation.js';
import type { Journal } from './journal.js';
import { deriveSeed } from './seeds.js';
import { fixedTokens, messageTokens, tokenCounterFor, type TokenCounter } from './token-count.js';

/** Runs one model call as a journaled command (the dispatcher's `dispatchModelCall`). */
export type ModelCallDispatch = (context: DispatcherContext, call: ModelCall, signal: AbortSignal) => Promise<ModelCallResult>;

/** The system prompt of summary calls. */
export const summarySystemPrompt =
  'You compress conversations. Summarize the conversation you are given so that it can replace it: keep the facts, decisions, open questions, tool results and figures that later turns may need, in the order they came. Write plain prose, no preamble.';

/** Heading of the summary inside the first user message kept. */
export const summaryHeading = 'Summary of earlier messages, left out to fit the context window:';

/** Tokens a summary may take: a quarter of the window, between 64 and 2,000. */
function summaryAllowance(maxInputTokens: number): number {
  return Math.min(2000, Math.max(64, Math.floor(maxInputTokens / 4)));
}

/** The id of the summary command of a call. */
export function summaryCommandId(commandId: string): string {
  return `${commandId}/context-summary:0`;
}

/** A run of messages that stays or goes together: `[start, end)`. */
interface Unit {
  start: number;
  end: number;
  tokens: number;
}

/**
 * Fits a model call into its agent's context window (see the module header). A call of an agent
 * without `context`, or one that fits, is returned as it is.
 *
 * @example
 * const fitted = await fitContextWindow(context, call, signal, dispatchModelCall);
 */
export async function fitContextWindow(context: DispatcherContext, call: ModelCall, signal: AbortSignal, dispatch: ModelCallDispatch): Promise<ModelCall> {
  const settings = call.agent.context;
  if (settings === undefined) return call;
  const counter = await tokenCounterFor(modelChain(call.agent)[0] as string);
  const limit = settings.max_input_tokens;
  const fixed = fixedTokens(counter, call.agent.system, call.tools);
  const sizes = call.messages.map((message) => messageTokens(counter, message));
  const before = fixed + sum(sizes);
  if (before <= limit) return call;

  const { units, protectedTokens } = unitsOf(call.messages, sizes, turnTaskIndex(context.journal, call.commandId));
  const minimum = fixed + protectedTokens;
  if (minimum > limit) {
    throw new ConclaveError(
      'context_overflow',
      `agent "${call.agent.name}": its request is ${before} tokens (${counter.label}) and cannot be brought under context.max_input_tokens ${limit} — the system prompt, tools and latest messages alone are ${minimum}`,
      { category: 'user', retryable: false, hint: 'raise context.max_input_tokens, or shorten the system prompt or the task' },
    );
  }
  const strategy = settings.strategy ?? 'truncate';
  const allowance = strategy === 'summarize' ? Math.min(summaryAllowance(limit), limit - minimum - headingTokens(counter)) : 0;
  if (strategy === 'summarize' && allowance >= 16) {
    const dropped = planDrops(units, before, limit - allowance - headingTokens(counter));
    return summarize(context, call, signal, dispatch, { settings, counter, fixed, before, dropped, allowance });
  }
  // truncate — or summarize with no room left for a summary worth writing (under 16 tokens).
  const dropped = planDrops(units, before, limit);
  const gone = new Set(dropped);
  const messages = call.messages.filter((_, index) => !gone.has(index));
  const after = fixed + sum(sizes.filter((_, index) => !gone.has(index)));
  record(context, 'context.truncated', { commandId: call.commandId, agent: call.agent.name, strategy: 'truncate', countedBy: counter.label, maxInputTokens: limit, tokensBefore: before, tokensAfter: after, messagesBefore: call.messages.length, messagesAfter: messages.length, dropped });
  return { ...call, messages };
}

/**
 * The droppable units of a call's messages, oldest first, and the tokens of what is kept whatever
 * happens: the turn's task (the first message after the conversation's earlier turns, `task`), the
 * latest user message and the newest exchange after it.
 *
 * Earlier turns open at their user message (a request keeps opening with one); between the task
 * and the latest user message, and after it, a unit opens at an assistant message and holds what
 * answers it (a debate round's reply and the others' answers; a tool call's results).
 */
function unitsOf(messages: readonly Message[], sizes: readonly number[], task: number): { units: Unit[]; protectedTokens: number } {
  let latestUser = -1;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    if (messages[index]?.role === 'user') {
      latestUser = index;
      break;
    }
  }
  const pinned = messages[task]?.role === 'user' && task < latestUser ? task : -1;
  const units: Unit[] = [];
  let protectedTokens = 0;
  let opensAt: 'user' | 'assistant' = 'user';
  let regionStart = 0;
  for (let index = 0; index < messages.length; index += 1) {
    if (index === pinned || index === latestUser) {
      protectedTokens += sizes[index] ?? 0;
      opensAt = 'assistant';
      regionStart = index + 1;
      continue;
    }
    if (index === regionStart || messages[index]?.role === opensAt) {
      units.push({ start: index, end: index + 1, tokens: sizes[index] ?? 0 });
    } else {
      const unit = units[units.length - 1] as Unit;
      unit.end = index + 1;
      unit.tokens += sizes[index] ?? 0;
    }
  }
  // The newest exchange after the latest user message stays (the latest tool results are what the model answers).
  const last = units[units.length - 1];
  if (last !== undefined && last.start > latestUser) protectedTokens += (units.pop() as Unit).tokens;
  return { units, protectedTokens };
}

/** Drops units oldest first until the request is at most `target` tokens (or nothing is left to drop). */
function planDrops(units: readonly Unit[], before: number, target: number): number[] {
  const dropped: number[] = [];
  let size = before;
  for (const unit of units) {
    if (size <= target) break;
    for (let index = unit.start; index < unit.end; index += 1) dropped.push(index);
    size -= unit.tokens;
  }
  return dropped;
}

interface SummaryPlan {
  settings: AgentContextSettings;
  counter: TokenCounter;
  fixed: number;
  before: number;
  /** Indices of the messages the summary replaces, ascending. */
  dropped: number[];
  allowance: number;
}

async function summarize(context: DispatcherContext, call: ModelCall, signal: AbortSignal, dispatch: ModelCallDispatch, planned: SummaryPlan): Promise<ModelCall> {
  const { settings, counter, fixed, before, dropped, allowance } = planned;
  const limit = settings.max_input_tokens;
  // A tool loop's previous round, summarized over a prefix of what goes now: build on its summary.
  const previous = previousSummary(context, call, dropped);
  const covered = new Set(previous?.dropped);
  const fresh = dropped.filter((index) => !covered.has(index));
  // The summary call is held to the same window: its system prompt and the transcript it reads.
  const room = limit - fixedTokens(counter, summarySystemPrompt, undefined) - messageTokens(counter, { role: 'user', content: '' });
  const transcript = fitTranscript(counter, fresh.map((index) => render(call.messages[index] as Message)), previous?.text, room);
  const summaryId = summaryCommandId(call.commandId);
  const summaryAgent: ModelAgent = { name: call.agent.name, model: settings.model ?? call.agent.model, system: summarySystemPrompt, max_tokens: allowance };
  if (call.agent.cache !== undefined) summaryAgent.cache = call.agent.cache;
  const reply = await dispatch(
    context,
    {
      commandId: summaryId,
      agent: summaryAgent,
      messages: [{ role: 'user', content: transcript }],
      step: { ...call.step, phase: 'context-summary' },
      seed: deriveSeed(call.seed, summaryId),
    },
    signal,
  );
  const budget = limit - fixed - sum(keptSizes(counter, call.messages, dropped)) - headingTokens(counter);
  const summary = clip(counter, reply.text.trim(), budget);
  const messages = withSummary(call.messages, dropped, summary);
  const after = fixed + sum(messages.map((message) => messageTokens(counter, message)));
  record(context, 'context.summarized', {
    commandId: call.commandId,
    agent: call.agent.name,
    strategy: 'summarize',
    countedBy: counter.label,
    maxInputTokens: limit,
    tokensBefore: before,
    tokensAfter: after,
    messagesBefore: call.messages.length,
    messagesAfter: messages.length,
    dropped,
    summaryCommandId: summaryId,
  });
  return { ...call, messages };
}

function keptSizes(counter: TokenCounter, messages: readonly Message[], dropped: readonly number[]): number[] {
  const gone = new Set(dropped);
  const sizes: number[] = [];
  for (const [index, message] of messages.entries()) if (!gone.has(index)) sizes.push(messageTokens(counter, message));
  return sizes;
}

/**
 * The summary of the same chain's previous call (`…/generate:N-1` of a tool loop), when it covered
 * messages that go now too: its dropped indices and its text, both from the journal.
 */
function previousSummary(context: DispatcherContext, call: ModelCall, dropped: readonly number[]): { dropped: number[]; text: string } | undefined {
  const match = /\/generate:(\d+)$/.exec(call.commandId);
  if (match === null || match[1] === '0') return undefined;
  const previousId = `${call.commandId.slice(0, match.index)}/generate:${Number(match[1]) - 1}`;
  const fitted = context.journal.contextFitted.get(previousId);
  if (fitted?.summaryCommandId === undefined || fitted.dropped.length === 0) return undefined;
  const now = new Set(dropped);
  if (!fitted.dropped.every((index) => now.has(index))) return undefined;
  const done = context.journal.completed.get(fitted.summaryCommandId);
  const text = (done?.output as { text?: string } | undefined)?.text;
  return text === undefined ? undefined : { dropped: fitted.dropped, text };
}

/** A message as a line of the transcript a summary is written from. */
function render(message: Message): string {
  switch (message.role) {
    case 'user':
      return `User: ${message.content}`;
    case 'assistant': {
      const calls = (message.toolCalls ?? []).map((call) => `[called ${call.toolName} ${JSON.stringify(call.input ?? {})}]`);
      return `Assistant: ${[message.content, ...calls].filter((part) => part !== '').join('\n')}`;
    }
    case 'tool':
      return `Tool ${message.toolName}${message.isError === true ? ' (error)' : ''}: ${message.content}`;
  }
}

/**
 * The summary request's text within `budget` tokens: the earlier summary (if any) and the newest
 * transcript lines that fit; a single line too long for it keeps its end.
 */
function fitTranscript(counter: TokenCounter, lines: readonly string[], earlier: string | undefined, budget: number): string {
  const opening = earlier === undefined ? 'Summarize this conversation:' : `Earlier summary:\n${earlier}\n\nWhat came after it — write one summary of both:`;
  let room = budget - counter.count(opening) - 4;
  const kept: string[] = [];
  for (let index = lines.length - 1; index >= 0 && room > 0; index -= 1) {
    const line = lines[index] as string;
    const tokens = counter.count(line) + 1;
    if (tokens <= room) {
      kept.unshift(line);
      room -= tokens;
    } else {
      if (kept.length === 0) kept.unshift(tail(counter, line, room));
      break;
    }
  }
  return `${opening}\n\n${kept.join('\n\n')}`;
}

/** The end of a text that fits in `tokens` (by halving what is cut; deterministic). */
function tail(counter: TokenCounter, text: string, tokens: number): string {
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (counter.count(text.slice(middle)) <= tokens) high = middle;
    else low = middle + 1;
  }
  return `…${text.slice(low)}`;
}

/** The start of a text that fits in `tokens`. */
function clip(counter: TokenCounter, text: string, tokens: number): string {
  if (counter.count(text) <= tokens) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (counter.count(text.slice(0, middle)) + 1 <= tokens) low = middle;
    else high = middle - 1;
  }
  return `${text.slice(0, low)}…`;
}

function headingTokens(counter: TokenCounter): number {
  return counter.count(`${summaryHeading}\n\n\n---\n\n`) + 2;
}

/**
 * The kept messages with the summary in the first user message kept: after its text when messages
 * after it went (a debate's earlier rounds after its task, a tool loop's earlier rounds), before it
 * when only earlier turns went.
 */
function withSummary(messages: readonly Message[], dropped: readonly number[], summary: string): Message[] {
  const gone = new Set(dropped);
  const note = `${summaryHeading}\n${summary}`;
  const first = messages.findIndex((message, index) => message.role === 'user' && !gone.has(index));
  // No user message kept (a topology that sends only assistant turns): the summary opens the request.
  if (first < 0) return [{ role: 'user', content: note }, ...messages.filter((_, index) => !gone.has(index))];
  const after = dropped.some((index) => index > first);
  const kept: Message[] = [];
  for (const [index, message] of messages.entries()) {
    if (gone.has(index)) continue;
    if (index === first) kept.push({ role: 'user', content: after ? `${message.content}\n\n---\n${note}` : `${note}\n\n---\n${message.content}` });
    else kept.push(message);
  }
  return kept;
}

/**
 * Index of the turn's task in a call's messages: earlier turns (two messages each, see
 * `conversation.ts`) come first. Turn 1's ids have no `turn:` prefix.
 */
function turnTaskIndex(journal: Journal, commandId: string): number {
  const match = /^turn:(\d+)\//.exec(commandId);
  return historyLength(journal, match === null ? 1 : Number(match[1]));
}

/** Journals how a call was fitted, once per command (a resumed run that fits it again writes nothing). */
function record(context: DispatcherContext, type: 'context.truncated' | 'context.summarized', data: ContextFittedData): void {
  if (context.journal.contextFitted.has(data.commandId)) return;
  context.journal.contextFitted.set(data.commandId, data);
  // Commits with the call's `command.started`, which the dispatcher awaits before calling anyone.
  context.writer.enqueue([{ type, data }]).stored.catch(() => undefined);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
