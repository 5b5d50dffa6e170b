/**
 * The Ollama provider: local models over Ollama's streamed `/api/chat`, through the official SDK.
 * Also exports the request and stream mappers, which tests and other Ollama-compatible adapters use.
 */
// Whoever imports the whole provider (tests, tools) gets the SDK loaded now, as the Anthropic and
// OpenAI indexes do through their error mappers: a first call then does not spend its first-token
// timeout importing it. The default registry imports ollama-provider.ts, which loads it on first call.
import 'ollama';
export { ollamaProvider, createOllamaAdapter, validateOllamaModel, defaultOllamaHost } from './ollama-provider.js';
export { mapOllamaRequest, mapOllamaMessages, mapOllamaTools, type OllamaChatBody, type OllamaOutgoingMessage } from './map-ollama-messages.js';
export { createOllamaStreamMapper, deriveOllamaToolCallId, fingerprintOllamaRequest, ollamaChatChunkSchema, type OllamaChatChunk } from './map-ollama-stream.js';
export { mapOllamaFinishReason } from './map-ollama-finish-reason.js';
export { mapOllamaFailure } from './map-ollama-failure.js';
export { createOllamaFetch, createNdjsonLineCheck, MalformedOllamaLineError, type OllamaExchange } from './ollama-fetch.js';
