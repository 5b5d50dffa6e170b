/**
 * The `recorded` provider of the pairwise phase: model `recorded/<contestant>` answers a prompt
 * with the answer that contestant gave in the benchmark, so the tournament judges the very answers
 * that were measured and scored, and only the judge is called (and paid). An answer that is missing
 * (the contestant failed on that prompt) is an empty text, which loses its matches.
 */
import type { GenerateRequest, ProviderAdapter, ProviderModule, Registry, StreamPart } from '../protocol/index.js';

/** contestant → prompt text → answer. */
export type RecordedAnswers = ReadonlyMap<string, ReadonlyMap<string, string>>;

function lastUserText(request: GenerateRequest): string {
  for (let index = request.messages.length - 1; index >= 0; index -= 1) {
    const message = request.messages[index];
    if (message?.role === 'user') return message.content;
  }
  return '';
}

async function* replayAnswer(answers: RecordedAnswers, request: GenerateRequest): AsyncGenerator<StreamPart> {
  yield { type: 'stream-start', model: request.model };
  const text = answers.get(request.model)?.get(lastUserText(request)) ?? '';
  if (text !== '') yield { type: 'text-delta', delta: text };
  yield { type: 'usage', usage: { inputTokens: 0, outputTokens: 0 } };
  yield { type: 'finish', finishReason: 'stop' };
}

/**
 * A registry that has `registry`'s providers plus `recorded`, answering from `answers`.
 *
 * @example
 * const registry = withRecordedAnswers(base, new Map([['swift', new Map([['What is 2+2?', 'The answer is 4.']])]]));
 * // agents use model: recorded/swift
 */
export function withRecordedAnswers(registry: Registry, answers: RecordedAnswers): Registry {
  const adapter: ProviderAdapter = {
    specificationVersion: 'v1',
    provider: 'recorded',
    simulated: false,
    generate: (request) => replayAnswer(answers, request),
  };
  const module: ProviderModule = {
    specificationVersion: 'v1',
    name: 'recorded',
    description: 'Answers recorded earlier in a benchmark run (pairwise judging only).',
    simulated: false,
    defaultModels: [],
    validateModel: (model) => (answers.has(model) ? undefined : `no recorded answers for "${model}"`),
    create: () => adapter,
  };
  return { ...registry, providers: new Map([...registry.providers, ['recorded', module]]) };
}
