/**
 * The MCP tools that read: `list_documents` (the catalog, described enough to choose from),
 * `list_sessions` and `get_session` (a session's result and its transcript, from its log). An API
 * key's holder sees only its workspace's sessions; another workspace's session is "not found",
 * exactly as over the native API. The local user sees every session, as `conclave sessions` does.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { summarizeSession } from '../kernel/index.js';
import { sessionResultJson } from '../kernel/start-session.js';
import { ConclaveError, toConclaveError, type SessionEvent, type SessionStatus, type SessionSummary } from '../protocol/index.js';
import type { ConclaveMcpServerOptions } from './conclave-mcp-server.js';
import { toolResult } from './mcp-tool-results.js';

/** At most this many messages of a transcript are returned: the last ones. */
export const maxTranscriptMessages = 500;

/** One message of a transcript: a user's (the task of a turn, steering) or an agent's. */
export interface TranscriptMessage {
  seq: number;
  at: string;
  role: 'user' | 'agent';
  /** The agent's name; absent for the user. */
  agent?: string;
  text: string;
}

/**
 * The catalog's documents, each with what it is for.
 *
 * @example
 * await listDocumentsTool(options) // → text "debate — Four-day work week debate (debate, 3 agents)…", { documents: [...] }
 */
export async function listDocumentsTool(options: Pick<ConclaveMcpServerOptions, 'documents'>): Promise<CallToolResult> {
  const names = await options.documents.list();
  const documents = await Promise.all(
    names.map(async (name) => {
      try {
        const document = await options.documents.load(name);
        return { name, title: document.name ?? null, topology: document.topology, agents: document.agents.length, task: document.task ?? null, error: undefined };
      } catch (error) {
        return { name, title: null, topology: null, agents: 0, task: null, error: toConclaveError(error).toJSON() };
      }
    }),
  );
  const lines = documents.map((entry) =>
    entry.error !== undefined ? `${entry.name} — unreadable: ${entry.error.message}` : `${entry.name} — ${entry.title ?? entry.name} (${entry.topology}, ${entry.agents} agent${entry.agents === 1 ? '' : 's'})${entry.task !== null ? `; default task: ${entry.task.split('\n')[0]}` : ''}`,
  );
  const text = documents.length === 0 ? `no documents in ${options.documents.directory}; run_topology also takes a whole YAML document` : lines.join('\n');
  return toolResult(text, { directory: options.documents.directory, documents });
}

function summaryJson(summary: SessionSummary): Record<string, unknown> {
  return { id: summary.id, status: summary.status, topology: summary.topology, title: summary.title, createdAt: summary.createdAt, updatedAt: summary.updatedAt, archived: summary.archivedAt !== null };
}

/**
 * The caller's sessions, newest first.
 *
 * @example
 * await listSessionsTool(options, { limit: 5, status: 'idle' })
 */
export async function listSessionsTool(options: Pick<ConclaveMcpServerOptions, 'kernel' | 'caller'>, args: { limit?: number | undefined; status?: SessionStatus | undefined }): Promise<CallToolResult> {
  const sessions = await options.kernel.store.listSessions({
    limit: args.limit ?? 20,
    order: 'created',
    ...(options.caller.workspace !== undefined ? { workspace: options.caller.workspace } : {}),
    ...(args.status !== undefined ? { status: args.status } : {}),
  });
  const text = sessions.length === 0 ? 'no sessions yet; run_topology starts one' : sessions.map((session) => `${session.id}  ${session.status}  ${session.topology}  ${session.createdAt}  ${session.title}`).join('\n');
  return toolResult(text, { sessions: sessions.map(summaryJson) });
}

/** What the user and the agents said, in log order (the last `maxTranscriptMessages`). */
function transcriptOf(events: readonly SessionEvent[]): TranscriptMessage[] {
  const messages: TranscriptMessage[] = [];
  for (const event of events) {
    if (event.type === 'agent.message') messages.push({ seq: event.seq, at: event.at, role: 'agent', agent: String(event.data['agent']), text: String(event.data['text'] ?? '') });
    else if (event.type === 'user.message') messages.push({ seq: event.seq, at: event.at, role: 'user', text: String(event.data['text'] ?? '') });
  }
  return messages.slice(-maxTranscriptMessages);
}

/**
 * A session's result and transcript; `session_not_found` for a session the caller may not see.
 *
 * @example
 * await getSessionTool(options, { session_id: 'sesn_01J…' })
 */
export async function getSessionTool(options: Pick<ConclaveMcpServerOptions, 'kernel' | 'caller'>, args: { session_id: string }): Promise<CallToolResult> {
  const { store } = options.kernel;
  const summary = await store.getSession(args.session_id);
  const workspace = options.caller.workspace;
  if (summary === undefined || summary.deleted || (workspace !== undefined && summary.workspace !== workspace)) {
    throw new ConclaveError('session_not_found', `no session ${args.session_id}`, { hint: 'list_sessions shows the sessions you can read' });
  }
  const events = await store.read(summary.id);
  const result = summarizeSession(events);
  const transcript = transcriptOf(events);
  const header = [
    `session ${summary.id} · ${result.status}${result.stopReason !== undefined ? ` (${result.stopReason})` : ''} · ${result.topology}`,
    `task: ${result.task.split('\n')[0] ?? ''}`,
    ...(result.answer !== undefined ? [`answer (${result.reason ?? 'done'}):\n${result.answer.trim()}`] : []),
    ...(result.error !== undefined ? [`error[${result.error.code}]: ${result.error.message}`] : []),
  ];
  const lines = transcript.map((message) => `[${message.seq}] ${message.role === 'user' ? 'user' : message.agent}: ${message.text.trim()}`);
  const text = `${header.join('\n')}\n\ntranscript:\n${lines.length === 0 ? '(nothing said yet)' : lines.join('\n\n')}`;
  return toolResult(text, { ...sessionResultJson(result), task: result.task, title: summary.title, createdAt: summary.createdAt, updatedAt: summary.updatedAt, transcript });
}
