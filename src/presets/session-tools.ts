/**
 * Wires agents' tools for the CLI and the server. Workspaces live under
 * `.conclave/workspaces/<session id>` and are kept between turns and across a resume in another
 * process, so an agent finds its files where it left them. A session whose agents have no tools
 * gets none; one whose agents have tools loads the sandbox (`session-sandbox-tools.ts`) on first
 * use, so `conclave run` of a tool-less document never imports the sandbox code.
 */
import type { DisposableSessionTools, SecretScope, SessionDefinition, SessionTools, SessionTrust } from '../kernel/index.js';
import type { McpServerConfig } from '../mcp/index.js';
import type { AgentMemoryStore } from '../memory/agent-memory-types.js';
import { isMemoryTool } from '../memory/memory-settings.js';
import { sessionMemoryTools } from '../memory/memory-session.js';
import { createSecretResolver } from '../vault/index.js';
import type { CredentialVault } from '../vault/credential-vault.js';
import { isNestedTopology, spawnAgentToolName, type AgentSlot } from '../protocol/index.js';
import type { FileStore } from '../protocol/files.js';
import { defaultWorkspaceRoot, removeWorkspace, workspaceDirectory } from '../sandbox/workspace.js';
import type { SessionSandboxSettings } from './session-sandbox-tools.js';

export interface SessionToolsOptions {
  /** Directory of per-session workspaces (default: CONCLAVE_WORKSPACES, else `.conclave/workspaces`). */
  workspaceRoot?: string;
  /** Resolves `${secret:NAME}` in MCP server settings (default: the environment only). */
  secrets?: (name: string, scope?: SecretScope) => Promise<string>;
  /**
   * MCP servers the operator declares (the server policy's `mcp_servers`): a document's
   * `{ name }` entry connects to one of these, with its secrets resolved from the server.
   */
  operatorMcpServers?: readonly McpServerConfig[];
  /**
   * The vault credentials (`${secret:CONCLAVE_CREDENTIAL_…}` in an MCP server's headers): each
   * opens only for the URL it was stored for, in its own workspace. Opened on first use.
   */
  credentials?: () => Promise<CredentialVault>;
  /** The file store of session resources: files they mount are written into the workspace before each tool call. */
  files?: () => Promise<FileStore>;
  /** The agent memory store: a session with memory stores gets the memory tools (run here, not in the sandbox). */
  memory?: () => Promise<AgentMemoryStore>;
}

/** Whether an agent (or one it may spawn) has tools that run in the sandbox (memory tools and spawn_agent run in this process). */
function anyAgentHasTools(agents: readonly AgentSlot[]): boolean {
  return agents.some((slot) => {
    if (isNestedTopology(slot)) return anyAgentHasTools(slot.agents);
    return (slot.tools ?? []).some((tool) => !isMemoryTool(tool) && tool !== spawnAgentToolName) || (slot.spawn !== undefined && anyAgentHasTools(slot.spawn.agents));
  });
}

const noTools: SessionTools = {
  definitionsFor: () => Promise.resolve([]),
  execute: () => Promise.resolve({ output: 'Error: this session has no tools', isError: true }),
};

/**
 * Removes a deleted session's workspace (for the kernel's `onSessionDeleted`).
 *
 * @example
 * new Kernel({ store, registry, onSessionDeleted: (id) => removeSessionWorkspace(id) });
 */
export async function removeSessionWorkspace(sessionId: string, options: SessionToolsOptions = {}): Promise<void> {
  await removeWorkspace(workspaceDirectory(workspaceRootOf(options), sessionId));
}

function workspaceRootOf(options: SessionToolsOptions): string {
  return options.workspaceRoot ?? (process.env['CONCLAVE_WORKSPACES'] || defaultWorkspaceRoot);
}

/**
 * Session tools that load the sandbox half on first use: the import and the sandbox's creation
 * happen once, and `dispose` before any use costs nothing.
 */
function lazySessionTools(create: () => Promise<DisposableSessionTools>): DisposableSessionTools {
  let tools: Promise<DisposableSessionTools> | undefined;
  const opened = (): Promise<DisposableSessionTools> => (tools ??= create());
  return {
    definitionsFor: async (names) => (await opened()).definitionsFor(names),
    execute: async (call, signal) => (await opened()).execute(call, signal),
    dispose: async () => {
      if (tools !== undefined) await (await tools).dispose();
    },
  };
}

/**
 * A `sessionTools` factory for the kernel.
 *
 * @example
 * new Kernel({ store, registry, sessionTools: createSessionToolsFactory() });
 */
export function createSessionToolsFactory(options: SessionToolsOptions = {}): (sessionId: string, definition: SessionDefinition, trust?: SessionTrust) => SessionTools {
  const settings: SessionSandboxSettings = {
    options,
    workspaceRoot: workspaceRootOf(options),
    resolveSecret: options.secrets ?? createSecretResolver({ env: process.env }),
    operatorServers: new Map((options.operatorMcpServers ?? []).map((server) => [server.name, server])),
  };
  return (sessionId, definition, trust) => {
    const tools = anyAgentHasTools(definition.agents) ? lazySessionTools(async () => (await import('./session-sandbox-tools.js')).createSessionSandboxTools(settings, sessionId, definition, trust)) : noTools;
    if (options.memory === undefined) return tools;
    return sessionMemoryTools(tools, { store: options.memory, sessionId, definition, workspace: trust?.workspace ?? 'default' }) ?? tools;
  };
}
