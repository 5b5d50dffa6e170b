/**
 * What every part of a benchmark run shares: the suite, the provider access (one adapter and one
 * price table per provider, as a kernel would use), the response cache, a kernel for topology
 * contestants and tournaments (built on first use, over the run's own `sessions.db`, every adapter
 * wrapped by the cache), the running total of what judging cost, and the redactor every output of
 * the run passes through: model contestants call adapters directly, not through a kernel, so the
 * provider keys in the run's environment are redacted here, from the same list a kernel uses.
 */
import { unpricedModels } from '../catalogue/unpriced-cost.js';
import { Kernel, ProviderAccess, modelCost, systemClock } from '../kernel/index.js';
import { ConclaveError, parseModelRef, registryWithDocumentProviders, type GenerateRequest, type ProviderAdapter, type Registry, type SessionStore } from '../protocol/index.js';
import { openStore } from '../store/index.js';
import { createRedactor, knownSecretsFromEnvironment, type Redactor } from '../vault/index.js';
import { cachingAdapter, type ResponseCache } from './response-cache.js';
import type { BenchSuite } from './suite-schema.js';

export interface ResolvedModel {
  provider: string;
  adapter: ProviderAdapter;
  /** The request fields that name the model. */
  request: Pick<GenerateRequest, 'model'>;
  /** US dollars for a call's usage at the model's price (document overrides first). */
  cost: (usage: { inputTokens: number; outputTokens: number; cachedInputTokens?: number }) => number;
  /** The model has no known price (and is not simulated): its cost reads "unpriced", not $0. */
  unpriced: boolean;
}

export class BenchContext {
  readonly registry: Registry;
  readonly judging = { calls: 0, costUsd: 0 };
  /** Replaces the run's provider keys (and the vault passphrase) in anything written or shown. */
  readonly redactor: Redactor;
  private readonly access: ProviderAccess;
  private store: SessionStore | undefined;
  private builtKernel: Kernel | undefined;

  constructor(
    readonly suite: BenchSuite,
    registry: Registry,
    readonly cache: ResponseCache,
    /** Where topology sessions are journaled; `:memory:` keeps them in memory. */
    private readonly sessionsDb: string,
    readonly env: Record<string, string | undefined> = process.env,
  ) {
    this.registry = registryWithDocumentProviders(registry, suite.providers);
    this.access = new ProviderAccess(this.registry, env, systemClock);
    this.redactor = createRedactor(knownSecretsFromEnvironment(this.registry, env, suite.providers));
  }

  /**
   * The adapter, request model and pricing for a `provider/model` reference.
   *
   * @example
   * const { adapter, request, cost } = context.model('offline/arith?accuracy=0.9');
   */
  model(reference: string): ResolvedModel {
    const parsed = parseModelRef(reference);
    if (parsed === undefined) throw new ConclaveError('unknown_model', `"${reference}" is not provider/model`);
    const settings = this.suite.providers?.[parsed.provider];
    const adapter = this.access.adapter(parsed.provider, settings);
    const price = this.access.price(adapter, parsed.name, parsed.model, settings);
    return {
      provider: parsed.provider,
      adapter,
      request: { model: parsed.model },
      cost: (usage) => modelCost(price, adapter.simulated, usage).usd,
      unpriced: price === undefined && !adapter.simulated,
    };
  }

  /**
   * The models a topology session of this run called without a known price.
   *
   * @example
   * await context.unpricedModels(sessionId) // → ['openai/gpt-nope']
   */
  async unpricedModels(sessionId: string): Promise<string[]> {
    return this.store === undefined ? [] : unpricedModels(await this.store.read(sessionId));
  }

  /**
   * A kernel for sessions of this run, over `registry` (default: the suite's), adapters cached.
   *
   * @example
   * const result = await context.kernel().run(document, { task, seed });
   */
  kernel(registry?: Registry): Kernel {
    this.store ??= openStore({ db: this.sessionsDb });
    // Recorded answers are already the benchmark's own data: caching them again would only copy them.
    const wrapAdapter = (adapter: ProviderAdapter, provider: string): ProviderAdapter => (provider === 'recorded' ? adapter : cachingAdapter(adapter, provider, this.cache, this.redactor));
    if (registry !== undefined) return new Kernel({ store: this.store, registry, inputPollMs: 0, wrapAdapter, env: this.env });
    this.builtKernel ??= new Kernel({ store: this.store, registry: this.registry, inputPollMs: 0, wrapAdapter, env: this.env });
    return this.builtKernel;
  }

  /** Closes the session store if one was opened. */
  async close(): Promise<void> {
    await this.store?.close();
  }
}
