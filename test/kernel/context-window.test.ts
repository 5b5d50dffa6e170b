// Context management, through the kernel: an agent's `context: { max_input_tokens, strategy }`
// keeps every request it sends under the limit. `truncate` drops the oldest turns and tool rounds
// (never the system prompt or the task; a tool call and its result go together); `summarize`
// replaces them by a summary written by a model call journaled as its own command, so a killed
// and resumed session answers it from the log and never pays twice. Each fitting is journaled
// (`context.truncated` / `context.summarized`) with how tokens were counted.
import { describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition, type SessionTools } from '../../src/kernel/index.js';
import { summaryCommandId, summaryHeading, summarySystemPrompt } from '../../src/kernel/context-window.js';
import { estimateLabel, fixedTokens, messageTokens, openAiEncoding, tokenCounterFor, type TokenCounter } from '../../src/kernel/token-count.js';
import type { ContextFittedData, GenerateRequest, Message, ModelAgent, SessionEvent, ToolCall } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import { parseTopologyDocument } from '../../src/config/parse-topology-document.js';
import type { ConclaveError } from '../../src/protocol/index.js';
import { createConfigTestRegistry } from '../config/config-test-registry.js';
import { createScriptedProvider, type ScriptedCall, type ScriptedReply } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';

const limit = 300;
/** A tool result of about 100 tokens (by the estimate): each tool round is about 120. */
const bigOutput = Array.from({ length: 100 }, (_, index) => `word${index % 10 === 0 ? '' : 's'}`).join(' ');

function tools(): SessionTools & { executed: number } {
  const fake = {
    executed: 0,
    definitionsFor: async (names: readonly string[] | undefined) => (names ?? []).map((name) => ({ name, inputSchema: { type: 'object' } })),
    async execute() {
      fake.executed += 1;
      return { output: bigOutput, isError: false };
    },
  };
  return fake;
}

function coder(strategy: 'truncate' | 'summarize', extra: Partial<ModelAgent> = {}): SessionDefinition {
  return {
    topology: 'pipeline',
    agents: [{ name: 'coder', model: 'script/model', tools: ['bash'], max_tool_rounds: 8, context: { max_input_tokens: limit, strategy }, ...extra }],
    task: 'Make the tests pass.',
  };
}

const isSummaryCall = (call: ScriptedCall): boolean => call.request.system === summarySystemPrompt;

/** Four rounds of tool calls, then an answer; summary calls answer `SUMMARY-<n>`. */
function scripted(hangOnCall?: { index: number; times: number }) {
  let work = 0;
  let summaries = 0;
  const hangs = { left: hangOnCall?.times ?? 0 };
  const provider = createScriptedProvider((call): ScriptedReply => {
    if (isSummaryCall(call)) {
      summaries += 1;
      return `SUMMARY-${summaries}`;
    }
    work += 1;
    if (hangOnCall !== undefined && work === hangOnCall.index && hangs.left > 0) {
      hangs.left -= 1;
      work -= 1;
      return { hang: true };
    }
    const toolCall: ToolCall = { toolCallId: `c${work}`, toolName: 'bash', input: { command: `step ${work}` } };
    return work <= 4 ? { toolCalls: [toolCall] } : 'All green.';
  });
  return provider;
}

const workCalls = (calls: readonly ScriptedCall[]): ScriptedCall[] => calls.filter((call) => !isSummaryCall(call));

function fitted(events: readonly SessionEvent[], type: string): ContextFittedData[] {
  return events.filter((event) => event.type === type).map((event) => event.data as ContextFittedData);
}

/** The size of a request as the context window counts it. */
function requestTokens(counter: TokenCounter, request: GenerateRequest): number {
  return fixedTokens(counter, request.system, request.tools) + request.messages.reduce((total, message) => total + messageTokens(counter, message), 0);
}

/** Every tool result follows the assistant message that called it, with nothing between. */
function expectPairsKept(messages: readonly Message[]): void {
  for (const [index, message] of messages.entries()) {
    if (message.role !== 'tool') continue;
    let back = index - 1;
    while (messages[back]?.role === 'tool') back -= 1;
    const caller = messages[back];
    expect(caller?.role).toBe('assistant');
    expect(caller?.role === 'assistant' ? caller.toolCalls?.map((call) => call.toolCallId) : []).toContain(message.toolCallId);
  }
}

const base = 'pipeline/pass:1/stage:0';

describe('context window: truncate', () => {
  it('drops the oldest tool rounds, keeps the task and each call with its result, and journals what went', async () => {
    const provider = scripted();
    const store = createMemoryStore();
    const fake = tools();
    const result = await new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => fake }).run(coder('truncate'));
    expect(result.answer).toBe('All green.');
    expect(fake.executed).toBe(4);
    const counter = await tokenCounterFor('script/model');
    for (const call of provider.calls) {
      expect(requestTokens(counter, call.request)).toBeLessThanOrEqual(limit);
      expect(call.request.messages[0]).toEqual({ role: 'user', content: 'Make the tests pass.' });
      expectPairsKept(call.request.messages);
    }
    // The newest round is always there: round 4 answers after step 4's result.
    const last = provider.calls[4]?.request.messages ?? [];
    expect(last[last.length - 1]).toMatchObject({ role: 'tool', toolCallId: 'c4' });

    const events = await store.read(result.sessionId);
    const truncated = fitted(events, 'context.truncated');
    expect(truncated.map((data) => data.commandId)).toEqual([`${base}/generate:3`, `${base}/generate:4`]);
    expect(truncated[0]).toMatchObject({ agent: 'coder', strategy: 'truncate', countedBy: estimateLabel, maxInputTokens: limit, messagesBefore: 7, dropped: [1, 2], messagesAfter: 5 });
    expect(truncated[1]).toMatchObject({ messagesBefore: 9, dropped: [1, 2, 3, 4], messagesAfter: 5 });
    for (const data of truncated) {
      expect(data.tokensBefore).toBeGreaterThan(limit);
      expect(data.tokensAfter).toBeLessThanOrEqual(limit);
    }
    // What was sent is what the journal says was sent.
    const started = events.find((event) => event.type === 'command.started' && event.data['commandId'] === `${base}/generate:3`);
    expect((started?.data['input'] as { messages: Message[] }).messages).toEqual(provider.calls[3]?.request.messages);
  });

  it('drops whole earlier turns of a conversation, so the request still opens with a user message', async () => {
    const provider = createScriptedProvider((call) => `${bigOutput} (${call.lastUserMessage})`);
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const definition: SessionDefinition = { topology: 'pipeline', agents: [{ name: 'chat', model: 'script/model', context: { max_input_tokens: limit } }] };
    const sessionId = await kernel.createSession(definition, { awaitInput: true });
    for (const text of ['first question', 'second question', 'third question', 'fourth question']) {
      await kernel.send(sessionId, { text });
      await kernel.runSession(sessionId);
    }
    const last = provider.calls[3]?.request.messages ?? [];
    expect(last[0]?.role).toBe('user');
    expect(last[last.length - 1]).toEqual({ role: 'user', content: 'fourth question' });
    expect(last.length).toBeLessThan(7);
    const truncated = fitted(await store.read(sessionId), 'context.truncated');
    expect(truncated.length).toBeGreaterThan(0);
    // Turns go whole: a user message and its answer, never one without the other.
    for (const data of truncated) expect(data.dropped.length % 2).toBe(0);
  });

  it("keeps a debate's task and drops its oldest rounds, each reply with the answers that followed it", async () => {
    const provider = createScriptedProvider(() => `${bigOutput}\nFinal answer: maybe`);
    const store = createMemoryStore();
    const definition: SessionDefinition = {
      topology: 'debate',
      task: 'Is it worth it?',
      agents: [
        { name: 'a', model: 'script/model', context: { max_input_tokens: 600 } },
        { name: 'b', model: 'script/model' },
      ],
      options: { rounds: 4, min_rounds: 4 },
    };
    const result = await new Kernel({ store, registry: testRegistry(provider.module) }).run(definition);
    expect(result.error).toBeUndefined();
    const truncated = fitted(await store.read(result.sessionId), 'context.truncated');
    expect(truncated.map((data) => data.commandId)).toEqual(['debate/round:4/agent:0/generate:0']);
    // Messages: task, then (own reply, others' answers) per round; the task (0) stays, rounds go whole.
    expect(truncated[0]?.dropped).toEqual([1, 2]);
    for (const data of truncated) expect(data.tokensAfter).toBeLessThanOrEqual(600);
    const sent = provider.calls.filter((call) => call.request.messages[0]?.content.startsWith('Is it worth it?') && call.request.messages.length > 1);
    const last = sent[sent.length - 1]?.request.messages ?? [];
    expect(last[0]?.content).toMatch(/^Is it worth it\?/);
    expect(last[last.length - 1]?.content).toMatch(/^Round 4\./);
  });

  it('fails with context_overflow naming the agent, the limit and the size when the minimum does not fit', async () => {
    const provider = scripted();
    const definition: SessionDefinition = { topology: 'pipeline', agents: [{ name: 'verbose', model: 'script/model', system: bigOutput.repeat(4), context: { max_input_tokens: 200 } }], task: 'Hi.' };
    const result = await new Kernel({ store: createMemoryStore(), registry: testRegistry(provider.module) }).run(definition);
    expect(result.error?.code).toBe('context_overflow');
    expect(result.error?.message).toMatch(/agent "verbose".*max_input_tokens 200/);
    expect(result.error?.message).toMatch(/alone are \d{3}/);
    expect(provider.calls).toHaveLength(0);
  });

  it('leaves a request that fits alone: no event, the same messages', async () => {
    const provider = scripted();
    const store = createMemoryStore();
    const definition = coder('truncate');
    (definition.agents[0] as ModelAgent).context = { max_input_tokens: 100_000 };
    const result = await new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => tools() }).run(definition);
    expect(result.answer).toBe('All green.');
    expect((await store.read(result.sessionId)).some((event) => event.type.startsWith('context.'))).toBe(false);
    expect(provider.calls[4]?.request.messages).toHaveLength(9);
  });
});

describe('context window: summarize', () => {
  it('replaces the dropped prefix by a summary written by a journaled command, building on the previous round', async () => {
    const provider = scripted();
    const store = createMemoryStore();
    const result = await new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => tools() }).run(coder('summarize'));
    expect(result.answer).toBe('All green.');

    const summaryCalls = provider.calls.filter(isSummaryCall);
    expect(summaryCalls.length).toBeGreaterThanOrEqual(2);
    // The first summary reads the dropped tool rounds; a later one builds on it.
    expect(summaryCalls[0]?.request.messages[0]?.content).toMatch(/^Summarize this conversation:\n\n[\s\S]*Assistant: \[called bash \{"command":"step 2"\}\]\n\nTool bash: word words/);
    expect(summaryCalls[1]?.request.messages[0]?.content).toMatch(/^Earlier summary:\nSUMMARY-1\n/);

    const events = await store.read(result.sessionId);
    const summarized = fitted(events, 'context.summarized');
    expect(summarized.length).toBe(summaryCalls.length);
    const [first] = summarized;
    expect(first?.summaryCommandId).toBe(summaryCommandId(first?.commandId ?? ''));
    // The summary is a command of its own, journaled and priced with the agent.
    const completedIds = events.filter((event) => event.type === 'command.completed').map((event) => event.data['commandId']);
    expect(completedIds).toContain(`${first?.commandId}/context-summary:0`);

    // What the provider received: the summary's text in place of the rounds it replaces.
    const index = workCalls(provider.calls).findIndex((call) => call.request.messages.some((message) => message.content.includes('SUMMARY-1')));
    const request = workCalls(provider.calls)[index]?.request;
    expect(request?.messages[0]?.content).toBe(`Make the tests pass.\n\n---\n${summaryHeading}\nSUMMARY-1`);
    expectPairsKept(request?.messages ?? []);
    const counter = await tokenCounterFor('script/model');
    for (const call of provider.calls) expect(requestTokens(counter, call.request)).toBeLessThanOrEqual(limit);

    // Summaries count in the session's totals and under their agent.
    expect(result.byAgent[Object.keys(result.byAgent).find((key) => key.endsWith('coder')) ?? '']?.calls).toBe(provider.calls.length);
    expect(result.commands.completed).toBe(provider.calls.length + 4);
  });

  it('a killed and resumed session answers the summary from the log and sends the same request', async () => {
    // The call after the first summary hangs once: the session is killed there and resumed.
    const provider = scripted({ index: 4, times: 1 });
    const store = createMemoryStore();
    const fake = tools();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => fake });
    const sessionId = await kernel.createSession(coder('summarize'));
    const controller = new AbortController();
    const running = kernel.runSession(sessionId, { signal: controller.signal });
    while (!provider.calls.some((call) => !isSummaryCall(call) && call.request.messages.some((message) => message.content.includes('SUMMARY-1')))) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort();
    expect((await running).stopReason).toBe('interrupted');
    const hung = provider.calls[provider.calls.length - 1] as ScriptedCall;
    const before = provider.calls.length;

    const resumed = await new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => fake }).runSession(sessionId);
    expect(resumed.answer).toBe('All green.');
    const again = provider.calls.slice(before);
    // The hung call is sent again, exactly as before; its summary is not asked for again.
    expect(again[0]?.request.messages).toEqual(hung.request.messages);
    expect(again.filter(isSummaryCall).every((call) => !call.request.messages[0]?.content.startsWith('Summarize this conversation:'))).toBe(true);

    const events = await store.read(sessionId);
    const summaryId = `${base}/generate:3/context-summary:0`;
    expect(events.filter((event) => event.type === 'command.started' && event.data['commandId'] === summaryId)).toHaveLength(1);
    expect(fitted(events, 'context.summarized').filter((data) => data.commandId === `${base}/generate:3`)).toHaveLength(1);
    expect(provider.calls.filter((call) => call.request.messages[0]?.content.startsWith('Summarize this conversation:'))).toHaveLength(1);
  });

  it('uses context.model for summaries when it is set', async () => {
    const provider = scripted();
    const store = createMemoryStore();
    const definition = coder('summarize');
    (definition.agents[0] as ModelAgent).context = { max_input_tokens: limit, strategy: 'summarize', model: 'script/summarizer' };
    const result = await new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => tools() }).run(definition);
    expect(result.answer).toBe('All green.');
    const models = provider.calls.filter(isSummaryCall).map((call) => call.request.model);
    expect(models.length).toBeGreaterThan(0);
    expect(new Set(models)).toEqual(new Set(['summarizer']));
  });
});

describe('token counting', () => {
  it("counts OpenAI models with their tokenizer and labels every other provider's count an estimate", async () => {
    const gpt4o = await tokenCounterFor('openai/gpt-4o');
    expect(gpt4o.label).toBe('tiktoken:o200k_base');
    expect(gpt4o.count('hello world')).toBe(2);
    expect((await tokenCounterFor('openai/gpt-3.5-turbo')).label).toBe('tiktoken:cl100k_base');
    expect((await tokenCounterFor('openai/some-future-model')).label).toBe('tiktoken:o200k_base');
    expect(openAiEncoding('o3-mini')).toBe('o200k_base');
    for (const model of ['anthropic/claude-sonnet-4-5', 'google/gemini-2.5-flash', 'ollama/llama3.2', 'offline/echo']) {
      expect((await tokenCounterFor(model)).label).toBe(estimateLabel);
    }
    // Special-token text is counted as text, not refused.
    expect(gpt4o.count('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('journals countedBy: tiktoken for an OpenAI agent', async () => {
    const provider = createScriptedProvider(() => bigOutput, 'openai');
    const store = createMemoryStore();
    const definition: SessionDefinition = {
      topology: 'pipeline',
      agents: [{ name: 'gpt', model: 'openai/gpt-4o', context: { max_input_tokens: 150 } }],
    };
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const sessionId = await kernel.createSession(definition, { awaitInput: true });
    for (const text of [bigOutput, 'and then?']) {
      await kernel.send(sessionId, { text });
      await kernel.runSession(sessionId);
    }
    const [event] = fitted(await store.read(sessionId), 'context.truncated');
    expect(event).toMatchObject({ countedBy: 'tiktoken:o200k_base', dropped: [0, 1] });
    expect(provider.calls[1]?.request.messages).toEqual([{ role: 'user', content: 'and then?' }]);
  });
});

describe('context settings in a document', () => {
  const registry = createConfigTestRegistry();

  it('takes context from the agent or from defaults, and checks the summary model', () => {
    const document = parseTopologyDocument(
      ['topology: pipeline', 'defaults:', '  model: offline/echo', '  context: { max_input_tokens: 4000, strategy: summarize }', 'agents:', '  - name: a', '  - name: b', '    context: { max_input_tokens: 800 }'].join('\n'),
      { registry },
    );
    expect((document.agents[0] as ModelAgent).context).toEqual({ max_input_tokens: 4000, strategy: 'summarize' });
    expect((document.agents[1] as ModelAgent).context).toEqual({ max_input_tokens: 800 });
  });

  it('rejects an unknown strategy and an unknown summary provider', () => {
    const attempt = (context: string): ConclaveError => {
      try {
        parseTopologyDocument(['topology: pipeline', 'agents:', '  - name: a', '    model: offline/echo', `    context: ${context}`].join('\n'), { registry });
      } catch (error) {
        return error as ConclaveError;
      }
      throw new Error('parsed');
    };
    const strategy = attempt('{ max_input_tokens: 100, strategy: forget }');
    expect(JSON.stringify(strategy.toJSON())).toMatch(/agents\[0\]\.context\.strategy/);
    const model = attempt('{ max_input_tokens: 100, strategy: summarize, model: nowhere/model }');
    expect(JSON.stringify(model.toJSON())).toMatch(/agents\[0\]\.context\.model/);
  });
});
