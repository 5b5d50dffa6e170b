/**
 * Prompt-caching hints for an agent's calls. Caching is on unless the agent or its provider's
 * document settings say `cache: false`. The key (OpenAI's `prompt_cache_key`) is a hash of the
 * session id and the agent's name — nothing secret, stable over the session's turns and resumes, and
 * different per agent, so the calls that share one agent's long prefix are routed together.
 */
import { createHash } from 'node:crypto';
import type { ModelAgent, PromptCacheOptions, ProviderDocumentSettings } from '../protocol/index.js';

/**
 * The cache hints for one call of `agent` in `sessionId`.
 *
 * @example
 * promptCacheFor('ses_1', { name: 'writer', model: 'openai/gpt-4.1-mini' }, undefined)
 * // → { enabled: true, key: 'conclave-' + 32 hex digits }
 * promptCacheFor('ses_1', { name: 'writer', model: 'openai/gpt-4.1-mini', cache: false }, undefined) // → { enabled: false }
 */
export function promptCacheFor(sessionId: string, agent: ModelAgent, settings: ProviderDocumentSettings | undefined): PromptCacheOptions {
  if (agent.cache === false || settings?.cache === false) return { enabled: false };
  const digest = createHash('sha256').update(`${sessionId}\u0000${agent.name}`).digest('hex');
  return { enabled: true, key: `conclave-${digest.slice(0, 32)}` };
}
