/**
 * The Ollama provider: local models over Ollama's streamed `/api/chat`, through the official SDK.
 * Also exports the request and stream mappers, which tests and other Ollama-compatible adapters use.
 */
export { ollamaProvider, createOllamaAdapter, validateOllamaModel, defaultOllamaHost } from './ollama-provider.js';
export { mapOllamaRequest, mapOllamaMessages, mapOllamaTools, type OllamaChatBody, type OllamaOutgoingMessage } from './map-ollama-messages.js';
export { createOllamaStreamMapper, deriveOllamaToolCallId, fingerprintOllamaRequest, ollamaChatChunkSchema, type OllamaChatChunk } from './map-ollama-stream.js';
export { mapOllamaFinishReason } from './map-ollama-finish-reason.js';
export { mapOllamaFailure } from './map-ollama-failure.js';
export { createOllamaFetch, createNdjsonLineCheck, MalformedOllamaLineError, type OllamaExchange } from './ollama-fetch.js';
