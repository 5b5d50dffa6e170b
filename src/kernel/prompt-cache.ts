/**
 * Prompt-caching hints for an agent's calls. Caching is on unless the agent or its provider's
 * document settings say `cache: false`. The key (OpenAI's `prompt_cache_key`) is a hash of the
 * session id and the agent's name — nothing secret, stable over the session's turns and resumes, and
 * different per agent, so the calls that share one agent's long prefix are routed together. It is
 * worked out when an adapter first reads it: most providers never do (Anthropic marks breakpoints,
 * the offline simulator ignores caching), and a pipeline's agents each make one call a pass, so
 * hashing up front cost a SHA-256 per step.
 */
import { createHash } from 'node:crypto';
import type { ModelAgent, PromptCacheOptions, ProviderDocumentSettings } from '../protocol/index.js';

/** Caching on: the key is hashed on first read, once per session and agent. */
class EnabledPromptCache implements PromptCacheOptions {
  readonly enabled = true;
  readonly #sessionId: string;
  readonly #agent: string;

  constructor(sessionId: string, agent: string) {
    this.#sessionId = sessionId;
    this.#agent = agent;
  }

  get key(): string {
    const name = `${this.#sessionId}\u0000${this.#agent}`;
    let key = keys.get(name);
    if (key === undefined) {
      if (keys.size >= keysKept) keys.clear();
      key = `conclave-${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
      keys.set(name, key);
    }
    return key;
  }

  toJSON(): PromptCacheOptions {
    return { enabled: true, key: this.key };
  }
}

const disabled: PromptCacheOptions = Object.freeze({ enabled: false });

/**
 * The cache hints for one call of `agent` in `sessionId`.
 *
 * @example
 * promptCacheFor('ses_1', { name: 'writer', model: 'openai/gpt-4.1-mini' }, undefined).key
 * // → 'conclave-' + 32 hex digits
 * promptCacheFor('ses_1', { name: 'writer', model: 'openai/gpt-4.1-mini', cache: false }, undefined) // → { enabled: false }
 */
export function promptCacheFor(sessionId: string, agent: ModelAgent, settings: ProviderDocumentSettings | undefined): PromptCacheOptions {
  if (agent.cache === false || settings?.cache === false) return disabled;
  return new EnabledPromptCache(sessionId, agent.name);
}

/** Cache keys by session and agent; past this many the map starts over (sessions come and go). */
const keys = new Map<string, string>();
const keysKept = 4096;
