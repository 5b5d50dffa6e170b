/**
 * The Google (Gemini) provider: the module to register, and the pieces its tests and other
 * adapters' authors may want to read — request and stream mapping, finish reasons, prices.
 */
// Whoever imports the whole provider (tests, tools) gets the SDK loaded now, as the Anthropic and
// OpenAI indexes do through their error mappers: a first call then does not spend its first-token
// timeout importing it. The default registry imports google-provider.ts, which loads it on first call.
import '@google/genai';
export { googleProvider, createGoogleAdapter, validateGoogleModel, defaultGoogleBaseUrl } from './google-provider.js';
export { mapGoogleContents } from './map-google-contents.js';
export { mapGoogleRequest, modelName, type GoogleCallOptions } from './map-google-request.js';
export { createGoogleStreamMapper, googleToolCallId, type GoogleStreamMapper, type GoogleStreamMapperOptions } from './map-google-stream.js';
export { mapGoogleFinishReason } from './map-google-finish-reason.js';
export { mapGoogleError, observeGoogleFetch, type GoogleErrorContext, type GoogleFetchObservation } from './map-google-error.js';
export { googlePrice, pricedGoogleModels } from './google-prices.js';
