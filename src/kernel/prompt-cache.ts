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
  const name = `${sessionId}\u0000${agent.name}`;
  let key = keys.get(name);
  if (key === undefined) {
    // Every call of an agent asks again; the hash is worked out once per session and agent.
    if (keys.size >= keysKept) keys.clear();
    key = `conclave-${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
    keys.set(name, key);
  }
  return { enabled: true, key };
}

/** Cache keys by session and agent; past this many the map starts over (sessions come and go). */
const keys = new Map<string, string>();
const keysKept = 4096;
