/**
 * What every CLI command needs, built lazily: the default registry always, the store and kernel
 * only when a command touches sessions — so `validate` and `schema` never create a database.
 */
import { Kernel } from '../kernel/index.js';
import { createDefaultRegistry } from '../presets/default-registry.js';
import type { Registry, SessionStore } from '../protocol/index.js';
import { openStore } from '../store/index.js';

export interface GlobalOptions {
  db?: string;
}

export class CliContext {
  readonly registry: Registry = createDefaultRegistry();
  private openedStore: SessionStore | undefined;
  private builtKernel: Kernel | undefined;

  constructor(private readonly options: GlobalOptions) {}

  /** The session store named by --db, CONCLAVE_DB or the default path (opened on first use). */
  store(): SessionStore {
    this.openedStore ??= openStore({ ...(this.options.db !== undefined ? { db: this.options.db } : {}), env: process.env });
    return this.openedStore;
  }

  /** A kernel over the store and the default registry. */
  kernel(): Kernel {
    this.builtKernel ??= new Kernel({ store: this.store(), registry: this.registry });
    return this.builtKernel;
  }

  /** Closes the store if it was opened. */
  async close(): Promise<void> {
    await this.openedStore?.close();
  }
}
