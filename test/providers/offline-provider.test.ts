// The offline simulator: determinism, the three models, failure injection, pacing and abort.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GenerateRequest, Message, StreamPart } from '../../src/protocol/index.js';
import {
  countTokens,
  deriveStances,
  evaluateArithmetic,
  findArithmeticExpression,
  generateArithDataset,
  offlineProvider,
  parseArithAnswers,
  parseFinalAnswers,
  splitTokens,
} from '../../providers/offline/index.js';

const adapter = offlineProvider.create({});

interface Collected {
  parts: StreamPart[];
  text: string;
  error: Extract<StreamPart, { type: 'error' }>['error'] | undefined;
}

async function collect(
  request: Partial<GenerateRequest> & { model: string },
  options: { attempt?: number; signal?: AbortSignal } = {},
): Promise<Collected> {
  const parts: StreamPart[] = [];
  const stream = adapter.generate(
    { messages: [], ...request },
    { signal: options.signal ?? new AbortController().signal, attempt: options.attempt ?? 1 },
  );
  for await (const part of stream) parts.push(part);
  const text = parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('');
  const errorPart = parts.find((part) => part.type === 'error');
  return { parts, text, error: errorPart?.type === 'error' ? errorPart.error : undefined };
}

function user(content: string): Message {
  return { role: 'user', content };
}

const debateTask = 'Should a startup build its backend on PostgreSQL or MongoDB?';
const yesNoTask = 'Is remote work here to stay?';

function finalAnswer(text: string): string | undefined {
  return parseFinalAnswers(text).pop()?.stance;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('offline provider module', () => {
  it('is named offline, simulated, keyless, with the three default models', () => {
    expect(offlineProvider.specificationVersion).toBe('v1');
    expect(offlineProvider.name).toBe('offline');
    expect(offlineProvider.simulated).toBe(true);
    expect(offlineProvider.keyVariable).toBeUndefined();
    expect(offlineProvider.defaultModels).toEqual(['offline/echo', 'offline/persona', 'offline/arith']);
    expect(adapter).toMatchObject({ specificationVersion: 'v1', provider: 'offline', simulated: true });
  });

  it('prices models from price_in and price_out, 0 by default', () => {
    expect(adapter.price?.('echo?price_in=0.5&price_out=2')).toEqual({ inputPerMillion: 0.5, outputPerMillion: 2 });
    expect(adapter.price?.('persona')).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
    expect(adapter.price?.('nope')).toBeUndefined();
  });
});

describe('validateModel', () => {
  it('accepts every model with its own parameters, with or without the provider prefix', () => {
    for (const model of [
      'echo',
      'offline/echo?ttft_ms=0',
      'persona?persona=skeptic&seed=7&ttft_ms=300&tokens_per_s=40',
      'arith?accuracy=0.6&fail_rate=0.2&fail=429,cut&retry_after_ms=50&price_in=1&price_out=3',
    ]) {
      expect(offlineProvider.validateModel(model), model).toBeUndefined();
    }
  });

  it('names unknown models and lists the available ones', () => {
    expect(offlineProvider.validateModel('gpt-9')).toBe('unknown offline model "gpt-9"; the offline models are echo, persona, arith, scripted, designer, grader');
  });

  it.each([
    ['echo?temperature=1', 'unknown parameter "temperature"; offline/echo accepts ttft_ms'],
    ['echo?accuracy=0.5', 'unknown parameter "accuracy"'],
    ['arith?persona=optimist', 'unknown parameter "persona"'],
    ['echo?ttft_ms=-5', 'ttft_ms must be a number of milliseconds from 0 to 3600000, got "-5"'],
    ['echo?ttft_ms=soon', 'ttft_ms must be'],
    ['echo?tokens_per_s=0', 'tokens_per_s must be a number greater than 0'],
    ['echo?seed=1.5', 'seed must be an integer'],
    ['arith?accuracy=1.2', 'accuracy must be a number from 0 to 1, got "1.2"'],
    ['echo?fail_rate=2', 'fail_rate must be a number from 0 to 1'],
    ['echo?fail=404', 'fail must be a comma-separated list of 429, 500, cut, got "404"'],
    ['echo?retry_after_ms=-1', 'retry_after_ms must be'],
    ['echo?price_in=-1', 'price_in must be a number of US dollars per million tokens'],
    ['persona?persona=cynic', 'persona must be one of optimist, skeptic, pragmatist, contrarian, analyst, ethicist, got "cynic"'],
  ])('%s → a message naming the parameter and its range', (model, expected) => {
    expect(offlineProvider.validateModel(model)).toContain(expected);
  });

  it('reports every problem of a model at once', () => {
    const message = offlineProvider.validateModel('arith?accuracy=5&ttft_ms=x') ?? '';
    expect(message).toContain('accuracy');
    expect(message).toContain('ttft_ms');
  });

  it('makes generate yield an unknown_model error part', async () => {
    const result = await collect({ model: 'persona?accuracy=0.5', messages: [user('hi')] });
    expect(result.parts.map((part) => part.type)).toEqual(['stream-start', 'error']);
    expect(result.error).toMatchObject({ code: 'unknown_model', category: 'user', retryable: false });
    expect(result.error?.message).toContain('unknown parameter "accuracy"');
  });
});

describe('echo', () => {
  it('replies with the last user message unchanged, in four parts and without timers', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const content = '  Line one\nline two — ünïcode ✓  ';
    const result = await collect({
      model: 'echo',
      system: 'You repeat.',
      messages: [user('first'), { role: 'assistant', content: 'ignored' }, user(content)],
    });
    expect(result.text).toBe(content);
    expect(result.parts).toEqual([
      { type: 'stream-start', model: 'echo', simulated: true },
      { type: 'text-delta', delta: content },
      { type: 'usage', usage: { inputTokens: countTokens('You repeat.') + 1 + 1 + countTokens(content), outputTokens: countTokens(content) } },
      { type: 'finish', finishReason: 'stop' },
    ]);
    expect(setTimeoutSpy).not.toHaveBeenCalled();
  });

  it('applies stop sequences and maxTokens', async () => {
    const messages = [user('alpha beta gamma delta epsilon')];
    const stopped = await collect({ model: 'echo', messages, stop: [' gamma'] });
    expect(stopped.text).toBe('alpha beta');
    const limited = await collect({ model: 'echo', messages, maxTokens: 2 });
    expect(limited.text).toBe('alpha beta');
    expect(limited.parts.at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
  });
});

describe('determinism', () => {
  const messages = [user(debateTask)];

  it('gives the same text for the same input and a different text for another seed', async () => {
    const first = await collect({ model: 'persona?seed=7', system: 'You are an analyst.', messages });
    const again = await collect({ model: 'persona?seed=7', system: 'You are an analyst.', messages });
    const otherParameter = await collect({ model: 'persona?seed=8', system: 'You are an analyst.', messages });
    const otherRequestSeed = await collect({ model: 'persona?seed=7', system: 'You are an analyst.', messages, seed: 1 });
    expect(again.text).toBe(first.text);
    expect(otherParameter.text).not.toBe(first.text);
    expect(otherRequestSeed.text).not.toBe(first.text);
  });

  it('keeps the text when only timing, price or failure parameters change', async () => {
    const plain = await collect({ model: 'arith?seed=3', messages: [user('What is 4+5*6?')] });
    const tuned = await collect({ model: 'arith?seed=3&ttft_ms=1&price_in=2&fail_rate=0', messages: [user('What is 4+5*6?')] });
    expect(tuned.text).toBe(plain.text);
  });
});

describe('persona', () => {
  it('writes 2 to 5 sentences on topic, ending with a Final answer from the task stances', async () => {
    const stances = deriveStances(debateTask);
    expect(stances).toEqual(['PostgreSQL', 'MongoDB', 'it depends']);
    for (let seed = 0; seed < 20; seed += 1) {
      const { text } = await collect({ model: `persona?seed=${seed}`, system: 'You are a pragmatist.', messages: [user(debateTask)] });
      const [prose = '', last] = text.split('\n');
      expect(last).toMatch(/^Final answer: /);
      expect(stances).toContain(finalAnswer(text));
      const sentences = prose.split(/(?<=[.!?"])\s+(?=[A-Z])/);
      expect(sentences.length).toBeGreaterThanOrEqual(2);
      expect(sentences.length).toBeLessThanOrEqual(5);
      expect(prose).toMatch(/startup|backend|PostgreSQL|MongoDB/);
    }
  });

  it('derives yes/no and statement stances', () => {
    expect(deriveStances(yesNoTask)).toEqual(['yes', 'no', 'it depends']);
    expect(deriveStances('Which is best: Rust, Go or Java?')).toEqual(['Rust', 'Go', 'Java', 'it depends']);
    expect(deriveStances('Discuss nuclear power.')).toEqual(['in favour', 'against', 'mixed']);
  });

  it('varies by persona, chosen by parameter or by the system prompt', async () => {
    const messages = [user(yesNoTask)];
    const texts = new Set<string>();
    for (const persona of ['optimist', 'skeptic', 'pragmatist', 'contrarian', 'analyst', 'ethicist']) {
      texts.add((await collect({ model: `persona?persona=${persona}`, messages })).text);
    }
    expect(texts.size).toBe(6);
    let skepticalSystemSaysNo = 0;
    let optimisticSystemSaysNo = 0;
    for (let seed = 0; seed < 60; seed += 1) {
      const model = `persona?seed=${seed}`;
      if (finalAnswer((await collect({ model, system: 'You are a cautious skeptic.', messages })).text) === 'no') skepticalSystemSaysNo += 1;
      if (finalAnswer((await collect({ model, system: 'You are an upbeat optimist.', messages })).text) === 'no') optimisticSystemSaysNo += 1;
    }
    expect(skepticalSystemSaysNo).toBeGreaterThan(optimisticSystemSaysNo + 10);
  });

  it('leans by persona: optimists say yes more often than skeptics', async () => {
    let optimistYes = 0;
    let skepticYes = 0;
    for (let seed = 0; seed < 60; seed += 1) {
      if (finalAnswer((await collect({ model: `persona?persona=optimist&seed=${seed}`, messages: [user(yesNoTask)] })).text) === 'yes') optimistYes += 1;
      if (finalAnswer((await collect({ model: `persona?persona=skeptic&seed=${seed}`, messages: [user(yesNoTask)] })).text) === 'yes') skepticYes += 1;
    }
    expect(optimistYes).toBeGreaterThan(skepticYes);
  });

  it('engages with other agents by name and converges on an agreeing majority in some runs, not all', async () => {
    const othersAgree = [
      'Here is what the other agents answered.',
      'alice: Remote work is clearly working.',
      'Final answer: yes',
      '',
      'bob: I agree with alice.',
      'Final answer: Yes.',
      '',
      '### carol',
      'It is here for good.',
      'Final answer: **yes**',
    ].join('\n');
    let converged = 0;
    let named = 0;
    const runs = 100;
    for (let seed = 0; seed < runs; seed += 1) {
      const { text } = await collect({
        model: `persona?persona=skeptic&seed=${seed}`,
        messages: [user(yesNoTask), { role: 'assistant', content: 'I doubt it.\nFinal answer: no' }, user(othersAgree)],
      });
      if (finalAnswer(text) === 'yes') converged += 1;
      if (/alice|bob|carol/.test(text)) named += 1;
    }
    expect(converged / runs).toBeGreaterThan(0.2);
    expect(converged / runs).toBeLessThan(0.95);
    expect(named / runs).toBeGreaterThan(0.5);

    let keptWithoutOthers = 0;
    for (let seed = 0; seed < 30; seed += 1) {
      const { text } = await collect({
        model: `persona?persona=skeptic&seed=${seed}`,
        messages: [user(yesNoTask), { role: 'assistant', content: 'Final answer: no' }, user('Please continue.')],
      });
      if (finalAnswer(text) === 'no') keptWithoutOthers += 1;
    }
    expect(keptWithoutOthers).toBe(30);
  });

  it('ignores placeholder answers in instructions and reads names from answer lines', () => {
    expect(parseFinalAnswers('End with a line "Final answer: <stance>".\nbob: Final answer: No.')).toEqual([{ name: 'bob', stance: 'No.' }]);
  });
});

describe('arithmetic expressions', () => {
  it.each([
    ['12+17*3-5+9*2', 76],
    ['2*3+4', 10],
    ['2+3*4', 14],
    ['(2+3)*4', 20],
    ['2*(3+4)*5', 70],
    ['10-4-3', 3],
    ['-3+4', 1],
    ['(2+3)*-4', -20],
    [' 7 × ( 1 − 3 ) ', -14],
    ['((((1))))+1', 2],
  ])('evaluates %s = %d', (expression, value) => {
    expect(evaluateArithmetic(expression)).toBe(value);
  });

  it('rejects what is not an integer expression', () => {
    for (const bad of ['', '2+', '(1+2', '3.5+1', '2**3', 'process.exit()']) {
      expect(() => evaluateArithmetic(bad), bad).toThrow(/not an integer arithmetic expression/);
    }
  });

  it('finds the first expression inside a sentence', () => {
    expect(findArithmeticExpression('What is the result of 12+17*3-5+9*2?')).toMatchObject({ expression: '12+17*3-5+9*2', value: 76 });
    expect(findArithmeticExpression('Round 2. Compute (3 + 4) * 2 please, not 5+5.')?.expression).toBe('(3 + 4) * 2');
    expect(findArithmeticExpression('It costs 3.5+1 dollars for agent-7, but 3+(4*5 is unfinished')?.expression).toBe('4*5');
    expect(findArithmeticExpression('No maths here, only 42.')).toBeUndefined();
  });
});

describe('arith', () => {
  const dataset = generateArithDataset({ count: 200, seed: 1 });

  it('generates the debate paper dataset deterministically', () => {
    expect(generateArithDataset({ count: 200, seed: 1 })).toEqual(dataset);
    expect(generateArithDataset({ count: 5, seed: 2 })).not.toEqual(dataset.slice(0, 5));
    for (const item of dataset) {
      expect(item.question).toMatch(/^What is the result of \d{1,2}\+\d{1,2}\*\d{1,2}\+\d{1,2}-\d{1,2}\*\d{1,2}\?$/);
      expect(item.answer).toBe(findArithmeticExpression(item.question)?.value);
    }
    expect(new Set(dataset.map((item) => item.id)).size).toBe(200);
    expect(() => generateArithDataset({ count: -1, seed: 1 })).toThrow(/count/);
  });

  async function accuracyOver(accuracy: number): Promise<{ share: number; offsets: number[] }> {
    let correct = 0;
    const offsets: number[] = [];
    for (const item of dataset) {
      const { text } = await collect({ model: `arith?accuracy=${accuracy}`, messages: [user(item.question)] });
      expect(text).toMatch(/The answer is -?\d+\.$/);
      const answer = parseArithAnswers(text).pop() ?? Number.NaN;
      if (answer === item.answer) correct += 1;
      else offsets.push(answer - item.answer);
    }
    return { share: correct / dataset.length, offsets };
  }

  it('is right about as often as its accuracy says, and wrong by 1 to 10 otherwise', async () => {
    const { share, offsets } = await accuracyOver(0.6);
    expect(share).toBeGreaterThanOrEqual(0.5);
    expect(share).toBeLessThanOrEqual(0.7);
    for (const offset of offsets) expect(Math.abs(offset)).toBeGreaterThanOrEqual(1);
    for (const offset of offsets) expect(Math.abs(offset)).toBeLessThanOrEqual(10);
    expect((await accuracyOver(1)).share).toBe(1);
    expect((await accuracyOver(0)).share).toBe(0);
  });

  it('explains its working in words and ends with the answer', async () => {
    const { text } = await collect({ model: 'arith?accuracy=1', messages: [user('What is the result of 12+17*3-5+9*2?')] });
    expect(text).toContain('17 times 3 is 51');
    expect(text).toMatch(/The answer is 76\.$/);
    expect(findArithmeticExpression(text)).toBeUndefined();
  });

  it('sometimes adopts an agreeing majority when its own draw is wrong', async () => {
    let alone = 0;
    let withOthers = 0;
    const items = dataset.slice(0, 100);
    for (const item of items) {
      const others = `Other agents said:\nThe answer is ${item.answer}.\nThe answer is ${item.answer}.\nThe answer is ${item.answer + 3}.`;
      const single = await collect({ model: 'arith?accuracy=0.5', messages: [user(item.question)] });
      const debated = await collect({ model: 'arith?accuracy=0.5', messages: [user(item.question), user(others)] });
      if (parseArithAnswers(single.text).pop() === item.answer) alone += 1;
      if (parseArithAnswers(debated.text).pop() === item.answer) withOthers += 1;
    }
    expect(withOthers).toBeGreaterThan(alone + 10);
    expect(withOthers).toBeLessThan(items.length);
  });

  it('says so when there is no expression', async () => {
    const { text } = await collect({ model: 'arith', messages: [user('Tell me a joke.')] });
    expect(text).toContain('could not find an arithmetic expression');
  });
});

describe('failure injection', () => {
  const messages = [user('What is 1+1?')];

  it('429 is a retryable rate limit with retryAfterMs', async () => {
    const result = await collect({ model: 'echo?fail_rate=1&fail=429', messages });
    expect(result.parts.map((part) => part.type)).toEqual(['stream-start', 'error']);
    expect(result.error).toMatchObject({ code: 'provider_rate_limited', category: 'provider', retryable: true, retryAfterMs: 100 });
    const custom = await collect({ model: 'echo?fail_rate=1&fail=429&retry_after_ms=250', messages });
    expect(custom.error?.retryAfterMs).toBe(250);
  });

  it('500 is a retryable server error', async () => {
    const result = await collect({ model: 'arith?fail_rate=1&fail=500', messages });
    expect(result.error).toMatchObject({ code: 'provider_server_error', retryable: true });
  });

  it('cut streams about half of the text and then a retryable stream cut', async () => {
    const full = await collect({ model: 'persona?seed=4', messages: [user(yesNoTask)] });
    const cut = await collect({ model: 'persona?seed=4&fail_rate=1&fail=cut', messages: [user(yesNoTask)] });
    expect(cut.parts.map((part) => part.type)).toEqual(['stream-start', 'text-delta', 'error']);
    expect(cut.error).toMatchObject({ code: 'provider_stream_cut', retryable: true });
    expect(full.text.startsWith(cut.text)).toBe(true);
    const share = countTokens(cut.text) / countTokens(full.text);
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
  });

  it('picks among all three kinds by default', async () => {
    const codes = new Set<string>();
    for (let seed = 0; seed < 40; seed += 1) {
      codes.add((await collect({ model: `echo?fail_rate=1&seed=${seed}`, messages })).error?.code ?? 'none');
    }
    expect(codes).toEqual(new Set(['provider_rate_limited', 'provider_server_error', 'provider_stream_cut']));
  });

  it('lets a retry succeed where the first attempt failed', async () => {
    let recovered: number | undefined;
    for (let seed = 0; seed < 50 && recovered === undefined; seed += 1) {
      const model = `echo?fail_rate=0.5&seed=${seed}`;
      const first = await collect({ model, messages }, { attempt: 1 });
      const second = await collect({ model, messages }, { attempt: 2 });
      if (first.error !== undefined && second.error === undefined) recovered = seed;
      // The decision is deterministic per attempt.
      expect((await collect({ model, messages }, { attempt: 1 })).error?.code).toBe(first.error?.code);
    }
    expect(recovered).toBeDefined();
    const success = await collect({ model: `echo?fail_rate=0.5&seed=${recovered}`, messages }, { attempt: 2 });
    expect(success.text).toBe('What is 1+1?');
    expect(success.parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });
});

describe('pacing and abort', () => {
  // On a fake clock (setTimeout and performance.now), so these assert the schedule the simulator
  // keeps, not how promptly this machine runs it; real-time accuracy is `npm run bench:timing`'s.
  const longText = Array.from({ length: 200 }, (_, index) => `word${index}`).join(' ');

  it('waits ttft_ms before the first delta', async () => {
    const result = await collectOnFakeClock({ model: 'echo?ttft_ms=300', messages: [user('hello')] });
    expect(result.stamped).toEqual([
      { type: 'stream-start', at: 0 },
      { type: 'text-delta', at: 300 },
      { type: 'usage', at: 300 },
      { type: 'finish', at: 300 },
    ]);
    expect(result.parts.find((part) => part.type === 'text-delta')).toEqual({ type: 'text-delta', delta: 'hello' });
  });

  it('streams token by token at tokens_per_s', async () => {
    const content = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty';
    const tokens = splitTokens(content);
    const result = await collectOnFakeClock({ model: 'echo?tokens_per_s=100&ttft_ms=50', messages: [user(content)] });
    const deltas = result.stamped.filter((part) => part.type === 'text-delta');
    // First token at ttft, then one every 1000 / 100 ms, on an absolute schedule (no drift).
    expect(deltas.map((part) => part.at)).toEqual(tokens.map((_, index) => 50 + index * 10));
    expect(result.parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('')).toBe(content);
    expect(result.parts.find((part) => part.type === 'usage')).toMatchObject({ usage: { outputTokens: tokens.length } });
  });

  it('stops a slow stream at once on abort, ending with an aborted error part and no timer left', async () => {
    // A token every 200 ms; the abort comes at 150 ms, between the first token and the second.
    const result = await collectOnFakeClock({ model: 'echo?tokens_per_s=5', messages: [user(longText)] }, 150);
    expect(result.stamped.map((part) => part.type)).toEqual(['stream-start', 'text-delta', 'error']);
    // Ended at the abort itself: a stream that waited out its next token would end at 200.
    expect(result.stamped.at(-1)?.at).toBe(150);
    expect(result.parts.at(-1)).toMatchObject({ type: 'error', error: { code: 'aborted', retryable: false } });
    expect(result.timersLeft).toBe(0);
  });

  it('stops during ttft and when the signal is already aborted', async () => {
    const waiting = await collectOnFakeClock({ model: 'persona?ttft_ms=5000', messages: [user(yesNoTask)] }, 50);
    expect(waiting.stamped).toEqual([
      { type: 'stream-start', at: 0 },
      { type: 'error', at: 50 },
    ]);
    expect(waiting.parts.at(-1)).toMatchObject({ type: 'error', error: { code: 'aborted' } });
    expect(waiting.timersLeft).toBe(0);
    const already = await collect({ model: 'echo', messages: [user('x')] }, { signal: AbortSignal.abort() });
    expect(already.parts.map((part) => part.type)).toEqual(['stream-start', 'error']);
    expect(already.error?.code).toBe('aborted');
  });
});

/**
 * Streams `request` on a fake clock, aborting at `abortAtMs` if given, and stamps every part with
 * the clock's time since the call began; `timersLeft` is what the stream left scheduled.
 */
async function collectOnFakeClock(
  request: Partial<GenerateRequest> & { model: string },
  abortAtMs?: number,
): Promise<{ parts: StreamPart[]; stamped: Array<{ type: StreamPart['type']; at: number }>; timersLeft: number }> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  try {
    const controller = new AbortController();
    if (abortAtMs !== undefined) setTimeout(() => controller.abort(), abortAtMs);
    const began = performance.now();
    const parts: StreamPart[] = [];
    const stamped: Array<{ type: StreamPart['type']; at: number }> = [];
    const reading = (async () => {
      for await (const part of adapter.generate({ messages: [], ...request }, { signal: controller.signal, attempt: 1 })) {
        parts.push(part);
        stamped.push({ type: part.type, at: performance.now() - began });
      }
    })();
    await vi.runAllTimersAsync();
    await reading;
    return { parts, stamped, timersLeft: vi.getTimerCount() };
  } finally {
    vi.useRealTimers();
  }
}

describe('token estimate', () => {
  it('counts word-ish tokens and splits losslessly', () => {
    expect(countTokens('The answer is 76.')).toBe(5);
    expect(countTokens('')).toBe(0);
    expect(splitTokens('Final answer: yes')).toEqual(['Final', ' answer', ':', ' yes']);
    const text = 'Ünïcode 😀 words, internationalisation and 123456 digits.  ';
    expect(splitTokens(text).join('')).toBe(text);
    expect(splitTokens(text).length).toBe(countTokens(text));
  });
});
