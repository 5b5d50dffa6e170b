/**
 * The native sessions API (`/v1/sessions…`): conclave's own view of a session — its journal as it
 * is, events with their `seq`, an SSE stream that resumes from any `seq` (`Last-Event-ID`), and
 * steering (`messages`) and `interrupt` as the kernel defines them, and answers to tool calls that
 * wait (`tool-confirmations`, `tool-results`). Every route is scoped to the workspace of the
 * caller's API key: another workspace's session is a 404.
 */
import type { Context, Hono } from 'hono';
import { unpricedModels } from '../../catalogue/unpriced-cost.js';
import type { SessionResult, ToolAnswerReceipt } from '../../kernel/index.js';
import { summarizeSession } from '../../kernel/index.js';
import { startSession } from '../../kernel/start-session.js';
import { ConclaveError, type SessionEvent, type SessionSummary } from '../../protocol/index.js';
import { ApiError, validateJson, validateValue } from '../http-errors.js';
import { inThreadDocumentParser } from '../document-parser-thread.js';
import { parseJsonBody } from '../inline-document-request.js';
import { decodeSessionCursor, encodeSessionCursor } from '../paging.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { openSseStream } from '../sse.js';
import { mountRoutes } from '../route-table.js';
import { nativeSessionRouteTable } from './native-session-routes.js';
import type { PendingToolUseView, SessionView } from './native-response-schemas.js';
import { budgetChangeOf, parseRequestPart } from './schemas.js';
import { effectiveBudgets, type SessionDefinition } from '../../kernel/index.js';
import { BudgetLedger } from '../../kernel/session-budget.js';

export type { PendingToolUseView, SessionView };

/**
 * The native view of a session from its summary and its log.
 *
 * @example
 * const view = sessionView(summary, await store.read(summary.id));
 */
export function sessionView(summary: SessionSummary, events: readonly SessionEvent[]): SessionView {
  const result: SessionResult = summarizeSession(events);
  const created = events[0]?.type === 'session.created' ? events[0].data : {};
  return {
    id: summary.id,
    status: summary.status,
    stop_reason: result.stopReason ?? null,
    topology: summary.topology,
    title: summary.title,
    workspace: summary.workspace,
    task: result.task === '' ? null : result.task,
    answer: result.answer ?? null,
    reason: result.reason ?? null,
    error: result.error ?? null,
    turns: result.turns,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
    cost: { usd: result.cost.usd, simulated: result.cost.simulated === true, ...unpricedView(unpricedModels(events)) },
    metadata: (created['metadata'] as Record<string, string> | undefined) ?? {},
    created_at: summary.createdAt,
    updated_at: summary.updatedAt,
    archived_at: summary.archivedAt,
    last_seq: summary.lastSeq,
    pending_tool_uses: result.pendingToolUses.map((use) => ({ id: use.eventId, kind: use.kind, agent: use.agent, tool: use.tool, input: use.input })),
    ...budgetView(created['document'] as SessionDefinition | undefined, events, result),
  };
}

/** The `budget` and `partial_answer` fields of a session view, present when the session has a budget. */
function budgetView(document: SessionDefinition | undefined, events: readonly SessionEvent[], result: SessionResult): Pick<SessionView, 'budget' | 'partial_answer'> {
  if (document === undefined) return {};
  const budgets = effectiveBudgets(document, events);
  if (budgets.budget === undefined && Object.keys(budgets.agents).length === 0) return {};
  const ledger = new BudgetLedger(document);
  for (const event of events) ledger.observe(event);
  const last = events[events.length - 1];
  const spent = { usd: ledger.spent.usd, tokens: ledger.spent.tokens, calls: ledger.spent.calls, duration_s: ledger.durationMs(last === undefined ? 0 : Date.parse(last.at)) / 1000 };
  return {
    budget: { limits: budgets.budget ?? null, agents: budgets.agents, spent, exceeded: result.budgetExceeded ?? null },
    ...(result.partialAnswer !== undefined ? { partial_answer: result.partialAnswer } : {}),
  };
}

/** The cost fields of calls nobody priced, present only when there were some. */
function unpricedView(models: string[]): { unpriced?: true; unpriced_models?: string[] } {
  return models.length === 0 ? {} : { unpriced: true, unpriced_models: models };
}

/** The answer to a tool-confirmation or tool-result request. */
function receiptView(receipt: ToolAnswerReceipt): { event: SessionEvent; remaining: string[]; resumed: boolean } {
  return { event: receipt.event, remaining: receipt.remaining, resumed: receipt.resumed };
}

/**
 * The session of this id if it belongs to the caller's workspace (and is not deleted), else a
 * `session_not_found` error — the same answer whether it exists elsewhere or not at all.
 *
 * @example
 * const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
 */
export async function ownedSession(deps: ServerDeps, workspace: string, sessionId: string): Promise<SessionSummary> {
  const summary = await deps.kernel.store.getSession(sessionId);
  if (summary === undefined || summary.deleted || summary.workspace !== workspace) {
    throw new ConclaveError('session_not_found', `no session ${sessionId}`, { hint: 'list yours with GET /v1/sessions' });
  }
  return summary;
}

/**
 * Refuses a message to an archived session: 409 (`session_archived`), which the SDK is told not to
 * retry. An archived session stays readable but takes no more messages.
 *
 * @example
 * assertTakesMessages(await ownedSession(deps, workspace, id));
 */
export function assertTakesMessages(summary: SessionSummary): void {
  if (summary.archivedAt === null) return;
  throw new ApiError('session_not_resumable', `session ${summary.id} is archived and takes no more messages`, {
    errorCode: 'session_archived',
    hint: 'create a new session to continue',
  });
}


async function optionalJson(c: Context<ServerEnv>): Promise<unknown> {
  return parseJsonBody(await c.req.text()) ?? {};
}

/**
 * The `/v1` routes of the native API (sessions and the document catalog), mounted on their table.
 *
 * @example
 * app.route(nativeSessionRouteTable.basePath, nativeSessionRoutes(deps));
 */
export function nativeSessionRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const { kernel } = deps;
  const store = kernel.store;
  const parser = deps.documentParser ?? inThreadDocumentParser(deps.documents);
  const { routes } = nativeSessionRouteTable;

  return mountRoutes(nativeSessionRouteTable, {
    listDocuments: async (c) => c.json({ data: await deps.documents.list() }),

    createSession: async (c) => {
      // The body and its inline document are parsed off the event loop when the server has a parser thread.
      const request = await parser.read(await c.req.text());
      const body = validateValue(routes.createSession.body.schema, request.body, 'body');
      if (request.documentError !== undefined) throw ConclaveError.fromJSON(request.documentError);
      const document = body.name !== undefined ? await deps.documents.load(body.name) : request.document;
      if (document === undefined) throw new ConclaveError('internal', 'the inline document was not parsed');
      const { sessionId, task } = await startSession(kernel, document, {
        ...(body.task !== undefined ? { task: body.task } : {}),
        withoutTask: 'await-input',
        ...(body.seed !== undefined ? { seed: body.seed } : {}),
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
        workspace: c.get('workspace'),
        source: body.name ?? 'inline',
        // A document of the catalog is the operator's; one in the body is the caller's own.
        untrusted: body.name === undefined,
        ...(body.budget !== undefined ? { budget: budgetChangeOf(body.budget) } : {}),
      });
      if (body.run && task !== undefined) await kernel.launch(sessionId);
      const summary = await ownedSession(deps, c.get('workspace'), sessionId);
      return c.json(sessionView(summary, await store.read(sessionId)), 201);
    },

    listSessions: async (c) => {
      const query = parseRequestPart(routes.listSessions.query, c.req.query(), 'query');
      const limit = query.limit ?? 20;
      const summaries = await store.listSessions({
        workspace: c.get('workspace'),
        order: 'created',
        limit: limit + 1,
        includeArchived: query.include_archived === 'true',
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.page !== undefined ? { after: decodeSessionCursor(query.page) } : {}),
      });
      const page = summaries.slice(0, limit);
      const data = await Promise.all(page.map(async (summary) => sessionView(summary, await store.read(summary.id))));
      const last = page[page.length - 1];
      return c.json({ data, next_page: summaries.length > limit && last !== undefined ? encodeSessionCursor(last) : null });
    },

    getSession: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      return c.json(sessionView(summary, await store.read(summary.id)));
    },

    listSessionEvents: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const query = parseRequestPart(routes.listSessionEvents.query, c.req.query(), 'query');
      const limit = query.limit ?? 1000;
      const after = query.page !== undefined ? pageSeq(query.page) : (query.after ?? 0);
      const types = query.types === undefined ? undefined : new Set(query.types.split(',').map((type) => type.trim()));
      const events = await store.read(summary.id, { afterSeq: after, limit });
      const data = types === undefined ? events : events.filter((event) => types.has(event.type));
      const last = events[events.length - 1];
      return c.json({ data, next_page: events.length === limit && last !== undefined && last.seq < (await store.head(summary.id)) ? String(last.seq) : null });
    },

    streamSessionEvents: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const query = parseRequestPart(routes.streamSessionEvents.query, c.req.query(), 'query');
      const lastEventId = c.req.header('last-event-id');
      const after = lastEventId !== undefined && /^\d+$/.test(lastEventId.trim()) ? Number(lastEventId) : (query.after ?? 0);
      return openSseStream(
        c,
        async (sink) => {
          const stopDeltas =
            query.deltas === 'true'
              ? kernel.live.subscribe(summary.id, (item) => {
                  if (item.type === 'delta') sink.send({ event: 'delta', data: item });
                })
              : () => undefined;
          try {
            for await (const event of store.follow(summary.id, { afterSeq: after, signal: sink.closed })) {
              sink.send({ id: String(event.seq), event: event.type, data: event });
              if (event.type === 'session.deleted') break;
            }
          } finally {
            stopDeltas();
          }
        },
        { heartbeatMs: deps.heartbeatMs },
      );
    },

    sendSessionMessage: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const body = await validateJson(routes.sendSessionMessage.body.schema, c);
      assertTakesMessages(summary);
      const event = await kernel.send(summary.id, { text: body.text });
      return c.json({ event });
    },

    // Tool calls that wait: 409 when the id names no waiting call of that kind, or one answered already.
    confirmSessionToolUse: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const body = await validateJson(routes.confirmSessionToolUse.body.schema, c);
      assertTakesMessages(summary);
      const receipt = await kernel.confirmTool(summary.id, body.tool_use_id, { allow: body.result === 'allow', ...(body.deny_message !== undefined ? { message: body.deny_message } : {}) });
      return c.json(receiptView(receipt));
    },

    submitSessionToolResult: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const body = await validateJson(routes.submitSessionToolResult.body.schema, c);
      assertTakesMessages(summary);
      const receipt = await kernel.submitToolResult(summary.id, body.custom_tool_use_id, { content: body.content, ...(body.is_error === true ? { isError: true } : {}) });
      return c.json(receiptView(receipt));
    },

    resumeSession: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const body = parseRequestPart(routes.resumeSession.body.schema, await optionalJson(c), 'body');
      assertTakesMessages(summary);
      if (summary.status === 'terminated') throw new ConclaveError('session_not_resumable', `session ${summary.id} is terminated and cannot be resumed`);
      if (body.budget !== undefined) await kernel.setBudget(summary.id, budgetChangeOf(body.budget));
      // Running here or elsewhere already: the change reaches it before its next model call.
      if (summary.status !== 'running' && !kernel.isRunning(summary.id)) await kernel.launch(summary.id);
      const resumed = await ownedSession(deps, c.get('workspace'), summary.id);
      return c.json(sessionView(resumed, await store.read(summary.id)));
    },

    interruptSession: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const body = parseRequestPart(routes.interruptSession.body.schema, await optionalJson(c), 'body');
      const event = await kernel.interrupt(summary.id, body.reason);
      return c.json({ event });
    },

    archiveSession: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      await kernel.archive(summary.id);
      const archived = await ownedSession(deps, c.get('workspace'), summary.id);
      return c.json(sessionView(archived, await store.read(summary.id)));
    },

    deleteSession: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      await kernel.delete(summary.id);
      return c.json({ id: summary.id, deleted: true });
    },

  });
}

function pageSeq(page: string): number {
  if (!/^\d+$/.test(page)) throw new ConclaveError('invalid_argument', `query.page: "${page}" is not a page cursor from this API`, { location: { path: 'page' } });
  return Number(page);
}
