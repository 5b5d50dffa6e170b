/**
 * The sandbox half of session tools, loaded only when a session's agents have tools: the sandbox
 * (driver and environment from the document: bubblewrap unless `unisolated` is chosen by name; seed
 * directory; network — none, all, or an allow-list of hosts — and web_fetch's own domains; limits),
 * the built-in tools, the document's own command tools, mounted session files and MCP servers.
 * `session-tools.ts` imports it on a session's first tool use, so a run without tools never loads
 * the sandbox, the egress proxy or the MCP client.
 */
import { createSandboxTools, type DisposableSessionTools, type SecretScope, type SessionDefinition, type SessionTrust } from '../kernel/index.js';
// The MCP client (and the MCP SDK under it) is imported when a session first uses an MCP tool:
// documents without `mcp_servers` never load it.
import type { McpServerConfig, McpTools } from '../mcp/index.js';
import { substituteSecrets } from '../vault/index.js';
import { credentialIdOfSecretName, type CredentialVault } from '../vault/credential-vault.js';
import { findSecretReferences } from '../vault/secret-resolver.js';
import { ConclaveError, emptyInputSchema, isCommandTool, type EnvironmentSettings, type SandboxCommandTool, type SandboxLimits, type SandboxNetwork, type SandboxWebFetchDomains } from '../protocol/index.js';
import type { FileStore } from '../protocol/files.js';
import { createSandboxDriver, sandboxToolDefinitions } from '../sandbox/index.js';
import { resolveMountPath } from '../sandbox/mount-paths.js';
import { withMountedFiles, type MountedFile } from '../sandbox/mounted-files.js';
import type { SessionToolsOptions } from './session-tools.js';

/** What the factory settled once, for every session it wires. */
export interface SessionSandboxSettings {
  options: SessionToolsOptions;
  workspaceRoot: string;
  resolveSecret: (name: string, scope?: SecretScope) => Promise<string>;
  operatorServers: ReadonlyMap<string, McpServerConfig>;
}

function limitsOf(definition: SessionDefinition): SandboxLimits | undefined {
  const limits = definition.environment?.limits;
  if (limits === undefined) return undefined;
  const result: SandboxLimits = {};
  if (limits.wall_time_ms !== undefined) result.wallTimeMs = limits.wall_time_ms;
  if (limits.cpu_seconds !== undefined) result.cpuSeconds = limits.cpu_seconds;
  if (limits.memory_mb !== undefined) result.memoryBytes = limits.memory_mb * 1024 * 1024;
  if (limits.processes !== undefined) result.processes = limits.processes;
  if (limits.output_bytes !== undefined) result.outputBytes = limits.output_bytes;
  return result;
}

/**
 * Sandbox tools plus the tools of the document's MCP servers (`<server>__<tool>`), connected on
 * first use with their `${secret:…}` references resolved only then, and closed when disposed.
 */
function withMcpTools(sandbox: DisposableSessionTools, servers: readonly McpServerConfig[], resolveSecrets: (value: string) => Promise<string>): DisposableSessionTools {
  let connection: Promise<McpTools> | undefined;
  const connect = (): Promise<McpTools> => {
    connection ??= import('../mcp/index.js')
      .then(({ connectMcpServers }) => connectMcpServers(servers, { resolve: resolveSecrets, clientName: 'conclave' }))
      .catch((error: unknown) => {
        connection = undefined;
        throw error;
      });
    return connection;
  };
  const isMcp = (name: string): boolean => servers.some((server) => name.startsWith(`${server.name}__`));
  return {
    async definitionsFor(names) {
      const wanted = names ?? [];
      const fromSandbox = await sandbox.definitionsFor(wanted.filter((name) => !isMcp(name)));
      if (!wanted.some(isMcp)) return fromSandbox;
      const mcp = await connect();
      return [...fromSandbox, ...mcp.definitions.filter((definition) => wanted.includes(definition.name))];
    },
    async execute(call, signal) {
      if (!isMcp(call.toolName)) return sandbox.execute(call, signal);
      const mcp = await connect();
      return mcp.execute(call.toolName, (call.input ?? {}) as Record<string, unknown>, signal);
    },
    async dispose() {
      await sandbox.dispose();
      await connection?.then((opened) => opened.close()).catch(() => undefined);
    },
  };
}

/** The files a session's resources mount, read from the file store when they are written. */
async function sessionMounts(files: () => Promise<FileStore>, sessionId: string): Promise<MountedFile[]> {
  const store = await files();
  const resources = await store.listSessionResources(sessionId);
  return resources.map((resource) => ({
    key: `${resource.id}:${resource.fileId}:${resource.mountPath}`,
    mountPath: resource.mountPath,
    workspacePath: resolveMountPath(resource.mountPath).workspacePath,
    label: `file ${resource.fileId} (session resource ${resource.id})`,
    read: () => store.readFileContent(resource.workspace, resource.fileId),
  }));
}

/**
 * The value of a vault credential reference for `server` (undefined for any other secret): only in
 * a workspace's session, only with a credential vault, only for the URL it was stored for.
 */
function credentialLookup(name: string, server: McpServerConfig, scope: SecretScope | undefined, credentials: (() => Promise<CredentialVault>) | undefined): Promise<string> | undefined {
  const credentialId = credentialIdOfSecretName(name);
  if (credentialId === undefined) return undefined;
  if (scope === undefined || credentials === undefined || server.url === undefined) {
    return Promise.reject(new ConclaveError('secret_not_found', `vault credential ${credentialId} is not available to this session`, { hint: 'vault credentials are for MCP url servers of Managed Agents sessions' }));
  }
  const url = server.url;
  return credentials().then((vault) => vault.bearerToken(scope.workspace, credentialId, url));
}

/** A document's `environment.network` as the sandbox spec takes it. */
function sandboxNetworkOf(network: EnvironmentSettings['network'] | undefined): SandboxNetwork {
  if (network === undefined || typeof network === 'boolean') return network ?? false;
  return { allowedHosts: network.allowed_hosts, ...(network.blocked_hosts !== undefined ? { blockedHosts: network.blocked_hosts } : {}) };
}

/** A document's `environment.web_fetch` as the sandbox spec takes it. */
function webFetchDomainsOf(domains: NonNullable<EnvironmentSettings['web_fetch']>): SandboxWebFetchDomains {
  return {
    ...(domains.allowed_domains !== undefined ? { allowedDomains: domains.allowed_domains } : {}),
    ...(domains.blocked_domains !== undefined ? { blockedDomains: domains.blocked_domains } : {}),
  };
}

/**
 * The tools of one session whose agents have tools: a lazily provisioned sandbox plus its MCP servers.
 *
 * @example
 * const tools = createSessionSandboxTools(settings, 'sess_1', definition, undefined);
 * await tools.execute({ toolCallId: 'c1', toolName: 'bash', input: { command: 'ls' } }, signal);
 */
export function createSessionSandboxTools(settings: SessionSandboxSettings, sessionId: string, definition: SessionDefinition, trust: SessionTrust | undefined): DisposableSessionTools {
  const { options, workspaceRoot, operatorServers } = settings;
  const resolveSecret = settings.resolveSecret;
  // Client-run tools and approvals on other tools are the kernel's (see `document-tool-policy.ts`).
  const commandTools: SandboxCommandTool[] = (definition.tools ?? []).filter(isCommandTool).map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.input_schema ?? emptyInputSchema, command: tool.command }));
  const environment = definition.environment;
  const limits = limitsOf(definition);
  // An API caller's tools are always isolated, whatever its document says (the policy refuses it anyway).
  const driver = createSandboxDriver(trust?.untrusted === true ? 'bubblewrap' : (environment?.driver ?? 'bubblewrap'), { workspaceRoot });
  const tools = createSandboxTools({
    driver: options.files === undefined ? driver : withMountedFiles(driver, { workspaceRoot, list: (id) => sessionMounts(options.files as () => Promise<FileStore>, id) }),
    spec: {
      sessionId,
      network: sandboxNetworkOf(environment?.network),
      ...(environment?.web_fetch !== undefined ? { webFetch: webFetchDomainsOf(environment.web_fetch) } : {}),
      keepWorkspace: true,
      commandTools,
      ...(environment?.seed !== undefined ? { seedDirectory: environment.seed } : {}),
      ...(limits !== undefined ? { limits } : {}),
    },
    definitions: sandboxToolDefinitions(commandTools),
  });
  const servers = (definition.mcp_servers ?? []) as unknown as McpServerConfig[];
  // `{ name }` entries are the operator's servers and use the server's secrets; the document's
  // own servers use the document's: for an API caller, only its workspace's.
  const declared = servers.flatMap((server) => (server.command === undefined && server.url === undefined ? [operatorServers.get(server.name) ?? server] : []));
  const own = servers.filter((server) => server.command !== undefined || server.url !== undefined);
  const scope = trust?.untrusted === true ? { workspace: trust.workspace } : undefined;
  let result: DisposableSessionTools = tools;
  // A server that sends a vault credential gets a lookup bound to its own URL.
  const usesCredential = (server: McpServerConfig): boolean => findSecretReferences(server).some((reference) => credentialIdOfSecretName(reference.name) !== undefined);
  const plain = own.filter((server) => !usesCredential(server));
  if (plain.length > 0) result = withMcpTools(result, plain, (value) => substituteSecrets(value, (name) => resolveSecret(name, scope)));
  for (const server of own.filter(usesCredential)) {
    const lookup = (name: string): Promise<string> => credentialLookup(name, server, scope, options.credentials) ?? resolveSecret(name, scope);
    result = withMcpTools(result, [server], (value) => substituteSecrets(value, lookup));
  }
  if (declared.length > 0) result = withMcpTools(result, declared, (value) => substituteSecrets(value, (name) => resolveSecret(name)));
  return result;
}
