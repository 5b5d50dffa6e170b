/**
 * The secrets a kernel's sessions use: every `${secret:NAME}` a definition references (provider
 * `api_key`, MCP servers) is resolved before the session runs, once per name, and from then on its
 * value is redacted — from events before they are stored, and from model and tool output before
 * anyone else sees it.
 */
import { ConclaveError } from '../protocol/index.js';
import { createRedactor, findSecretReferences } from '../vault/index.js';
import type { EventDraft } from './session-writer.js';

/** What a definition may reference secrets from. */
interface SecretBearing {
  providers?: unknown;
  mcp_servers?: unknown;
}

export class SessionSecrets {
  private readonly values = new Map<string, string>();
  private readonly redactor = createRedactor();

  /** @param resolve looks a name up (environment, then vault); absent, any reference fails. */
  constructor(private readonly resolve: ((name: string) => Promise<string>) | undefined) {}

  /** Whether any secret is known, i.e. whether redaction has anything to do. */
  get active(): boolean {
    return this.values.size > 0;
  }

  /**
   * Resolves what `definition` references; throws `secret_not_found` for a missing one.
   *
   * @example
   * await secrets.prepare({ providers: { openai: { api_key: '${secret:OPENAI_API_KEY}' } } });
   */
  async prepare(definition: SecretBearing): Promise<void> {
    for (const { name } of findSecretReferences({ providers: definition.providers ?? {}, mcp_servers: definition.mcp_servers ?? [] })) {
      if (this.values.has(name)) continue;
      if (this.resolve === undefined) throw new ConclaveError('secret_not_found', `the document references \${secret:${name}}, but this kernel has no secret resolver`);
      const value = await this.resolve(name);
      this.values.set(name, value);
      this.redactor.add({ name, value });
    }
  }

  /**
   * The value of a resolved `${secret:NAME}` reference.
   *
   * @example
   * secrets.valueOf('${secret:OPENAI_API_KEY}') // → 'sk-…' once prepared
   */
  valueOf(reference: string): string | undefined {
    const [found] = findSecretReferences(reference);
    return found === undefined ? undefined : this.values.get(found.name);
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

  /** Event drafts with their data redacted. */
  redactDrafts(drafts: readonly EventDraft[]): EventDraft[] {
    return drafts.map((draft) => ({ ...draft, data: this.redactor.redactValue(draft.data) }));
  }
}
