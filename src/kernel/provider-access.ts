/**
 * How a kernel reaches providers: one adapter per provider, base URL and key variable (so two
 * documents pointing one provider at different servers do not share a client), one limiter per
 * provider and limit settings (shared by every session), and prices with document overrides.
 */
import {
  ConclaveError,
  registryWithDocumentProviders,
  type ModelPrice,
  type ProviderAdapter,
  type ProviderDocumentSettings,
  type ProviderModule,
  type Registry,
} from '../protocol/index.js';
import type { Clock } from './clock.js';
import type { SecretScope, SessionTrust } from './kernel-options.js';
import { ProviderLimiter } from './provider-limiter.js';

export class ProviderAccess {
  private readonly adapters = new Map<string, ProviderAdapter>();
  private readonly limiters = new Map<string, ProviderLimiter>();

  constructor(
    private readonly registry: Registry,
    private readonly env: Record<string, string | undefined>,
    private readonly clock: Clock,
    private readonly createAdapter?: (module: ProviderModule) => ProviderAdapter,
    private readonly wrapAdapter?: (adapter: ProviderAdapter, provider: string) => ProviderAdapter,
    /** The value of a `${secret:NAME}` reference, resolved before the session runs. */
    private readonly secretValue?: (reference: string, scope?: SecretScope) => string | undefined,
  ) {}

  /**
   * The adapter for a provider under a document's settings for it. For an untrusted document, a
   * `${secret:NAME}` key is the workspace's own, a provider at the document's own `base_url` is built
   * without the server's environment (so no server key can travel there), and model file
   * parameters are confined to the policy's scripts folder.
   *
   * @example
   * access.adapter('openai', { base_url: 'http://127.0.0.1:8080/v1' })
   */
  adapter(provider: string, settings: ProviderDocumentSettings | undefined, trust?: SessionTrust): ProviderAdapter {
    const untrusted = trust?.untrusted === true ? trust : undefined;
    const scope = untrusted === undefined ? '' : `|${untrusted.workspace}|${untrusted.scriptsDirectory ?? ''}`;
    const key = `${provider}|${settings?.base_url ?? ''}|${settings?.api_key_env ?? ''}|${settings?.api_key ?? ''}${scope}`;
    let adapter = this.adapters.get(key);
    if (adapter === undefined) {
      const module = this.registry.providers.get(provider) ?? registryWithDocumentProviders(this.registry, settings !== undefined ? { [provider]: settings } : undefined).providers.get(provider);
      if (module === undefined) throw new ConclaveError('unknown_provider', `unknown provider "${provider}"`);
      const secretScope = untrusted === undefined ? undefined : { workspace: untrusted.workspace };
      const apiKey = settings?.api_key !== undefined ? this.secretValue?.(settings.api_key, secretScope) : settings?.api_key_env !== undefined && untrusted === undefined ? this.env[settings.api_key_env] : undefined;
      const env = untrusted !== undefined && settings?.base_url !== undefined ? {} : this.env;
      adapter =
        this.createAdapter?.(module) ??
        module.create({
          env,
          ...(settings?.base_url !== undefined ? { baseUrl: settings.base_url } : {}),
          ...(apiKey !== undefined ? { apiKey } : {}),
          ...(untrusted !== undefined ? { confineFiles: untrusted.scriptsDirectory ?? null } : {}),
        });
      if (this.wrapAdapter !== undefined) adapter = this.wrapAdapter(adapter, provider);
      this.adapters.set(key, adapter);
    }
    return adapter;
  }

  /**
   * The shared limiter for a provider's limits, or undefined when it has none.
   *
   * @example
   * const release = await access.limiter('openai', { concurrency: 4 })?.acquire(signal);
   */
  limiter(provider: string, settings: ProviderDocumentSettings | undefined): ProviderLimiter | undefined {
    if (settings === undefined) return undefined;
    const { concurrency, requests_per_minute: requestsPerMinute, tokens_per_minute: tokensPerMinute } = settings;
    if (concurrency === undefined && requestsPerMinute === undefined && tokensPerMinute === undefined) return undefined;
    const key = `${provider}|${concurrency ?? ''}|${requestsPerMinute ?? ''}|${tokensPerMinute ?? ''}`;
    let limiter = this.limiters.get(key);
    if (limiter === undefined) {
      const limits = {
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...(requestsPerMinute !== undefined ? { requestsPerMinute } : {}),
        ...(tokensPerMinute !== undefined ? { tokensPerMinute } : {}),
      };
      limiter = new ProviderLimiter(limits, this.clock);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  /**
   * The price of a model: the document's override, else the adapter's table.
   *
   * @example
   * access.price(adapter, 'gpt-4.1-mini', settings) // → { inputPerMillion: 0.4, … }
   */
  price(adapter: ProviderAdapter, modelName: string, model: string, settings: ProviderDocumentSettings | undefined): ModelPrice | undefined {
    const override = settings?.prices?.[modelName];
    if (override !== undefined) {
      return {
        inputPerMillion: override.input,
        outputPerMillion: override.output,
        ...(override.cached_input !== undefined ? { cachedInputPerMillion: override.cached_input } : {}),
        ...(override.cache_write_input !== undefined ? { cacheWriteInputPerMillion: override.cache_write_input } : {}),
      };
    }
    return adapter.price?.(model);
  }
}
