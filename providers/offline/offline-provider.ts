/**
 * The offline provider: a deterministic simulator behind the ordinary `ProviderAdapter` contract,
 * so every example, test and benchmark runs with no key and no network. Its output is always
 * labelled simulated.
 *
 * Models: `offline/echo` (repeats the last user message), `offline/persona` (debate prose with a
 * `Final answer:` line, see `persona-writer.ts`), `offline/arith` (arithmetic with a set accuracy,
 * see `arith-solver.ts`; given a tournament judge prompt or a rubric prompt it judges the answers
 * at that accuracy, see `arith-judge.ts`), `offline/designer` (a topology document for the task of a
 * `conclave design` prompt, see `topology-designer.ts`), `offline/grader` (an outcome's verdict, see
 * `outcome-grader.ts`). Query parameters are described in
 * `offline-model-options.ts`. With `request.responseFormat` of type `json` every model writes JSON
 * instead, conforming to the schema when one is given (`json-writer.ts`), paced, limited and
 * counted like any other text.
 *
 * A stream always starts with `stream-start` (`simulated: true`). It then ends with `usage` and
 * `finish` after the text deltas (one delta on the instant path, none for an empty text), or with
 * one `error` part: `unknown_model` for a model that does not validate, an injected failure, or
 * `aborted` (not retryable) when `options.signal` aborts — the adapter never throws.
 * `request.stop` truncates the text at the first stop sequence (finish `stop`) and
 * `request.maxTokens` at that many word-ish tokens (finish `length`).
 */
import {
  ConclaveError,
  type GenerateOptions,
  type GenerateRequest,
  type ModelPrice,
  type ProviderAdapter,
  type ProviderModule,
  type ProviderSettings,
  type StreamPart,
  type FinishReason,
} from '../../src/protocol/index.js';
import { writeArithAnswer } from './arith-solver.js';
import { writeJsonForSchema, writeJsonWithoutSchema } from './json-writer.js';
import { decideFailure, failureError } from './offline-failure.js';
import { countInputTokens, lastContent, textSeedOf } from './offline-conversation.js';
import { offlineModelNames, parseOfflineModel, type OfflineModelOptions } from './offline-model-options.js';
import { firstTokenDue, streamText } from './offline-timing.js';
import { writePersonaAnswer } from './persona-writer.js';
import { writeDesign } from './topology-designer.js';
import { writeGrade } from './outcome-grader.js';
import { scriptedReply, type ScriptedReply } from './scripted-replies.js';
import { confinedScriptPath } from './confined-script-path.js';
import { createSeededRandom } from './seeded-random.js';
import { countTokens, splitTokens } from './token-estimate.js';

function abortedPart(model: string): StreamPart {
  return { type: 'error', error: new ConclaveError('aborted', `the call to offline/${model} was aborted`).toJSON() };
}

/**
 * The full answer of a model before stop sequences and `maxTokens` apply: JSON text when the request
 * asks for it (see `json-writer.ts`), prose otherwise.
 */
function writeText(options: OfflineModelOptions, request: GenerateRequest, textSeed: () => number, script: ScriptedReply | undefined): string {
  // A script is the user's own reply, JSON or not.
  if (options.name === 'scripted') return script?.text ?? '';
  const format = request.responseFormat;
  if (format?.type === 'json') {
    const context = { request, options, textSeed: textSeed() };
    return JSON.stringify(format.schema === undefined ? writeJsonWithoutSchema(context) : writeJsonForSchema(format.schema, context));
  }
  switch (options.name) {
    case 'echo':
      return lastContent(request.messages, 'user') ?? '';
    case 'persona':
      return writePersonaAnswer(request, options, textSeed());
    case 'arith':
      return writeArithAnswer(request, options, createSeededRandom(textSeed()));
    case 'designer':
      // The whole conversation: a repair turn repeats the task and models.
      return writeDesign(request.messages.map((message) => message.content).join('\n\n'));
    case 'grader':
      return writeGrade(lastContent(request.messages, 'user') ?? '');
  }
}

/** Applies `request.stop` and `request.maxTokens`. */
function limitText(text: string, request: GenerateRequest): { text: string; finishReason: FinishReason } {
  let limited = text;
  for (const stop of request.stop ?? []) {
    const index = stop === '' ? -1 : limited.indexOf(stop);
    if (index !== -1) limited = limited.slice(0, index);
  }
  if (request.maxTokens !== undefined && countTokens(limited) > request.maxTokens) {
    return { text: splitTokens(limited).slice(0, Math.max(0, request.maxTokens)).join(''), finishReason: 'length' };
  }
  return { text: limited, finishReason: 'stop' };
}

async function* generate(request: GenerateRequest, generateOptions: GenerateOptions, confineFiles: string | null | undefined): AsyncGenerator<StreamPart> {
  const start = performance.now();
  const { signal, attempt } = generateOptions;
  yield { type: 'stream-start', model: request.model, simulated: true };
  const parsed = parseOfflineModel(request.model);
  if (!parsed.ok) {
    yield { type: 'error', error: new ConclaveError('unknown_model', parsed.message).toJSON() };
    return;
  }
  const options = parsed.options;
  if (signal.aborted) {
    yield abortedPart(request.model);
    return;
  }

  // The scripted model's reply (text and tool calls), chosen once per request.
  let script: ScriptedReply | undefined;
  if (options.name === 'scripted') {
    const path = confinedScriptPath(options.script ?? '', confineFiles);
    script = typeof path === 'string' ? scriptedReply(path, request) : { text: `(offline/scripted: ${path.refused})`, toolCalls: [] };
  }
  let textSeed: number | undefined;
  const seedOfText = (): number => (textSeed ??= textSeedOf(options, request));
  const failure = options.failRate > 0 ? decideFailure(options, seedOfText(), attempt) : undefined;
  if (failure === '429' || failure === '500') {
    yield { type: 'error', error: failureError(failure, `offline/${options.name}`, options.retryAfterMs) };
    return;
  }

  const { text, finishReason } = limitText(writeText(options, request, seedOfText, script), request);
  const usage = { inputTokens: countInputTokens(request), outputTokens: countTokens(text) };

  if (failure === 'cut') {
    const tokens = splitTokens(text);
    const half = tokens.slice(0, Math.ceil(tokens.length / 2)).join('');
    if (!(yield* streamText(half, options, signal, start))) {
      yield abortedPart(request.model);
      return;
    }
    yield { type: 'error', error: failureError('cut', `offline/${options.name}`, options.retryAfterMs) };
    return;
  }

  if (options.tokensPerSecond === undefined) {
    // One delta after the time to first token (none: the instant path), without delegating to
    // streamText: each `yield*` adds a generator round trip per part, and 1,000 sessions of a model
    // with a latency hold that much more across every call (benchmarks/engine).
    if (options.ttftMs > 0 && !(await firstTokenDue(options, signal, start))) {
      yield abortedPart(request.model);
      return;
    }
    if (text !== '') yield { type: 'text-delta', delta: text };
  } else if (!(yield* streamText(text, options, signal, start))) {
    yield abortedPart(request.model);
    return;
  }
  const toolCalls = script?.toolCalls ?? [];
  for (const call of toolCalls) yield { type: 'tool-call', ...call };
  yield { type: 'usage', usage };
  yield { type: 'finish', finishReason: toolCalls.length > 0 ? 'tool-calls' : finishReason };
}

function price(model: string): ModelPrice | undefined {
  const parsed = parseOfflineModel(model);
  if (!parsed.ok) return undefined;
  return { inputPerMillion: parsed.options.priceInPerMillion, outputPerMillion: parsed.options.priceOutPerMillion };
}

/**
 * Creates the offline adapter. It holds no state: every call is a pure function of its request.
 * `settings.confineFiles` keeps scripts inside one folder (documents from API callers).
 *
 * @example
 * const adapter = createOfflineAdapter();
 * for await (const part of adapter.generate({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] }, { signal, attempt: 1 })) {
 *   console.log(part.type); // stream-start, text-delta, usage, finish
 * }
 */
export function createOfflineAdapter(settings: ProviderSettings = {}): ProviderAdapter {
  return {
    specificationVersion: 'v1',
    provider: 'offline',
    simulated: true,
    generate: (request, options) => generate(request, options, settings.confineFiles),
    price,
  };
}

/**
 * The offline provider module, as registered under the name `offline`.
 *
 * @example
 * offlineProvider.validateModel('persona?persona=optimist&ttft_ms=300') // → undefined (valid)
 * offlineProvider.validateModel('arith?accuracy=1.5')
 * // → 'offline/arith: accuracy must be a number from 0 to 1, got "1.5"'
 */
export const offlineProvider: ProviderModule = {
  specificationVersion: 'v1',
  name: 'offline',
  description:
    'Deterministic simulator (always labelled simulated): echo, persona debaters and an arithmetic solver, ' +
    'with seeded latency, token pacing, failure injection and prices; no key, no network.',
  simulated: true,
  // scripted needs a script, so it is not a model to try as it is.
  defaultModels: offlineModelNames.filter((name) => name !== 'scripted' && name !== 'designer' && name !== 'grader').map((name) => `offline/${name}`),
  validateModel(model: string): string | undefined {
    const parsed = parseOfflineModel(model);
    return parsed.ok ? undefined : parsed.message;
  },
  create: createOfflineAdapter,
};
