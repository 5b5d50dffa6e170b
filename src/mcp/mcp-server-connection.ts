/**
 * One MCP server, kept connected for a session. Secrets are substituted into its environment,
 * headers and URL only here, at the moment of connecting, and only the copy handed to the SDK
 * holds them. A server that dies during a call fails that call (the tool may or may not have run,
 * so it is not run again) and is restarted, once, by the next call; one found dead between calls
 * is restarted before the call, since nothing of that call has happened yet.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { ConclaveError, isConclaveError, toConclaveError } from '../protocol/index.js';
import { describeMcpEndpoint, type McpEndpoint } from './mcp-server-config.js';
import { collectRedactions, redactText, type Redaction } from './mcp-redaction.js';
import { flattenToolResult, type McpToolOutcome } from './mcp-tool-result.js';

/** Substitutes `${secret:NAME}` references in one value; may look secrets up asynchronously. */
export type ResolveSecrets = (value: string) => string | Promise<string>;

export interface McpConnectOptions {
  /** Applied to environment values, header values and the URL just before connecting. */
  resolve?: ResolveSecrets;
  /** Aborts connecting (the first connection; a restart follows the signal of its call). */
  signal?: AbortSignal;
  /** How conclave introduces itself to servers (`clientInfo.name`). */
  clientName?: string;
  clientVersion?: string;
  /** Longest wait for connecting and listing tools, and for one tool call. */
  timeoutMs?: number;
}

/** The SDK's own default request timeout. */
export const defaultMcpTimeoutMs = 60_000;

/** How much of a stdio server's stderr is kept to explain why it failed to start. */
const stderrTailLength = 1_000;

interface LiveClient {
  client: Client;
  /** Hides this connection's resolved secrets, header values and URL in a message. */
  redact(text: string): string;
  /** Set when the transport closes (the process exited, the SDK gave up on the stream). */
  closed: boolean;
}

/** A connected server. */
export interface McpServerConnection {
  readonly endpoint: McpEndpoint;
  /** The tools the server listed when first connected; they stay the session's tools. */
  readonly tools: readonly Tool[];
  /** Calls one tool. Failures are outcomes with `isError`; throws only `aborted`. */
  call(tool: string, input: Record<string, unknown>, signal: AbortSignal): Promise<McpToolOutcome>;
  /** Closes the connection; a stdio server's process is ended. */
  close(): Promise<void>;
}

function abortedError(cause?: unknown): ConclaveError {
  return new ConclaveError('aborted', 'connecting to the MCP servers was aborted', { cause });
}

async function resolveRecord(record: Record<string, string>, resolve: ResolveSecrets): Promise<Record<string, string>> {
  const entries = await Promise.all(Object.entries(record).map(async ([key, value]) => [key, await resolve(value)] as const));
  return Object.fromEntries(entries);
}

/** The SDK transport for an endpoint with its secrets substituted, and what to hide in its messages. */
async function createTransport(
  endpoint: McpEndpoint,
  resolve: ResolveSecrets,
  stderr: { tail: string },
): Promise<{ transport: Transport; redactions: Redaction[] }> {
  if (endpoint.transport === 'stdio') {
    const transport = new StdioClientTransport({
      command: endpoint.command,
      args: endpoint.args,
      env: await resolveRecord(endpoint.env, resolve),
      ...(endpoint.cwd !== undefined ? { cwd: endpoint.cwd } : {}),
      // Piped, not inherited: a server's logging must not land in the middle of the CLI's output.
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr.tail = (stderr.tail + chunk.toString('utf8')).slice(-stderrTailLength);
    });
    return { transport, redactions: await collectRedactions(endpoint, {}, resolve) };
  }
  const resolved = { url: await resolve(endpoint.url), headers: await resolveRecord(endpoint.headers, resolve) };
  const redactions = await collectRedactions(endpoint, resolved, resolve);
  if (!URL.canParse(resolved.url)) {
    throw new ConclaveError('invalid_argument', `MCP server "${endpoint.name}": ${describeMcpEndpoint(endpoint)} is not a valid URL once its secrets are substituted`);
  }
  return { transport: new StreamableHTTPClientTransport(new URL(resolved.url), { requestInit: { headers: resolved.headers } }), redactions };
}

/** Starts (stdio) or reaches (HTTP) a server and completes the MCP handshake. */
async function connectClient(endpoint: McpEndpoint, options: McpConnectOptions, signal: AbortSignal | undefined): Promise<LiveClient> {
  const where = `MCP server "${endpoint.name}" (${describeMcpEndpoint(endpoint)})`;
  const stderr = { tail: '' };
  let transport: Transport;
  let redactions: Redaction[];
  try {
    ({ transport, redactions } = await createTransport(endpoint, options.resolve ?? ((value) => value), stderr));
  } catch (thrown) {
    const error = toConclaveError(thrown);
    throw new ConclaveError(error.code, `${where}: ${error.message}`, {
      category: error.category,
      ...(error.hint !== undefined ? { hint: error.hint } : {}),
      ...(error.location !== undefined ? { location: error.location } : {}),
      cause: thrown,
    });
  }
  const client = new Client({ name: options.clientName ?? 'conclave', version: options.clientVersion ?? '0.1.0' }, { capabilities: {} });
  const redact = (text: string): string => redactText(text, redactions);
  const live: LiveClient = { client, redact, closed: false };
  client.onclose = () => {
    live.closed = true;
  };
  try {
    if (signal?.aborted === true) throw abortedError(signal.reason);
    await client.connect(transport, { timeout: options.timeoutMs ?? defaultMcpTimeoutMs, ...(signal !== undefined ? { signal } : {}) });
    return live;
  } catch (thrown) {
    await client.close().catch(() => undefined);
    if (signal?.aborted === true || (isConclaveError(thrown) && thrown.code === 'aborted')) throw abortedError(thrown);
    const message = redact(thrown instanceof Error ? thrown.message : String(thrown));
    const said = redact(stderr.tail.trim());
    throw new ConclaveError('tool_failed', `${where} could not be ${endpoint.transport === 'stdio' ? 'started' : 'reached'}: ${message}`, {
      ...(said !== '' ? { hint: `its last output: ${said}` } : {}),
      cause: thrown,
    });
  }
}

async function listAllTools(live: LiveClient, endpoint: McpEndpoint, options: McpConnectOptions): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  try {
    do {
      const page = await live.client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout: options.timeoutMs ?? defaultMcpTimeoutMs,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  } catch (thrown) {
    await live.client.close().catch(() => undefined);
    if (options.signal?.aborted === true) throw abortedError(thrown);
    const message = live.redact(thrown instanceof Error ? thrown.message : String(thrown));
    throw new ConclaveError('tool_failed', `MCP server "${endpoint.name}" (${describeMcpEndpoint(endpoint)}) did not list its tools: ${message}`, { cause: thrown });
  }
  return tools;
}

/** Whether a failed call leaves the connection usable (the server answered with an error). */
function connectionSurvived(thrown: unknown, live: LiveClient): boolean {
  return !live.closed && thrown instanceof McpError && thrown.code !== ErrorCode.ConnectionClosed;
}

/**
 * Connects to one server and lists its tools. Throws `tool_failed` naming the server and its
 * command or URL when it cannot be started or reached, `invalid_argument` for a URL that is not
 * one once its secrets are substituted, and `aborted`.
 *
 * @example
 * const connection = await openMcpServerConnection({ transport: 'stdio', name: 'files', command: 'mcp-files', args: [], env: {} }, {});
 * await connection.call('read', { path: 'README.md' }, AbortSignal.timeout(10_000));
 */
export async function openMcpServerConnection(endpoint: McpEndpoint, options: McpConnectOptions): Promise<McpServerConnection> {
  const first = await connectClient(endpoint, options, options.signal);
  const tools = await listAllTools(first, endpoint, options);
  let current: Promise<LiveClient> | undefined = Promise.resolve(first);
  let closed = false;

  /** Ends a client; marked closed first, so that the next call restarts the server. */
  const drop = async (live: LiveClient): Promise<void> => {
    live.closed = true;
    await live.client.close().catch(() => undefined);
  };
  /** The live client, restarting the server once if it is gone; concurrent callers share the restart. */
  const acquire = async (signal: AbortSignal): Promise<LiveClient> => {
    const existing = current;
    if (existing !== undefined) {
      const live = await existing.catch(() => undefined);
      if (live !== undefined && !live.closed) return live;
      if (current === existing) current = undefined;
      if (live !== undefined) await drop(live);
    }
    // close() may have run while this waited: starting a server now would leave it running.
    if (closed) throw new ConclaveError('tool_failed', 'the connection is closed');
    current ??= connectClient(endpoint, options, signal);
    return current;
  };

  return {
    endpoint,
    tools,
    async call(tool, input, signal) {
      const label = `MCP server "${endpoint.name}"`;
      if (closed) return { output: `Error: ${label} is closed`, isError: true };
      let live: LiveClient;
      try {
        live = await acquire(signal);
      } catch (thrown) {
        if (signal.aborted) throw new ConclaveError('aborted', 'the tool call was aborted', { cause: thrown });
        const error = toConclaveError(thrown);
        return { output: `Error: ${label} could not be restarted: ${error.message}`, isError: true };
      }
      try {
        const result = await live.client.callTool({ name: tool, arguments: input }, undefined, {
          signal,
          timeout: options.timeoutMs ?? defaultMcpTimeoutMs,
          resetTimeoutOnProgress: true,
        });
        return flattenToolResult(result);
      } catch (thrown) {
        if (signal.aborted) throw new ConclaveError('aborted', 'the tool call was aborted', { cause: thrown });
        const message = live.redact(thrown instanceof Error ? thrown.message : String(thrown));
        if (connectionSurvived(thrown, live)) return { output: `Error: ${label} failed "${tool}": ${message}`, isError: true };
        await drop(live);
        return { output: `Error: ${label} stopped during "${tool}" (${message}); it is restarted for the next call`, isError: true };
      }
    },
    async close() {
      closed = true;
      const existing = current;
      current = undefined;
      const live = await existing?.catch(() => undefined);
      if (live !== undefined) await drop(live);
    },
  };
}
