/**
 * The OpenAI provider (Chat Completions through the official SDK) and the pieces the
 * OpenAI-compatible presets reuse: the adapter factory, the wire options, the mappers and the price
 * table.
 */
export { openaiProvider, createOpenAIAdapter, missingCredentialsError, settingOrEnvironment, openAIDefaultBaseUrl, type OpenAIAdapterConfig } from './openai-provider.js';
export { mapOpenAIRequest, mapOpenAIMessages, jsonInstruction, openAIWireOptions, type OpenAIWireOptions, type OpenAIRequestBody } from './map-openai-messages.js';
export { mapOpenAIStream, openAIChunkSchema, type OpenAIStreamContext } from './map-openai-stream.js';
export { mapOpenAIFinishReason } from './map-openai-finish-reason.js';
export { mapOpenAIError, abortedError, malformedResponseError, type OpenAIErrorContext } from './map-openai-error.js';
export { parseOpenAIModel, reasoningEfforts, type OpenAIModelOptions, type ParsedOpenAIModel, type ReasoningEffortName } from './openai-model-options.js';
export { openAIPrice, openAIPricesAsOf, lookupModelPrice } from './openai-prices.js';
export { isStrictJsonSchema } from './openai-strict-schema.js';
