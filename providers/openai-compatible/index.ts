/**
 * OpenAI-compatible providers (Mistral, Groq, DeepSeek, Together, xAI, OpenRouter, Fireworks,
 * Cerebras, and local vLLM, LM Studio and llama.cpp servers) as presets of the OpenAI adapter, and
 * the factory to add more.
 */
export { createOpenAICompatibleProvider, openAICompatiblePresets, findOpenAICompatiblePreset } from './openai-compatible-provider.js';
export { openAICompatiblePresetTable, type OpenAICompatiblePreset } from './openai-compatible-presets.js';
