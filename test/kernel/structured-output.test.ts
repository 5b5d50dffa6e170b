// Structured output for a user's own agents, as a user writes it: `output_schema` on an agent of a
// document. Each wire carries the schema in its provider's native form (through the official SDKs,
// against the local emulators); the answer is validated, asked for again once with the validation
// errors, and a second miss fails the agent naming the path. Offline models honour the schema.
import { afterEach, describe, expect, it } from 'vitest';
import { Conclave, type TopologyDocument } from '../../src/index.js';
import { checkStructuredAnswer, validateAgainstSchema } from '../../src/json-schema/output-schema-validator.js';
import { startAnthropicEmulator } from '../emulators/anthropic-emulator.js';
import type { WireEmulator } from '../emulators/emulator-script.js';
import { startGeminiEmulator } from '../emulators/gemini-emulator.js';
import { createOllamaEmulator } from '../emulators/ollama-emulator.js';
import { startOpenAIEmulator } from '../emulators/openai-emulator.js';

const verdictSchema = {
  type: 'object',
  properties: {
    verdict: { type: 'string', enum: ['yes', 'no'] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
  },
  required: ['verdict', 'confidence'],
  additionalProperties: false,
};
const goodAnswer = '{"verdict":"yes","confidence":0.9}';
const env = { ANTHROPIC_API_KEY: 'test-key', OPENAI_API_KEY: 'test-key', GEMINI_API_KEY: 'test-key' };

function judgeDocument(provider: string, model: string, baseUrl: string): TopologyDocument {
  return {
    topology: 'pipeline',
    task: 'Is the sky blue?',
    retry: { max_attempts: 1 },
    providers: { [provider]: { base_url: baseUrl } },
    agents: [{ name: 'judge', model: `${provider}/${model}`, output_schema: verdictSchema }],
  };
}

let emulator: WireEmulator | undefined;
let conclave: Conclave | undefined;
afterEach(async () => {
  await conclave?.close();
  await emulator?.close();
  conclave = undefined;
  emulator = undefined;
});

const wires: Array<{ name: string; provider: string; model: string; start: () => Promise<WireEmulator>; inspect: (body: Record<string, unknown>) => void }> = [
  {
    name: 'OpenAI: response_format json_schema, strict for a closed schema',
    provider: 'openai',
    model: 'gpt-4.1-mini',
    start: startOpenAIEmulator,
    inspect: (body) => expect(body['response_format']).toEqual({ type: 'json_schema', json_schema: { name: 'judge_output', schema: verdictSchema, strict: true } }),
  },
  {
    name: 'Anthropic: output_config json_schema',
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    start: startAnthropicEmulator,
    inspect: (body) => expect(body['output_config']).toMatchObject({ format: { type: 'json_schema', schema: { type: 'object', required: ['verdict', 'confidence'] } } }),
  },
  {
    name: 'Gemini: responseMimeType application/json with responseJsonSchema',
    provider: 'google',
    model: 'gemini-2.5-flash',
    start: startGeminiEmulator,
    inspect: (body) => expect(body['generationConfig']).toMatchObject({ responseMimeType: 'application/json', responseJsonSchema: verdictSchema }),
  },
  {
    name: 'Ollama: format is the schema',
    provider: 'ollama',
    model: 'llama3.2',
    start: createOllamaEmulator,
    inspect: (body) => expect(body['format']).toEqual(verdictSchema),
  },
];

describe('output_schema on each wire', () => {
  it.each(wires)('$name', async ({ provider, model, start, inspect }) => {
    emulator = await start();
    emulator.enqueue({ text: goodAnswer });
    conclave = new Conclave({ env });
    const result = await conclave.run(judgeDocument(provider, model, emulator.baseUrl));
    expect(result.status).toBe('idle');
    expect(JSON.parse(result.answer ?? '')).toEqual({ verdict: 'yes', confidence: 0.9 });
    expect(emulator.requests).toHaveLength(1);
    inspect(emulator.requests[0]!.body as Record<string, unknown>);
  });
});

describe('validating the answer', () => {
  it('asks once more with the validation errors, as a journaled command of its own, and takes the corrected answer', async () => {
    const openai = await startOpenAIEmulator();
    emulator = openai;
    openai.enqueue({ text: '{"verdict":"maybe","confidence":2}', usage: { inputTokens: 40, outputTokens: 10 } }, { text: goodAnswer, usage: { inputTokens: 60, outputTokens: 10 } });
    conclave = new Conclave({ env });
    const result = await conclave.run(judgeDocument('openai', 'gpt-4.1-mini', openai.baseUrl));
    expect(result.status).toBe('idle');
    expect(JSON.parse(result.answer ?? '')).toEqual({ verdict: 'yes', confidence: 0.9 });
    expect(result.usage).toMatchObject({ inputTokens: 100, outputTokens: 20 });

    const retry = openai.requests[1]!.body as { messages: Array<{ role: string; content: string }>; response_format: unknown };
    expect(retry.response_format).toMatchObject({ type: 'json_schema' });
    expect(retry.messages.at(-2)).toEqual({ role: 'assistant', content: '{"verdict":"maybe","confidence":2}' });
    expect(retry.messages.at(-1)?.role).toBe('user');
    expect(retry.messages.at(-1)?.content).toContain('verdict: must be equal to one of the allowed values');
    expect(retry.messages.at(-1)?.content).toContain('confidence: must be <= 1');

    const started: string[] = [];
    for await (const event of conclave.events(result.sessionId)) {
      if (event.type === 'command.started') started.push(String(event.data['commandId']));
    }
    expect(started).toHaveLength(2);
    expect(started[0]).toMatch(/\/generate:0$/);
    expect(started[1]).toBe(started[0]!.replace(/\/generate:0$/, '/output-retry:1/generate:0'));
  });

  it('fails the agent after a second miss, naming the path, and answers from the journal the same way on resume', async () => {
    const openai = await startOpenAIEmulator();
    emulator = openai;
    openai.enqueue({ text: 'Yes, it is blue.' }, { text: '{"verdict":"yes"}' });
    conclave = new Conclave({ env });
    const result = await conclave.run(judgeDocument('openai', 'gpt-4.1-mini', openai.baseUrl));
    // A failed agent idles the session (stopReason retries_exhausted) with the error.
    expect(result.answer ?? null).toBeNull();
    expect(result.error?.code).toBe('agent_failed');
    expect(result.error?.message).toContain('agent "judge"');
    expect(result.error?.message).toContain('output_schema');
    expect(result.error?.message).toContain('confidence: is required');
    expect(openai.requests).toHaveLength(2);
    // The first reply was prose: the model was told so.
    const retry = openai.requests[1]!.body as { messages: Array<{ content: string }> };
    expect(retry.messages.at(-1)?.content).toContain('(root): the answer is not JSON');

    // Validation is a function of the journaled answers: a resume takes the same branch, calling nobody.
    const resumed = await conclave.resume(result.sessionId);
    expect(resumed.error?.message).toBe(result.error?.message);
    expect(openai.requests).toHaveLength(2);
  });

  it('leaves a call alone when the topology asks for its own format (a router\'s classifier), and applies to the others', async () => {
    conclave = new Conclave();
    const answerSchema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    const result = await conclave.run({
      topology: 'router',
      task: 'Write a haiku about the sea.',
      seed: 4,
      agents: [
        { name: 'classifier', model: 'offline/persona', output_schema: verdictSchema },
        { name: 'poet', model: 'offline/persona', output_schema: answerSchema },
      ],
    });
    expect(result.status).toBe('idle');
    const formats: Record<string, unknown> = {};
    for await (const event of conclave.events(result.sessionId)) {
      if (event.type !== 'command.started') continue;
      const input = event.data['input'] as { agent: string; responseFormat?: { name?: string } };
      formats[input.agent] = input.responseFormat?.name;
    }
    expect(formats).toEqual({ classifier: 'route', poet: 'poet_output' });
    expect(validateAgainstSchema(answerSchema, JSON.parse(result.answer ?? ''))).toEqual([]);
  });

  it('refuses a document whose output_schema does not compile, naming its path', async () => {
    conclave = new Conclave();
    const document: TopologyDocument = { topology: 'pipeline', agents: [{ name: 'judge', model: 'offline/echo', output_schema: { type: 'objekt' } }] };
    await expect(conclave.validate(document)).rejects.toMatchObject({ code: 'invalid_document', message: expect.stringContaining('agents[0].output_schema') });
  });
});

describe('offline models', () => {
  it('answer a document with output_schema with JSON that matches it, the same for the same seed', async () => {
    conclave = new Conclave();
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string', minLength: 3 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
        priority: { type: 'integer', minimum: 1, maximum: 5 },
        status: { enum: ['open', 'closed'] },
      },
      required: ['title', 'tags', 'priority', 'status'],
      additionalProperties: false,
    };
    const yaml = [
      'topology: pipeline',
      'task: File a ticket for the broken login page.',
      'agents:',
      '  - name: triage',
      '    model: offline/persona',
      `    output_schema: ${JSON.stringify(schema)}`,
    ].join('\n');
    const first = await conclave.run(yaml, { seed: 11 });
    const second = await conclave.run(yaml, { seed: 11 });
    expect(first.status).toBe('idle');
    expect(validateAgainstSchema(schema, JSON.parse(first.answer ?? ''))).toEqual([]);
    expect(second.answer).toBe(first.answer);
  });
});

describe('checkStructuredAnswer', () => {
  it('unwraps one code fence, and names nested paths and missing properties', () => {
    const schema = { type: 'object', properties: { items: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } } } };
    expect(checkStructuredAnswer('```json\n{"items":[{"id":1}]}\n```', schema)).toEqual({ ok: true, value: { items: [{ id: 1 }] }, json: '{"items":[{"id":1}]}' });
    expect(checkStructuredAnswer('{"items":[{"id":"x"},{}]}', schema)).toEqual({
      ok: false,
      problems: [
        { path: 'items[0].id', message: 'must be integer' },
        { path: 'items[1].id', message: 'is required' },
      ],
    });
  });
});

describe('OpenAI strict mode', () => {
  it('is asked for only when the schema closes and requires every object property', async () => {
    const { isStrictJsonSchema } = await import('../../providers/openai/index.js');
    expect(isStrictJsonSchema(verdictSchema)).toBe(true);
    expect(isStrictJsonSchema({ ...verdictSchema, required: ['verdict'] })).toBe(false);
    expect(isStrictJsonSchema({ type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } } }, required: ['items'], additionalProperties: false })).toBe(false);
    expect(isStrictJsonSchema({ type: 'array', items: { type: 'string' } })).toBe(false);
  });
});
