/**
 * The checks a new session passes before anything is written, and its first events: a task, a
 * known topology, the server policy, credentials, the memory stores and secrets it names, and its
 * budget. A refused session leaves no trace in the store.
 */
import { ConclaveError, createId, registryWithDocumentProviders, type NewSessionEvent, type Registry } from '../protocol/index.js';
import { assertDocumentAllowed, sessionTrustFor, type ServerPolicy } from '../policy/index.js';
import { assertCredentials } from './credentials.js';
import type { CreateSessionOptions, KernelOptions, SessionDefinition } from './kernel-options.js';
import type { ProviderAccess } from './provider-access.js';
import { createdBudgetData } from './session-budget.js';
import type { SessionSecrets } from './session-secrets.js';
import { isPricedModel, preparedDefinition, sessionCreatedEvents } from './session-setup.js';
import { resolveAlias } from './topology-runner.js';

/** What the checks need of the kernel creating the session. */
export interface CreationHost {
  registry: Registry;
  policy: ServerPolicy;
  options: KernelOptions;
  secrets: SessionSecrets;
  access: ProviderAccess;
  /** The creation time, ISO 8601. */
  at: string;
}

/**
 * Checks a new session and words its first events (`session.created`, and `budget.set` when it
 * starts with a budget), under a fresh session id. Throws the caller's error (`invalid_argument`,
 * `unknown_topology`, a policy refusal, a missing credential) before anything is written.
 *
 * @example
 * const { sessionId, created } = await checkedSessionCreation(host, document, { task: 'Is P = NP?' });
 * await store.append(sessionId, 1, created);
 */
export async function checkedSessionCreation(host: CreationHost, definition: SessionDefinition, options: CreateSessionOptions): Promise<{ sessionId: string; created: NewSessionEvent[] }> {
  const { registry, policy, secrets } = host;
  const task = options.task ?? definition.task ?? '';
  if (task.trim() === '' && options.awaitInput !== true) {
    throw new ConclaveError('invalid_argument', 'no task: give one with --task or a `task:` in the document');
  }
  const resolved = resolveAlias(registry, definition.topology, definition.options);
  if (!registry.topologies.has(resolved.topology)) {
    throw new ConclaveError('unknown_topology', `unknown topology "${definition.topology}"`);
  }
  // The policy is checked before anything is written: a refused document leaves no trace.
  const trust = sessionTrustFor(policy, options.workspace ?? 'default', options.untrusted === true);
  assertDocumentAllowed(definition, policy, trust.workspace, { untrusted: trust.untrusted, ...(options.source !== undefined ? { origin: options.source } : {}) });
  assertCredentials(definition.agents, registryWithDocumentProviders(registry, definition.providers), host.options.env ?? process.env, definition.providers);
  // What lives outside the document (memory stores) is looked up now: an unknown one is the caller's error.
  definition = await preparedDefinition(definition, host.options, trust, options.attributes);
  // A workspace's secrets are looked up now, so a missing one is the caller's 400, not a failed run.
  if (trust.untrusted) await secrets.prepare(definition, { workspace: trust.workspace });
  const seed = options.seed ?? definition.seed ?? 0;
  // Budgets are checked before anything is written too (a `max_usd` needs priced models).
  const budgetSet = createdBudgetData(definition, options.budget, (model) => isPricedModel(host.access, model, definition, trust));
  const sessionId = createId('session');
  const created = sessionCreatedEvents({
    definition, resolved, task, seed, options, untrusted: trust.untrusted, at: host.at, redact: (data) => secrets.redact(data), ...(budgetSet !== undefined ? { budgetSet } : {}),
  });
  return { sessionId, created };
}
