/**
 * conclave as an MCP server: the face another agent or a desktop assistant uses to convene a
 * debate. One `McpServer` (the official SDK) per connected client offers the document catalog as
 * tools — `run_topology`, `list_documents`, `list_sessions`, `get_session` — over whatever transport
 * the caller came by: stdio for the local user (`conclave mcp`), streamable HTTP under
 * `conclave serve` for an API key's holder. Thin, like every face: the tools translate into kernel
 * calls and the log back; who the caller is (`McpCaller`) decides trust and workspace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { TopologyDocument } from '../config/index.js';
import type { Kernel } from '../kernel/index.js';
import type { DocumentCatalog } from '../server/document-catalog.js';
import { toolError } from './mcp-tool-results.js';
import { runTopologyTool } from './run-topology-tool.js';
import { getSessionTool, listDocumentsTool, listSessionsTool } from './session-reading-tools.js';

/** Who is calling, which decides what its documents may do and which sessions it sees. */
export interface McpCaller {
  /**
   * The workspace its sessions are created in and read from (an API key's). Undefined for the local
   * user, whose sessions are the CLI's and who sees every session of the store, as `conclave sessions` does.
   */
  workspace?: string;
  /**
   * Its inline documents are held to the server policy (an API key's holder), or trusted with
   * everything they say (the local user). Documents of the catalog are always the operator's.
   */
  untrusted: boolean;
}

export interface ConclaveMcpServerOptions {
  kernel: Kernel;
  /** The named documents (`--documents`, default `examples/`). */
  documents: Pick<DocumentCatalog, 'directory' | 'list' | 'load'>;
  /** Parses a document sent inline as YAML or JSON text, with the limits that fit the caller. */
  parseInline(text: string): Promise<TopologyDocument>;
  caller: McpCaller;
  /**
   * Sessions run on `conclave worker`s (the kernel launches them through a queue): `run_topology`
   * launches the session and follows its log to the outcome, instead of running it here.
   */
  sessionsRunOnWorkers?: boolean;
  /** Told when a `run_topology` starts and ends (a transport keeps a client with a run in flight alive). */
  onRun?: { started(): void; ended(): void };
}

/** The name the server gives itself in the MCP handshake. */
export const mcpServerName = 'conclave';

/**
 * The package version, from the nearest package.json above this file (src/, dist/src/ or dist/cli/).
 *
 * @example
 * new McpServer({ name: 'conclave', version: conclaveVersion() });
 */
export function conclaveVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) directory = dirname(directory);
  try {
    return (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Builds the MCP server of one client; connect it to a transport (`server.connect(transport)`).
 *
 * @example
 * const server = createConclaveMcpServer({ kernel, documents, parseInline, caller: { untrusted: false } });
 * await server.connect(new StdioServerTransport());
 */
export function createConclaveMcpServer(options: ConclaveMcpServerOptions): McpServer {
  const server = new McpServer(
    { name: mcpServerName, version: conclaveVersion() },
    {
      instructions:
        'conclave runs multi-agent topologies (debate, pipeline, voting, …) as durable sessions. ' +
        'Call list_documents to see the named topology documents, then run_topology with one of their names (or a YAML document) and a task; ' +
        'the answer comes back with the session id, which get_session reads later (transcript included).',
    },
  );
  const guarded =
    <Args extends unknown[]>(handler: (...args: Args) => Promise<CallToolResult>) =>
    async (...args: Args): Promise<CallToolResult> => {
      try {
        return await handler(...args);
      } catch (error) {
        return toolError(error);
      }
    };

  server.registerTool(
    'run_topology',
    {
      title: 'Run a topology',
      description:
        'Runs a multi-agent topology (a debate, a pipeline, a vote, …) on a task until it answers, and returns the answer, ' +
        'why it stopped (reason), token usage, cost and the session id. Progress is reported while agents work; cancelling interrupts the session, which stays resumable.',
      inputSchema: {
        document: z.string().min(1).describe('The name of a document from list_documents (e.g. "debate"), or a whole topology document as YAML or JSON text.'),
        task: z.string().min(1).describe('The question or job for the agents.'),
        seed: z.number().int().min(0).optional().describe('Seed for simulated models and tie-breaks: the same seed gives the same answer.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    guarded((args, extra) => runTopologyTool(options, args, extra)),
  );

  server.registerTool(
    'list_documents',
    {
      title: 'List topology documents',
      description: 'The named topology documents run_topology accepts: name, title, topology, agents and default task of each.',
      annotations: { readOnlyHint: true },
    },
    guarded(() => listDocumentsTool(options)),
  );

  server.registerTool(
    'list_sessions',
    {
      title: 'List sessions',
      description: 'Sessions run so far, newest first: id, status, topology, title and dates.',
      inputSchema: {
        limit: z.number().int().min(1).max(100).optional().describe('How many (default 20).'),
        status: z.enum(['created', 'running', 'idle', 'terminated']).optional().describe('Only sessions with this status.'),
      },
      annotations: { readOnlyHint: true },
    },
    guarded((args) => listSessionsTool(options, args)),
  );

  server.registerTool(
    'get_session',
    {
      title: 'Read a session',
      description: "A session's result (status, answer, reason, usage, cost) and its transcript: what each agent said, in order.",
      inputSchema: { session_id: z.string().min(1).describe('The session id (sesn_…), from run_topology or list_sessions.') },
      annotations: { readOnlyHint: true },
    },
    guarded((args) => getSessionTool(options, args)),
  );

  return server;
}
