/**
 * What every CLI command needs, built lazily: the default registry always, the store and kernel
 * only when a command touches sessions — so `validate` and `schema` never create a database.
 */
import { Kernel } from '../kernel/index.js';
import { existsSync } from 'node:fs';
import { createDefaultRegistry } from '../presets/default-registry.js';
import { createSessionToolsFactory, removeSessionWorkspace } from '../presets/session-tools.js';
import { createSecretResolver, openVaultFile, resolveVaultPath } from '../vault/index.js';
import type { Registry, ResourceStore, SessionStore } from '../protocol/index.js';
import { openResourceStore, openStore } from '../store/index.js';

export interface GlobalOptions {
  db?: string;
}

export class CliContext {
  readonly registry: Registry = createDefaultRegistry();
  private openedStore: SessionStore | undefined;
  private builtKernel: Kernel | undefined;
  private openedResources: ResourceStore | undefined;

  constructor(private readonly options: GlobalOptions) {}

  /** The session store named by --db, CONCLAVE_DB or the default path (opened on first use). */
  store(): SessionStore {
    this.openedStore ??= openStore({ ...(this.options.db !== undefined ? { db: this.options.db } : {}), env: process.env });
    return this.openedStore;
  }

  /** A kernel over the store and the default registry. */
  kernel(): Kernel {
    if (this.builtKernel === undefined) {
      // Secrets come from the environment, then the vault file when there is one.
      const secrets = createSecretResolver({ env: process.env, ...(existsSync(resolveVaultPath()) ? { vault: openVaultFile() } : {}) });
      this.builtKernel = new Kernel({
        store: this.store(),
        registry: this.registry,
        sessionTools: createSessionToolsFactory({ secrets }),
        onSessionDeleted: (sessionId) => removeSessionWorkspace(sessionId),
        secrets,
      });
    }
    return this.builtKernel;
  }

  /** API keys, agents and environments, in the same database as the sessions (opened on first use). */
  resources(): ResourceStore {
    this.openedResources ??= openResourceStore({ ...(this.options.db !== undefined ? { db: this.options.db } : {}), env: process.env });
    return this.openedResources;
  }

  /** Closes the stores that were opened. */
  async close(): Promise<void> {
    await this.openedStore?.close();
    await this.openedResources?.close();
  }
}
