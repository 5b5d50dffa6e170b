/**
 * The one place where a document from an API caller is held to the server policy. Every refusal
 * names the JSON path of what was asked for and the policy rule that refuses it, and all of them
 * are reported together as one `policy_denied` error (HTTP 403) before anything is written.
 *
 * What an untrusted document may not do without the operator's say-so:
 * - start a process on the server: an MCP server with `command`, its own command `tools:`;
 * - reach a URL of its choosing: an MCP `url` or a `providers.*.base_url` off the allow-lists — and
 *   a provider at a caller's URL must bring the workspace's own key, never the server's;
 * - read the server's environment or files: `providers.*.api_key_env`, `environment.seed`, an
 *   `offline/scripted?script=` path outside the operator's scripts folder;
 * - leave the sandbox: the `unisolated` driver, or the network unless the policy allows it.
 */
import { isAbsolute, normalize, sep } from 'node:path';
import type { SessionDefinition } from '../kernel/kernel-options.js';
import { ConclaveError, isCommandTool, isNestedTopology, parseModelRef, type AgentSlot, type ConclaveErrorJSON } from '../protocol/index.js';
import { formatJsonPath, type JsonPath } from '../config/format-json-path.js';
import { credentialIdOfSecretName } from '../vault/credential-vault.js';
import { findSecretReferences } from '../vault/secret-resolver.js';
import { isHostAllowed } from './host-allow-list.js';
import { rulesFor, type ServerPolicy, type WorkspaceRules } from './server-policy.js';

/** One refusal: where, which rule, and why. */
export interface PolicyRefusal {
  path: JsonPath;
  /** The policy setting that decides it (`document_tools`, `mcp_hosts`, …). */
  rule: string;
  message: string;
  hint?: string;
}

/** An MCP entry with nothing but a name: a server the operator declared in the policy. */
export function isMcpServerReference(entry: Record<string, unknown>): boolean {
  return Object.keys(entry).every((key) => key === 'name');
}

function checkScriptPath(script: string, rules: WorkspaceRules, path: JsonPath, refusals: PolicyRefusal[]): void {
  if (rules.scripts_dir === undefined) {
    refusals.push({ path, rule: 'scripts_dir', message: 'scripted models read files on the server, and this server names no scripts folder', hint: 'the operator can allow them with `scripts_dir:` in the policy' });
    return;
  }
  const normalised = normalize(script);
  if (isAbsolute(script) || normalised === '..' || normalised.startsWith(`..${sep}`) || script.includes('\0')) {
    refusals.push({ path, rule: 'scripts_dir', message: `script "${script}" is not a relative path inside the server's scripts folder`, hint: 'name a script by its path relative to the scripts folder, without ".."' });
  }
}

function checkAgents(slots: readonly AgentSlot[], rules: WorkspaceRules, base: JsonPath, refusals: PolicyRefusal[]): void {
  slots.forEach((slot, index) => {
    if (isNestedTopology(slot)) {
      checkAgents(slot.agents, rules, [...base, index, 'agents'], refusals);
      return;
    }
    const models = Array.isArray(slot.model) ? slot.model : [slot.model];
    models.forEach((model, position) => {
      const reference = parseModelRef(model);
      const script = reference?.params['script'];
      if (reference?.provider !== 'offline' || script === undefined) return;
      checkScriptPath(script, rules, Array.isArray(slot.model) ? [...base, index, 'model', position] : [...base, index, 'model'], refusals);
    });
    if (slot.spawn !== undefined) checkAgents(slot.spawn.agents, rules, [...base, index, 'spawn', 'agents'], refusals);
  });
}

function checkProviders(definition: SessionDefinition, rules: WorkspaceRules, refusals: PolicyRefusal[]): void {
  for (const [name, settings] of Object.entries(definition.providers ?? {})) {
    if (settings.api_key_env !== undefined) {
      refusals.push({
        path: ['providers', name, 'api_key_env'],
        rule: 'api_key_env',
        message: "a document from the API cannot read the server's environment variables",
        hint: 'bring your own key as a secret of your workspace: `api_key: ${secret:NAME}`, stored with `conclave vault set NAME --workspace <workspace>`',
      });
    }
    if (settings.base_url === undefined) continue;
    if (!isHostAllowed(settings.base_url, rules.provider_hosts)) {
      refusals.push({
        path: ['providers', name, 'base_url'],
        rule: 'provider_hosts',
        message: `the host of ${JSON.stringify(settings.base_url)} is not on the server's provider allow-list`,
        hint: rules.provider_hosts.length === 0 ? 'this server lets API documents reach providers only at their standard addresses' : `allowed hosts: ${rules.provider_hosts.join(', ')}`,
      });
    } else if (settings.api_key === undefined) {
      refusals.push({
        path: ['providers', name, 'base_url'],
        rule: 'provider_hosts',
        message: "a provider at an address the document chose must use the workspace's own key: the server's keys are never sent there",
        hint: 'add `api_key: ${secret:NAME}` and store the key with `conclave vault set NAME --workspace <workspace>`',
      });
    }
  }
}

function checkMcpServers(definition: SessionDefinition, rules: WorkspaceRules, refusals: PolicyRefusal[]): void {
  (definition.mcp_servers ?? []).forEach((server, index) => {
    if (isMcpServerReference(server)) return;
    if (server['command'] !== undefined) {
      refusals.push({
        path: ['mcp_servers', index, 'command'],
        rule: 'mcp_servers',
        message: 'a document from the API cannot start processes on the server',
        hint: 'name an MCP server the operator declared in the policy: `mcp_servers: [{ name: … }]`',
      });
    } else if (typeof server['url'] === 'string' && !isHostAllowed(server['url'], rules.mcp_hosts)) {
      refusals.push({
        path: ['mcp_servers', index, 'url'],
        rule: 'mcp_hosts',
        message: `the host of ${JSON.stringify(server['url'])} is not on the server's MCP allow-list`,
        hint: rules.mcp_hosts.length === 0 ? 'name an MCP server the operator declared in the policy: `mcp_servers: [{ name: … }]`' : `allowed hosts: ${rules.mcp_hosts.join(', ')}`,
      });
    }
  });
}

function checkEnvironment(definition: SessionDefinition, rules: WorkspaceRules, refusals: PolicyRefusal[]): void {
  const environment = definition.environment;
  if (environment === undefined) return;
  if (environment.driver === 'unisolated') {
    refusals.push({ path: ['environment', 'driver'], rule: 'isolation', message: 'tools of a document from the API always run isolated', hint: 'leave `driver` out (bubblewrap)' });
  }
  if (environment.seed !== undefined) {
    refusals.push({ path: ['environment', 'seed'], rule: 'seed', message: "a document from the API cannot copy server folders into its workspace", hint: 'have an agent write the files it needs with its tools' });
  }
  // An allow-list of hosts is network too: the operator's `network` rule decides both.
  if (environment.network !== false && !rules.network) {
    const limited = environment.network === true ? '' : ' (an allow-list of hosts is network too)';
    refusals.push({ path: ['environment', 'network'], rule: 'network', message: `tools of documents from the API have no network on this server${limited}`, hint: 'the operator can allow it with `network: true` in the policy' });
  }
}

/**
 * Vault credentials go only where the server puts them: an MCP `url` server's header, where they are
 * sent to the one URL they were stored for (checked when connecting). Anywhere else — a provider's
 * `api_key`, a server's URL — they would reach an address the document chose.
 */
function checkCredentialReferences(definition: SessionDefinition, refusals: PolicyRefusal[]): void {
  const credentialNames = (value: unknown): string[] =>
    findSecretReferences(value).flatMap((reference) => (credentialIdOfSecretName(reference.name) === undefined ? [] : [reference.name]));
  const message = 'a vault credential is sent only in the headers of the MCP server it was stored for';
  if (credentialNames(definition.providers ?? {}).length > 0) refusals.push({ path: ['providers'], rule: 'vault_credentials', message });
  (definition.mcp_servers ?? []).forEach((server, index) => {
    const { headers, ...rest } = server;
    if (credentialNames(rest).length > 0 || (headers !== undefined && server['url'] === undefined && credentialNames(headers).length > 0)) {
      refusals.push({ path: ['mcp_servers', index], rule: 'vault_credentials', message });
    }
  });
}

/**
 * Every way `definition` asks for more than an untrusted document of `workspace` may use, plus MCP
 * references to servers the operator did not declare (those are refused for any document).
 *
 * @example
 * checkDocumentPolicy(definition, defaultServerPolicy(), 'tenant-b', { untrusted: true })
 * // → [{ path: ['mcp_servers', 0, 'command'], rule: 'mcp_servers', message: '…' }]
 */
export function checkDocumentPolicy(definition: SessionDefinition, policy: ServerPolicy, workspace: string, options: { untrusted: boolean }): PolicyRefusal[] {
  const refusals: PolicyRefusal[] = [];
  const declared = new Set(policy.mcpServers.map((server) => server.name));
  (definition.mcp_servers ?? []).forEach((server, index) => {
    if (isMcpServerReference(server) && !declared.has(server.name)) {
      refusals.push({
        path: ['mcp_servers', index],
        rule: 'mcp_servers',
        message: `no MCP server "${server.name}" is declared by the operator`,
        hint: declared.size === 0 ? 'give the server `command` (stdio) or `url` (HTTP); a name alone refers to a server of the server policy' : `declared servers: ${[...declared].join(', ')}`,
      });
    }
  });
  checkCredentialReferences(definition, refusals);
  const rules = rulesFor(policy, workspace);
  if (!options.untrusted || rules.trust === 'trusted') return refusals;
  checkAgents(definition.agents, rules, ['agents'], refusals);
  checkProviders(definition, rules, refusals);
  // Client-run tools and approvals run nothing on the server; command tools run in its sandbox.
  if ((definition.tools ?? []).some(isCommandTool) && !rules.document_tools) {
    refusals.push({ path: ['tools'], rule: 'document_tools', message: "a document's own command tools are not allowed for documents from the API on this server", hint: 'use the built-in tools, or an MCP server the operator declared; the operator can allow them with `document_tools: true`' });
  }
  checkMcpServers(definition, rules, refusals);
  checkEnvironment(definition, rules, refusals);
  return refusals;
}

/**
 * Throws one `policy_denied` error holding every refusal (each with its path and rule), or returns.
 *
 * @example
 * assertDocumentAllowed(definition, policy, 'tenant-b', { untrusted: true, origin: 'body.document' });
 */
export function assertDocumentAllowed(definition: SessionDefinition, policy: ServerPolicy, workspace: string, options: { untrusted: boolean; origin?: string }): void {
  const refusals = checkDocumentPolicy(definition, policy, workspace, options);
  if (refusals.length === 0) return;
  const issues: ConclaveErrorJSON[] = refusals.map((refusal) => {
    const path = formatJsonPath(refusal.path);
    return new ConclaveError('policy_denied', `${path}: ${refusal.message} (policy rule \`${refusal.rule}\`)`, {
      location: { ...(options.origin !== undefined ? { file: options.origin } : {}), path },
      ...(refusal.hint !== undefined ? { hint: refusal.hint } : {}),
    }).toJSON();
  });
  const first = issues[0]!;
  throw new ConclaveError('policy_denied', issues.length === 1 ? first.message : `the server policy refuses this document: ${issues.length} problems`, {
    ...(first.location !== undefined ? { location: first.location } : {}),
    ...(issues.length === 1 && first.hint !== undefined ? { hint: first.hint } : {}),
    issues,
  });
}
