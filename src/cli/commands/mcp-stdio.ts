/**
 * `conclave mcp`: conclave as an MCP server over stdio, for a desktop assistant or another agent
 * that starts it as a subprocess. stdout carries the protocol and nothing else — every log line,
 * this command's and any stray `console.log`, goes to stderr. The caller is the local user: its
 * inline documents are trusted like a file given to `conclave run`, and its sessions are the CLI's
 * (same `--store`). The server stops when the client closes stdin, or on SIGINT / SIGTERM; runs still
 * in flight are interrupted and stay resumable.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { parseTopologyDocument } from '../../config/index.js';
import { createConclaveMcpServer } from '../../mcp-server/conclave-mcp-server.js';
import { createDocumentCatalog } from '../../server/document-catalog.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { untilSignal } from '../signals.js';

export interface McpCommandOptions {
  /** Directory of named topology documents. Default `examples`. */
  documents?: string;
}

/** Resolves when the client closes our stdin: the end of the conversation. */
function untilStdinCloses(): Promise<string> {
  return new Promise((resolveClosed) => {
    process.stdin.once('end', () => resolveClosed('the client closed stdin'));
    process.stdin.once('close', () => resolveClosed('the client closed stdin'));
  });
}

/**
 * Serves MCP over stdio until the client goes away or a signal; returns the exit code.
 *
 * @example
 * await mcpCommand(context, { documents: 'examples' });
 */
export async function mcpCommand(context: CliContext, options: McpCommandOptions = {}): Promise<number> {
  // Whatever prints with console.log from here on must not corrupt the protocol on stdout.
  console.log = console.error;
  console.info = console.error;
  const directory = options.documents ?? 'examples';
  const documents = createDocumentCatalog({ directory, registry: context.registry });
  const kernel = context.kernel();
  const server = createConclaveMcpServer({
    kernel,
    documents,
    // The local user's document, read like a file given to `conclave run` (default limits, full trust).
    parseInline: async (text) => parseTopologyDocument(text, { file: 'document', registry: context.registry }),
    caller: { untrusted: false },
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<string>((resolveClosed) => {
    transport.onclose = () => resolveClosed('the transport closed');
  });
  await server.connect(transport);
  process.stderr.write(`conclave MCP server on stdio (sessions: ${context.storeDisplay()}; documents from ${directory})\n`);

  const reason = await Promise.race([untilStdinCloses(), closed, untilSignal().then((signal) => `${signal}`)]);
  process.stderr.write(`conclave MCP server stopping: ${reason}\n`);
  // Running sessions are interrupted, not cut: each idles with its finished calls journaled.
  const interrupted = await kernel.stopAll(`MCP server stopped (${reason})`);
  if (interrupted > 0) process.stderr.write(`${interrupted} running session(s) interrupted; continue them with: conclave resume ID\n`);
  await server.close().catch(() => undefined);
  return exitCodes.success;
}
