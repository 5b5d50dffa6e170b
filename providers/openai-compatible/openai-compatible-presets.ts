/**
 * The table of OpenAI-compatible services conclave knows: where each one lives, which variable
 * holds its key (or that it needs none), a few models to start from, and how its wire differs from
 * api.openai.com. Base URLs and model ids are the services' documented ones; local servers
 * (vLLM, LM Studio, llama.cpp) default to their usual localhost ports.
 */
import type { OpenAIWireOptions } from '../openai/index.js';

export interface OpenAICompatiblePreset {
  /** Provider name, the part before the slash in `groq/llama-3.3-70b-versatile`. */
  name: string;
  description: string;
  /** Base URL including the version path. */
  baseUrl: string;
  /** Variable that overrides the base URL (`GROQ_BASE_URL`). */
  baseUrlVariable: string;
  /** Variable holding the key, or `null` for servers that need none. */
  keyVariable: string | null;
  /** Model ids inside the provider (without the `name/` prefix). */
  defaultModels: readonly string[];
  /** How the wire differs from api.openai.com; omitted fields take the OpenAI values. */
  wire?: Partial<OpenAIWireOptions>;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

/** Most compatible servers take `max_tokens`; `max_completion_tokens` is OpenAI's newer name. */
const classicTokens = { maxTokensField: 'max_tokens' } as const;

export const openAICompatiblePresetTable: readonly OpenAICompatiblePreset[] = [
  {
    name: 'mistral',
    description: 'Mistral AI (La Plateforme); key in MISTRAL_API_KEY.',
    baseUrl: 'https://api.mistral.ai/v1',
    baseUrlVariable: 'MISTRAL_BASE_URL',
    keyVariable: 'MISTRAL_API_KEY',
    defaultModels: ['mistral-large-latest', 'mistral-small-latest', 'codestral-latest'],
    // Mistral reports usage in the last chunk by itself and names the seed `random_seed`.
    wire: { ...classicTokens, seedField: 'random_seed', sendStreamOptions: false },
  },
  {
    name: 'groq',
    description: 'Groq LPU inference; key in GROQ_API_KEY.',
    baseUrl: 'https://api.groq.com/openai/v1',
    baseUrlVariable: 'GROQ_BASE_URL',
    keyVariable: 'GROQ_API_KEY',
    defaultModels: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant', 'openai/gpt-oss-120b'],
    wire: { ...classicTokens },
  },
  {
    name: 'deepseek',
    description: 'DeepSeek (deepseek-chat, deepseek-reasoner); key in DEEPSEEK_API_KEY.',
    baseUrl: 'https://api.deepseek.com/v1',
    baseUrlVariable: 'DEEPSEEK_BASE_URL',
    keyVariable: 'DEEPSEEK_API_KEY',
    defaultModels: ['deepseek-chat', 'deepseek-reasoner'],
    // JSON mode only: a schema goes into the prompt.
    wire: { ...classicTokens, supportsJsonSchema: false, seedField: undefined },
  },
  {
    name: 'together',
    description: 'Together AI open-model inference; key in TOGETHER_API_KEY.',
    baseUrl: 'https://api.together.xyz/v1',
    baseUrlVariable: 'TOGETHER_BASE_URL',
    keyVariable: 'TOGETHER_API_KEY',
    defaultModels: ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'Qwen/Qwen2.5-72B-Instruct-Turbo', 'deepseek-ai/DeepSeek-V3'],
    wire: { ...classicTokens },
  },
  {
    name: 'xai',
    description: 'xAI Grok; key in XAI_API_KEY.',
    baseUrl: 'https://api.x.ai/v1',
    baseUrlVariable: 'XAI_BASE_URL',
    keyVariable: 'XAI_API_KEY',
    defaultModels: ['grok-4', 'grok-3-mini'],
    wire: { ...classicTokens },
  },
  {
    name: 'openrouter',
    description: 'OpenRouter, one key for many vendors (model ids are `vendor/model`); key in OPENROUTER_API_KEY.',
    baseUrl: 'https://openrouter.ai/api/v1',
    baseUrlVariable: 'OPENROUTER_BASE_URL',
    keyVariable: 'OPENROUTER_API_KEY',
    defaultModels: ['openai/gpt-4.1-mini', 'anthropic/claude-sonnet-4', 'google/gemini-2.5-flash'],
    wire: { ...classicTokens },
    headers: { 'X-Title': 'conclave' },
  },
  {
    name: 'fireworks',
    description: 'Fireworks AI open-model inference; key in FIREWORKS_API_KEY.',
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    baseUrlVariable: 'FIREWORKS_BASE_URL',
    keyVariable: 'FIREWORKS_API_KEY',
    defaultModels: ['accounts/fireworks/models/llama-v3p3-70b-instruct', 'accounts/fireworks/models/deepseek-v3'],
    wire: { ...classicTokens },
  },
  {
    name: 'cerebras',
    description: 'Cerebras wafer-scale inference; key in CEREBRAS_API_KEY.',
    baseUrl: 'https://api.cerebras.ai/v1',
    baseUrlVariable: 'CEREBRAS_BASE_URL',
    keyVariable: 'CEREBRAS_API_KEY',
    defaultModels: ['llama-3.3-70b', 'llama3.1-8b', 'qwen-3-32b'],
  },
  {
    name: 'vllm',
    description: 'A local vLLM server (`vllm serve <model>`), no key; base URL in VLLM_BASE_URL.',
    baseUrl: 'http://localhost:8000/v1',
    baseUrlVariable: 'VLLM_BASE_URL',
    keyVariable: null,
    defaultModels: ['Qwen/Qwen2.5-7B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct'],
    wire: { ...classicTokens },
  },
  {
    name: 'lmstudio',
    description: 'A local LM Studio server, no key; base URL in LMSTUDIO_BASE_URL.',
    baseUrl: 'http://localhost:1234/v1',
    baseUrlVariable: 'LMSTUDIO_BASE_URL',
    keyVariable: null,
    defaultModels: ['qwen2.5-7b-instruct', 'llama-3.2-3b-instruct'],
    // LM Studio takes a JSON schema but has no schema-less JSON mode.
    wire: { ...classicTokens, supportsJsonObject: false },
  },
  {
    name: 'llamacpp',
    description: 'A local llama.cpp `llama-server`, no key (it serves the model it was started with); base URL in LLAMACPP_BASE_URL.',
    baseUrl: 'http://localhost:8080/v1',
    baseUrlVariable: 'LLAMACPP_BASE_URL',
    keyVariable: null,
    defaultModels: ['default'],
    wire: { ...classicTokens },
  },
];
