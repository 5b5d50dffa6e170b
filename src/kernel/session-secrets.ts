/**
 * The secrets a kernel's sessions use: every `${secret:NAME}` a definition references (provider
 * `api_key`, MCP servers) is resolved before the session runs, once per name, and from then on its
 * value is redacted — from events before they are stored, and from model and tool output before
 * anyone else sees it. Secrets the process holds without a reference (provider keys from the
 * environment, the vault passphrase) are registered with `addKnown` and redacted the same way.
 */
import { ConclaveError, toConclaveError, type ProvidersSection, type Registry } from '../protocol/index.js';
import { createRedactor, createStreamRedactor, findSecretReferences, knownSecretsFromEnvironment, type StreamRedactor } from '../vault/index.js';
import type { SecretScope } from './kernel-options.js';
import type { EventDraft } from './session-writer.js';

/** What a definition may reference secrets from. */
interface SecretBearing {
  providers?: unknown;
  mcp_servers?: unknown;
}

export class SessionSecrets {
  private readonly values = new Map<string, string>();
  private readonly redactor = createRedactor();
  /** Whether `addKnown` registered a value (a provider key from the environment, the vault passphrase). */
  private knownOutsideDocuments = false;

  /**
   * @param resolve looks a name up (environment, then vault; with a scope, only that workspace's
   * vault entries); absent, any reference fails.
   */
  constructor(private readonly resolve: ((name: string, scope?: SecretScope) => Promise<string>) | undefined) {}

  /** Whether any secret is known, i.e. whether redaction has anything to do. */
  get active(): boolean {
    return this.values.size > 0 || this.knownOutsideDocuments;
  }

  /**
   * Resolves what `definition` references — with a `scope`, from that workspace's own secrets
   * only; throws `secret_not_found` for a missing one.
   *
   * @example
   * await secrets.prepare({ providers: { openai: { api_key: '${secret:OPENAI_API_KEY}' } } });
   */
  async prepare(definition: SecretBearing, scope?: SecretScope): Promise<void> {
    for (const { name } of findSecretReferences({ providers: definition.providers ?? {}, mcp_servers: definition.mcp_servers ?? [] })) {
      const key = scopedKey(name, scope);
      if (this.values.has(key)) continue;
      if (this.resolve === undefined) throw new ConclaveError('secret_not_found', `the document references \${secret:${name}}, but this kernel has no secret resolver`);
      const value = await this.resolve(name, scope);
      this.values.set(key, value);
      this.redactor.add({ name, value });
    }
  }

  /**
   * The value of a resolved `${secret:NAME}` reference, in the scope it was prepared in.
   *
   * @example
   * secrets.valueOf('${secret:OPENAI_API_KEY}') // → 'sk-…' once prepared
   */
  valueOf(reference: string, scope?: SecretScope): string | undefined {
    const [found] = findSecretReferences(reference);
    return found === undefined ? undefined : this.values.get(scopedKey(found.name, scope));
  }

  /**
   * A copy of any JSON-like value with every known secret replaced by `[secret:NAME]`.
   *
   * @example
   * secrets.redact('key sk-123456') // → 'key [secret:OPENAI_API_KEY]'
   */
  redact<T>(value: T): T {
    return this.redactor.redactValue(value);
  }

  /**
   * Registers a secret the process holds without a `${secret:NAME}` reference — a provider key from
   * an environment variable, the vault passphrase — so that it is redacted like a resolved one. It
   * is never handed out by `valueOf`. Empty or missing values are ignored.
   *
   * @example
   * secrets.addKnown('OPENAI_API_KEY', env.OPENAI_API_KEY);
   */
  addKnown(name: string, value: string | undefined): void {
    if (value === undefined || value.trim() === '') return;
    this.redactor.add({ name, value });
    this.knownOutsideDocuments = true;
  }

  /**
   * Registers (with `addKnown`) the provider keys `env` holds for `registry` and the document's
   * `providers` (their `api_key_env` variables), and the vault passphrase.
   *
   * @example
   * secrets.addFromEnvironment(registry, process.env, definition.providers);
   */
  addFromEnvironment(registry: Registry, env: Record<string, string | undefined>, providers?: ProvidersSection): void {
    for (const { name, value } of knownSecretsFromEnvironment(registry, env, providers)) this.addKnown(name, value);
  }

  /**
   * A redactor for one stream of live deltas: it holds back a tail that could be the start of a
   * secret, so a secret split across deltas never reaches a subscriber (see `createStreamRedactor`).
   *
   * @example
   * const stream = secrets.streamRedactor();
   * publish(stream.push(delta)); … publish(stream.flush());
   */
  streamRedactor(): StreamRedactor {
    return createStreamRedactor(this.redactor);
  }

  /**
   * A thrown value safe to pass on: the value itself when its message, hint and issues hold no
   * known secret, else a redacted `ConclaveError` copy (same code, no cause).
   *
   * @example
   * run.catch((error: unknown) => Promise.reject(secrets.redactThrown(error)));
   */
  redactThrown(error: unknown): unknown {
    if (!this.active) return error;
    const json = toConclaveError(error).toJSON();
    const redacted = this.redactor.redactValue(json);
    return JSON.stringify(redacted) === JSON.stringify(json) ? error : ConclaveError.fromJSON(redacted);
  }

  /** Event drafts with their data redacted. */
  redactDrafts(drafts: readonly EventDraft[]): EventDraft[] {
    return drafts.map((draft) => ({ ...draft, data: this.redactor.redactValue(draft.data) }));
  }
}

/** Workspace secrets are kept apart from the server's: `tenant-b/OPENAI_API_KEY` vs `OPENAI_API_KEY`. */
function scopedKey(name: string, scope: SecretScope | undefined): string {
  return scope === undefined ? name : `${scope.workspace}/${name}`;
}
