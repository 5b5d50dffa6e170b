/**
 * A `GenerateRequest` as the parameters of `ai.models.generateContentStream`. Everything that is not
 * the conversation goes into `config`: system instruction, sampling, limits, tools and structured
 * output. The SDK's own retries and automatic stream continuation stay off, because the kernel's
 * dispatcher owns retries and journals every attempt.
 */
import type { GenerateContentConfig, GenerateContentParameters } from '@google/genai';
import type { GenerateRequest } from '../../src/protocol/index.js';
import { mapGoogleContents } from './map-google-contents.js';

export interface GoogleCallOptions {
  signal: AbortSignal;
  /** Fetch used for this call only; the adapter wraps it to read response headers. */
  fetch?: typeof fetch;
}

/**
 * Builds the SDK parameters for one call.
 *
 * @example
 * mapGoogleRequest(
 *   { model: 'gemini-2.5-flash', system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 64 },
 *   { signal },
 * )
 * // → { model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
 * //     config: { systemInstruction: { parts: [{ text: 'Be brief.' }] }, maxOutputTokens: 64, … } }
 */
export function mapGoogleRequest(request: GenerateRequest, options: GoogleCallOptions): GenerateContentParameters {
  const config: GenerateContentConfig = {
    abortSignal: options.signal,
    // On by default for streams: the SDK would silently re-request after a dropped connection.
    automaticContinuation: false,
  };
  if (options.fetch !== undefined) config.httpOptions = { fetch: options.fetch };
  if (request.system !== undefined && request.system !== '') config.systemInstruction = { parts: [{ text: request.system }] };
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.stop !== undefined && request.stop.length > 0) config.stopSequences = request.stop;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.tools !== undefined && request.tools.length > 0) {
    config.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.name,
          ...(tool.description !== undefined ? { description: tool.description } : {}),
          parametersJsonSchema: tool.inputSchema,
        })),
      },
    ];
  }
  if (request.responseFormat?.type === 'json') {
    config.responseMimeType = 'application/json';
    if (request.responseFormat.schema !== undefined) config.responseJsonSchema = request.responseFormat.schema;
  }
  return { model: modelName(request.model), contents: mapGoogleContents(request.messages), config };
}

/**
 * The model id without a query string, as the SDK puts it in the URL.
 *
 * @example
 * modelName('gemini-2.5-flash?region=eu') // → 'gemini-2.5-flash'
 */
export function modelName(model: string): string {
  return model.split('?')[0]!;
}
