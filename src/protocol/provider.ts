/**
 * The provider contract. An adapter turns one `GenerateRequest` into a stream of `StreamPart`s —
 * one discriminated union for everything a model can say. Adapters parse wire data at the edge and
 * report failures as `error` parts with a stable code, never by crashing deep inside the kernel.
 */
import type { ConclaveErrorJSON } from './errors.js';
import type { Message, ToolCall, Usage } from './messages.js';

/** Why a model stopped, mapped from each provider's own vocabulary. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the tool's input object. */
  inputSchema: Record<string, unknown>;
}

/**
 * Prompt-caching hints for one call. Adapters whose provider caches a stable prefix on request mark
 * it (Anthropic `cache_control` breakpoints, OpenAI `prompt_cache_key`); others ignore this.
 */
export interface PromptCacheOptions {
  /** False sends no cache hints at all (a document's `cache: false`). */
  enabled: boolean;
  /** Stable per session and agent, derived from nothing secret; routes calls that share a prefix together. */
  key?: string;
}

export interface GenerateRequest {
  /** Model id inside the provider, with any query string (`persona?seed=7`). */
  model: string;
  system?: string;
  messages: Message[];
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  /** Seed for providers that support one; the offline simulator always does. */
  seed?: number;
  tools?: ToolDefinition[];
  /** Ask for JSON matching this schema (structured output). */
  responseFormat?: { type: 'json'; schema?: Record<string, unknown>; name?: string };
  /** Prompt caching; absent means enabled without a key. */
  cache?: PromptCacheOptions;
}

export interface GenerateOptions {
  signal: AbortSignal;
  /** 1 for the first try of a command, 2 for its first retry, … */
  attempt: number;
}

/** One piece of a model's streamed answer. Named `<noun>-<verb>`. */
export type StreamPart =
  | { type: 'stream-start'; model: string; simulated?: boolean }
  | { type: 'text-delta'; delta: string }
  | { type: 'reasoning-delta'; delta: string }
  | ({ type: 'tool-call' } & ToolCall)
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; finishReason: FinishReason }
  | { type: 'error'; error: ConclaveErrorJSON };

/** Prices in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  cachedInputPerMillion?: number;
  /** Price of input written to the prompt cache, where the provider charges extra for it (Anthropic). */
  cacheWriteInputPerMillion?: number;
  /** When the price was read off the provider's price list (YYYY-MM-DD). */
  asOf?: string;
}

export interface ProviderAdapter {
  readonly specificationVersion: 'v1';
  /** Provider name, the part before the slash in `offline/echo`. */
  readonly provider: string;
  /** True for simulators; their output is always labelled simulated. */
  readonly simulated: boolean;
  /**
   * Streams one model call. Failures are yielded as a final `error` part (or thrown as a
   * `ConclaveError`); the stream must end promptly when `options.signal` aborts.
   */
  generate(request: GenerateRequest, options: GenerateOptions): AsyncIterable<StreamPart>;
  /** Price of a model, if known. */
  price?(model: string): ModelPrice | undefined;
}

/** What a provider module exports so that the registry can list, validate and build it. */
export interface ProviderModule {
  readonly specificationVersion: 'v1';
  readonly name: string;
  readonly description: string;
  readonly simulated: boolean;
  /** Environment variable holding the key, if the provider needs one. */
  readonly keyVariable?: string;
  /** Other variables the provider also reads its key from (redacted like `keyVariable`). */
  readonly alternativeKeyVariables?: readonly string[];
  readonly defaultModels: readonly string[];
  /**
   * What is missing for this provider to be called with `env`, as a message naming the variable to
   * set; undefined when nothing is. Without it, a provider with `keyVariable` needs that variable.
   */
  missingCredentials?(env: Record<string, string | undefined>): string | undefined;
  /**
   * Checks a model id (with its query string) without calling anything.
   * Returns a message for the user when it is not valid.
   */
  validateModel(model: string): string | undefined;
  create(settings: ProviderSettings): ProviderAdapter;
}

export interface ProviderSettings {
  baseUrl?: string;
  apiKey?: string;
  /** Environment to read keys and base URLs from; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Confines files that model parameters name (the offline `script=`): a folder that relative paths
   * resolve inside and no path may leave, or `null` for no file access at all. Absent: any path,
   * relative to the working directory (the local user's own documents).
   */
  confineFiles?: string | null;
}
