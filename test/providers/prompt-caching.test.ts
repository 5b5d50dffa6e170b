// Prompt caching as it leaves conclave and as it comes back: Anthropic `cache_control` breakpoints
// on the stable prefix, OpenAI's `prompt_cache_key` per session and agent, `cache: false` per agent
// and per provider, and cache reads and writes in usage and cost — through the official SDKs
// against the local wire emulators.
import { afterEach, describe, expect, it } from 'vitest';
import { anthropicPrice, createAnthropicAdapter, maxAnthropicCacheBreakpoints, withCacheWritePrice } from '../../providers/anthropic/index.js';
import { openAIPrice } from '../../providers/openai/index.js';
import { googlePrice } from '../../providers/google/index.js';
import { modelCost } from '../../src/kernel/index.js';
import { Conclave, type TopologyDocument } from '../../src/index.js';
import type { GenerateRequest } from '../../src/protocol/index.js';
import { startAnthropicEmulator } from '../emulators/anthropic-emulator.js';
import type { WireEmulator } from '../emulators/emulator-script.js';
import { startGeminiEmulator } from '../emulators/gemini-emulator.js';
import { startOpenAIEmulator } from '../emulators/openai-emulator.js';

const env = { ANTHROPIC_API_KEY: 'test-key', OPENAI_API_KEY: 'test-key', GEMINI_API_KEY: 'test-key', GROQ_API_KEY: 'test-key' };
const ephemeral = { type: 'ephemeral' };

let emulator: WireEmulator | undefined;
let conclave: Conclave | undefined;
afterEach(async () => {
  await conclave?.close();
  await emulator?.close();
  conclave = undefined;
  emulator = undefined;
});

type Body = Record<string, unknown>;

/** Where a body's `cache_control` markers sit, sorted. */
function breakpointsOf(body: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${path}[${index}]`));
    else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'cache_control') found.push(path);
        else visit(inner, path === '' ? key : `${path}.${key}`);
      }
    }
  };
  visit(body, '');
  return found.sort();
}

function single(provider: string, model: string, baseUrl: string, extra: Partial<TopologyDocument> = {}, agent: Record<string, unknown> = {}): TopologyDocument {
  return {
    topology: 'pipeline',
    task: 'Summarise the incident report.',
    retry: { max_attempts: 1 },
    providers: { [provider]: { base_url: baseUrl } },
    agents: [{ name: 'writer', model: `${provider}/${model}`, system: 'You are a careful incident analyst. '.repeat(20), ...agent }],
    ...extra,
  };
}

describe('Anthropic cache_control breakpoints', () => {
  it('mark the tools, the system prompt and the last block of the earlier turns — at most four', async () => {
    const anthropic = await startAnthropicEmulator();
    emulator = anthropic;
    const adapter = createAnthropicAdapter({ baseUrl: anthropic.baseUrl, apiKey: 'test-key', env: {} });
    const request: GenerateRequest = {
      model: 'claude-haiku-4-5',
      system: 'You triage incidents.',
      cache: { enabled: true, key: 'conclave-abc' },
      tools: [
        { name: 'search_logs', inputSchema: { type: 'object' } },
        { name: 'page_oncall', inputSchema: { type: 'object' } },
      ],
      messages: [
        { role: 'user', content: 'The API is down.' },
        { role: 'assistant', content: 'Looking.', toolCalls: [{ toolCallId: 'toolu_1', toolName: 'search_logs', input: { q: '500' } }] },
        { role: 'tool', toolCallId: 'toolu_1', toolName: 'search_logs', content: '42 errors' },
        { role: 'assistant', content: 'Found 42 errors in the gateway.' },
        { role: 'user', content: 'Who should be paged?' },
      ],
    };
    for await (const part of adapter.generate(request, { signal: new AbortController().signal, attempt: 1 })) void part;
    const body = anthropic.requests[0]!.body as Body;
    expect(breakpointsOf(body)).toEqual(['messages[3].content[0]', 'system[0]', 'tools[1]']);
    expect(breakpointsOf(body).length).toBeLessThanOrEqual(maxAnthropicCacheBreakpoints);
    expect(body['system']).toEqual([{ type: 'text', text: 'You triage incidents.', cache_control: ephemeral }]);
    // The newest turn is not marked: it is what changes from call to call.
    expect((body['messages'] as Body[]).at(-1)).toEqual({ role: 'user', content: [{ type: 'text', text: 'Who should be paged?' }] });

    for await (const part of adapter.generate({ ...request, cache: { enabled: false } }, { signal: new AbortController().signal, attempt: 1 })) void part;
    const plain = anthropic.requests[1]!.body as Body;
    expect(breakpointsOf(plain)).toEqual([]);
    expect(plain['system']).toBe('You triage incidents.');
  });

  it('reach the emulator from a session: the system prompt on the first turn, the earlier turn on the next', async () => {
    const anthropic = await startAnthropicEmulator();
    emulator = anthropic;
    conclave = new Conclave({ env });
    const id = await conclave.createSession(single('anthropic', 'claude-haiku-4-5', anthropic.baseUrl));
    await conclave.resume(id);
    await conclave.send(id, 'Now list the follow-up actions.');
    expect(breakpointsOf(anthropic.requests[0]!.body)).toEqual(['system[0]']);
    const second = anthropic.requests[1]!.body as { messages: Array<{ role: string }> };
    expect(second.messages.length).toBeGreaterThanOrEqual(3);
    expect(breakpointsOf(second)).toEqual([`messages[${second.messages.length - 2}].content[0]`, 'system[0]']);
  });

  it.each([
    ['the provider', { cache: false }, {}],
    ['the agent', {}, { cache: false }],
  ])('are not sent when %s says cache: false', async (_, providerSettings, agent) => {
    const anthropic = await startAnthropicEmulator();
    emulator = anthropic;
    conclave = new Conclave({ env });
    const providers = { anthropic: { base_url: anthropic.baseUrl, ...providerSettings } };
    const result = await conclave.run(single('anthropic', 'claude-haiku-4-5', anthropic.baseUrl, { providers }, agent));
    expect(result.status).toBe('idle');
    expect(breakpointsOf(anthropic.requests[0]!.body)).toEqual([]);
  });
});

describe('OpenAI prompt_cache_key', () => {
  it('is stable for an agent across the turns of a session, differs between agents and sessions, and holds nothing secret', async () => {
    const openai = await startOpenAIEmulator();
    emulator = openai;
    conclave = new Conclave({ env });
    const document: TopologyDocument = {
      topology: 'parallel',
      task: 'Name a risk.',
      providers: { openai: { base_url: openai.baseUrl } },
      agents: [
        { name: 'alpha', model: 'openai/gpt-4.1-mini' },
        { name: 'beta', model: 'openai/gpt-4.1-mini' },
      ],
    };
    const id = await conclave.createSession(document);
    await conclave.resume(id);
    await conclave.send(id, 'And another?');
    await conclave.run(document);
    const keyOf = (index: number): string => String((openai.requests[index]!.body as Body)['prompt_cache_key']);
    expect(openai.requests).toHaveLength(6);
    for (let index = 0; index < 6; index += 1) expect(keyOf(index)).toMatch(/^conclave-[0-9a-f]{32}$/);
    expect(new Set([keyOf(0), keyOf(1)]).size).toBe(2);
    expect(new Set([keyOf(0), keyOf(1), keyOf(2), keyOf(3)]).size).toBe(2);
    expect(new Set([keyOf(0), keyOf(1), keyOf(4), keyOf(5)]).size).toBe(4);
    expect(JSON.stringify(openai.requests.map((request) => request.body))).not.toContain('test-key');
  });

  it('is not sent with cache: false, nor to an OpenAI-compatible server that has not opted in', async () => {
    const openai = await startOpenAIEmulator();
    emulator = openai;
    conclave = new Conclave({ env });
    await conclave.run(single('openai', 'gpt-4.1-mini', openai.baseUrl, {}, { cache: false }));
    await conclave.run(single('groq', 'llama-3.3-70b-versatile', openai.baseUrl));
    expect(openai.requests).toHaveLength(2);
    for (const request of openai.requests) expect(request.body).not.toHaveProperty('prompt_cache_key');
  });
});

describe('cache reads and writes in usage and cost', () => {
  it('Anthropic: reads and writes are mapped and priced (reads at the cached price, writes at 1.25× input)', async () => {
    const anthropic = await startAnthropicEmulator();
    emulator = anthropic;
    anthropic.enqueue({ text: 'Summary.', usage: { inputTokens: 3000, outputTokens: 100, cacheReadTokens: 2000, cacheWriteTokens: 800 } });
    conclave = new Conclave({ env });
    const result = await conclave.run(single('anthropic', 'claude-haiku-4-5', anthropic.baseUrl));
    const usage = { inputTokens: 3000, outputTokens: 100, cachedInputTokens: 2000, cacheWriteInputTokens: 800 };
    expect(result.usage).toEqual(usage);
    expect(result.byAgent['writer']?.usage).toEqual(usage);
    const price = withCacheWritePrice(anthropicPrice('claude-haiku-4-5'))!;
    expect(price.cacheWriteInputPerMillion).toBeCloseTo(price.inputPerMillion * 1.25, 12);
    const expected = (200 * price.inputPerMillion + 2000 * price.cachedInputPerMillion! + 800 * price.cacheWriteInputPerMillion! + 100 * price.outputPerMillion) / 1_000_000;
    expect(result.cost.usd).toBeCloseTo(expected, 12);
    expect(modelCost(price, false, usage).usd).toBeCloseTo(expected, 12);
  });

  it('OpenAI: cached prompt tokens are mapped and priced at the cached price', async () => {
    const openai = await startOpenAIEmulator();
    emulator = openai;
    openai.enqueue({ text: 'Summary.', usage: { inputTokens: 3000, outputTokens: 100, cacheReadTokens: 2048 } });
    conclave = new Conclave({ env });
    const result = await conclave.run(single('openai', 'gpt-4.1-mini', openai.baseUrl));
    expect(result.usage).toEqual({ inputTokens: 3000, outputTokens: 100, cachedInputTokens: 2048 });
    const price = openAIPrice('gpt-4.1-mini')!;
    expect(result.cost.usd).toBeCloseTo((952 * price.inputPerMillion + 2048 * price.cachedInputPerMillion! + 100 * price.outputPerMillion) / 1_000_000, 12);
  });

  it('Gemini: implicit cache hits (cachedContentTokenCount) are reported and priced', async () => {
    const gemini = await startGeminiEmulator();
    emulator = gemini;
    gemini.enqueue({ text: 'Summary.', usage: { inputTokens: 3000, outputTokens: 100, cacheReadTokens: 2500 } });
    conclave = new Conclave({ env });
    const result = await conclave.run(single('google', 'gemini-2.5-flash', gemini.baseUrl));
    expect(result.usage).toEqual({ inputTokens: 3000, outputTokens: 100, cachedInputTokens: 2500 });
    const price = googlePrice('gemini-2.5-flash')!;
    expect(result.cost.usd).toBeCloseTo((500 * price.inputPerMillion + 2500 * price.cachedInputPerMillion! + 100 * price.outputPerMillion) / 1_000_000, 12);
  });
});
