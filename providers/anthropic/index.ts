/**
 * The Anthropic provider: Claude through the official SDK, plus the mapping functions and the
 * price table, exported for tests and for tools that want to show what a request would send.
 */
export { anthropicProvider, createAnthropicAdapter, validateAnthropicModel, anthropicDefaultModels, anthropicKeyVariable, anthropicBaseUrlVariable } from './anthropic-provider.js';
export { classifyAnthropicFailure, anthropicAborted, type AnthropicFailureContext } from './anthropic-failure.js';
export { anthropicPrice, anthropicPricedModels, anthropicPricesAsOf } from './anthropic-prices.js';
export { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';
export { mapAnthropicMessages, type AnthropicConversation } from './map-anthropic-messages.js';
export { mapAnthropicRequest, jsonInstruction, defaultAnthropicMaxTokens, type AnthropicRequestBody } from './map-anthropic-request.js';
export { mapAnthropicStream } from './map-anthropic-stream.js';
export { withCacheBreakpoints, ephemeralCacheControl, maxAnthropicCacheBreakpoints } from './anthropic-cache-breakpoints.js';
export { withCacheWritePrice, anthropicCacheWriteMultiplier } from './anthropic-cache-write-price.js';
