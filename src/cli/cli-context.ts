/**
 * What every CLI command needs, built lazily: the default registry always, the store and kernel
 * only when a command touches sessions — so `validate` and `schema` never create a database.
 * Stores come from open-store.ts, not the store index: `prepare` imports only the selected store's
 * driver (`pg` for a postgres:// location, better-sqlite3 for a file, nothing for :memory:), and
 * the queue (BullMQ, ioredis) is imported only by a command that names one.
 */
import { Kernel } from '../kernel/index.js';
import { existsSync } from 'node:fs';
import { createDefaultRegistry } from '../presets/default-registry.js';
import { createSessionToolsFactory, removeSessionWorkspace } from '../presets/session-tools.js';
import { createSecretResolver, openVaultFile, resolveVaultPath } from '../vault/index.js';
import { loadCredentialKey } from '../vault/credential-key.js';
import { CredentialVault, withCredentialSecrets } from '../vault/credential-vault.js';
import type { CredentialStore } from '../protocol/credentials.js';
import type { Registry, ResourceStore, SessionStore } from '../protocol/index.js';
import { ConclaveError } from '../protocol/errors.js';
import { isPostgresLocation, openStore, prepareStore, resolveDatabasePath } from '../store/open-store.js';
import { openResourceStore } from '../store/open-resource-store.js';
import { openFileStore } from '../store/open-file-store.js';
import type { FileStore } from '../protocol/files.js';
import type { AgentMemoryStore } from '../memory/agent-memory-types.js';
import { memorySessionPreparer } from '../memory/memory-session.js';
import type { parsePostgresUrl } from '../store/postgres/pg-connection.js';
import { openSessionQueue, type SessionQueue } from '../queue/session-queue.js';
import { defaultServerPolicy, rulesFor, type ServerPolicy } from '../policy/server-policy.js';
import { isHostAllowed } from '../policy/host-allow-list.js';
import { withEventObserver, type EventObserverOptions, type StoredEventsObserver } from '../observability/observed-store.js';

export interface GlobalOptions {
  /** `--store`: SQLite file, postgres:// URL or :memory:. */
  store?: string;
  /** `--db`: the older name of `--store`. */
  db?: string;
}

export class CliContext {
  readonly registry: Registry = createDefaultRegistry();
  private openedStore: SessionStore | undefined;
  private builtKernel: Kernel | undefined;
  private openedResources: ResourceStore | undefined;
  private openedFiles: Promise<FileStore> | undefined;
  private openedMemory: Promise<AgentMemoryStore> | undefined;
  private openedQueue: SessionQueue | undefined;
  private openedCredentials: Promise<CredentialVault> | undefined;
  private credentialStore: CredentialStore | undefined;
  private readonly location: string | undefined;

  constructor(options: GlobalOptions) {
    if (options.store !== undefined && options.db !== undefined && options.store !== options.db) {
      throw new ConclaveError('invalid_argument', `--store ${options.store} and --db ${options.db} name different stores`, { hint: '--db is the older name of --store: give one' });
    }
    this.location = options.store ?? options.db;
  }

  private parsePostgresUrl: typeof parsePostgresUrl | undefined;

  /**
   * Imports the selected store's driver (SQLite or PostgreSQL; nothing for :memory:). The CLI awaits
   * it once before a command runs; `store()`, `resources()` and, for PostgreSQL, `storeDisplay()`
   * need it.
   *
   * @example
   * const context = new CliContext({ store: 'postgres://127.0.0.1/conclave' });
   * await context.prepare();
   * const store = context.store();
   */
  async prepare(): Promise<void> {
    const options = { ...(this.location !== undefined ? { db: this.location } : {}), env: process.env };
    // An unsupported location is reported by the command that opens the store, as before.
    const location = (() => {
      try {
        return resolveDatabasePath(options);
      } catch {
        return undefined;
      }
    })();
    if (location === undefined) return;
    await prepareStore(options);
    if (isPostgresLocation(location)) this.parsePostgresUrl ??= (await import('../store/postgres/pg-connection.js')).parsePostgresUrl;
  }

  /** The session store named by --store, CONCLAVE_STORE / CONCLAVE_DB or the default path (opened on first use). */
  store(): SessionStore {
    if (this.openedStore === undefined) {
      const opened = openStore({ ...(this.location !== undefined ? { db: this.location } : {}), env: process.env });
      this.openedStore = this.observer === undefined ? opened : withEventObserver(opened, this.observer.observe, this.observer.options);
    }
    return this.openedStore;
  }

  private observer: { observe: StoredEventsObserver<unknown>; options: EventObserverOptions<unknown> } | undefined;

  /**
   * Tells `observe` about every batch of events the store stores (metrics, logs, traces of
   * `conclave serve` and `worker`). Call before the store is first used.
   */
  observeStoredEvents<Context>(observe: StoredEventsObserver<Context>, options: EventObserverOptions<Context> = {}): void {
    if (this.openedStore !== undefined) throw new Error('observeStoredEvents must be called before the store is first used');
    this.observer = { observe: observe as StoredEventsObserver<unknown>, options: options as EventObserverOptions<unknown> };
  }

  /**
   * Where sessions live, resolved: an absolute SQLite path, a postgres:// URL, or `:memory:`.
   *
   * @example
   * context.storeLocation() // → '/home/ada/project/.conclave/conclave.db'
   */
  storeLocation(): string {
    return resolveDatabasePath({ ...(this.location !== undefined ? { db: this.location } : {}), env: process.env });
  }

  /** `storeLocation()` fit to print: a PostgreSQL URL without its password. */
  storeDisplay(): string {
    const location = this.storeLocation();
    if (!isPostgresLocation(location)) return location;
    if (this.parsePostgresUrl === undefined) throw new Error('storeDisplay on a postgres:// store needs `await context.prepare()` first');
    return this.parsePostgresUrl(location).display;
  }

  /**
   * The session queue named by `url` (a command's --queue), else CONCLAVE_QUEUE; undefined when
   * neither is set (sessions then run in this process).
   */
  queue(url?: string): SessionQueue | undefined {
    const chosen = url ?? (process.env.CONCLAVE_QUEUE?.trim() || undefined);
    if (chosen === undefined) return undefined;
    this.openedQueue ??= openSessionQueue(chosen);
    return this.openedQueue;
  }

  /**
   * Sends every session this process would run to the queue instead (`conclave serve --queue`).
   * Call before the kernel is first used.
   */
  launchThrough(queue: SessionQueue): void {
    if (this.builtKernel !== undefined) throw new Error('launchThrough must be called before the kernel is built');
    this.launch = async (sessionId) => queue.enqueue(sessionId, await this.store().head(sessionId));
  }

  private launch: ((sessionId: string) => Promise<void>) | undefined;
  private policy: ServerPolicy | undefined;

  /**
   * Holds documents from API callers to `policy` (`conclave serve|worker --policy`). Call before
   * the kernel is first used.
   */
  usePolicy(policy: ServerPolicy): void {
    if (this.builtKernel !== undefined) throw new Error('usePolicy must be called before the kernel is built');
    this.policy = policy;
  }

  /** A kernel over the store and the default registry. */
  kernel(): Kernel {
    if (this.builtKernel === undefined) {
      // Secrets come from the environment, then the vault file when there is one.
      // Vault credentials of the Managed API (`${secret:CONCLAVE_CREDENTIAL_…}`) open from the credential store.
      const credentials = (): Promise<CredentialVault> => this.credentialVault();
      const secrets = withCredentialSecrets(createSecretResolver({ env: process.env, ...(existsSync(resolveVaultPath()) ? { vault: openVaultFile() } : {}) }), credentials);
      this.builtKernel = new Kernel({
        store: this.store(),
        registry: this.registry,
        sessionTools: createSessionToolsFactory({ secrets, credentials, files: () => this.files(), memory: () => this.agentMemory(), ...(this.policy !== undefined ? { operatorMcpServers: this.policy.mcpServers } : {}) }),
        prepareDefinition: memorySessionPreparer(() => this.agentMemory()),
        ...(this.policy !== undefined ? { policy: this.policy } : {}),
        onSessionDeleted: (sessionId) => removeSessionWorkspace(sessionId),
        secrets,
        ...(this.launch !== undefined ? { launch: this.launch } : {}),
      });
    }
    return this.builtKernel;
  }

  /** API keys, agents and environments, in the same database as the sessions (opened on first use). */
  resources(): ResourceStore {
    this.openedResources ??= openResourceStore({ ...(this.location !== undefined ? { db: this.location } : {}), env: process.env });
    return this.openedResources;
  }

  /** Uploaded files and session resources, in the same database as the sessions (opened on first use). */
  files(): Promise<FileStore> {
    this.openedFiles ??= openFileStore({ ...(this.location !== undefined ? { db: this.location } : {}), env: process.env });
    return this.openedFiles;
  }

  /**
   * Memory stores, their memories and versions, in the same database as the sessions (opened on
   * first use, once; the SQLite and PostgreSQL backends are imported only then).
   *
   * @example
   * const memory = await context.agentMemory();
   */
  agentMemory(): Promise<AgentMemoryStore> {
    this.openedMemory ??= import('../memory/open-agent-memory.js').then(({ openAgentMemoryStore }) => openAgentMemoryStore({ ...(this.location !== undefined ? { db: this.location } : {}), env: process.env }));
    this.openedMemory.catch(() => {
      this.openedMemory = undefined;
    });
    return this.openedMemory;
  }

  /**
   * The vault credentials of the Managed API: their table beside the sessions, sealed with the
   * credential key (`CONCLAVE_CREDENTIAL_KEY`, else a key file beside the store; see
   * `credential-key.ts`). Opened on first use, once.
   *
   * @example
   * const vault = await context.credentialVault();
   */
  credentialVault(): Promise<CredentialVault> {
    this.openedCredentials ??= (async () => {
      const location = this.storeLocation();
      const { key } = await loadCredentialKey({ location, env: process.env });
      const { openCredentialStore } = await import('../store/open-credential-store.js');
      this.credentialStore = await openCredentialStore({ db: location, env: process.env });
      // The server reaches a credential's token endpoint to refresh it: held to the MCP allow-list.
      const tokenEndpointAllowed = (url: string, workspace: string): boolean => {
        const rules = rulesFor(this.policy ?? defaultServerPolicy(), workspace);
        return rules.trust === 'trusted' || isHostAllowed(url, rules.mcp_hosts);
      };
      return new CredentialVault(this.credentialStore, key, { tokenEndpointAllowed });
    })();
    this.openedCredentials.catch(() => {
      this.openedCredentials = undefined;
    });
    return this.openedCredentials;
  }

  /** Closes the stores that were opened. */
  async close(): Promise<void> {
    await this.credentialStore?.close();
    await this.openedQueue?.close();
    await this.openedStore?.close();
    await this.openedResources?.close();
    await (await this.openedFiles?.catch(() => undefined))?.close();
    await (await this.openedMemory?.catch(() => undefined))?.close();
  }
}
