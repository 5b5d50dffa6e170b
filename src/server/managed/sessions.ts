/**
 * Managed-Agents-compatible sessions and events (`/anthropic/v1/sessions…`), as a view over the
 * same journal the native API and the CLI use. A session runs its agent: a plain agent is one model
 * (a one-stage pipeline); an agent whose `metadata["conclave.topology"]` names a catalog document
 * (or holds one inline, YAML or JSON) runs that topology, and each of its agents' turns appears as
 * an `agent.message`. Shapes, paging, SSE framing and errors follow the reference subset.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { ConclaveError, type OutcomeSettings, type SessionEvent, type SessionSummary } from '../../protocol/index.js';
import { validateJson, validateValue } from '../http-errors.js';
import { assertTakesMessages, ownedSession } from '../native/sessions.js';
import { buildPage, decodeSessionCursor, encodeSessionCursor, parsePageQuery } from '../paging.js';
import { mountRoutes } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { openSseStream } from '../sse.js';
import { agentSnapshot, loadAgent, type AgentSnapshot } from './agents.js';
import { environmentObject, loadEnvironment } from './environments.js';
import { definitionFor, type ManagedAttributes } from './managed-session-definition.js';
import {
  ManagedEventView,
  createDeltaStreamState,
  deltaEvents,
  managedStatusOf,
  sessionStatsFrom,
  sessionUsageFrom,
  toManagedEvents,
  type ManagedEvent,
  type ManagedEventViewOptions,
} from './event-view.js';
import { dollarsOf, managedBudgetOf, notBudgetable, updateManagedBudget } from './managed-budget.js';
import { patchMetadata } from './managed-fields.js';
import { eventOffset, inCreatedRange, queryList } from './managed-list-query.js';
import { outcomeEvaluationsFrom, outcomesOfBatch, startOutcomeWork } from './managed-outcomes.js';
import { checkSessionResources, sessionResources, storeSessionResources } from './session-resources.js';
import { managedSessionRouteTable } from './managed-session-routes.js';
import type { ManagedSessionObject } from './managed-response-schemas.js';
import { createdAtRangeQuery, listSessionsQuery, type customToolResultEvent, type SentEvent, type toolConfirmationEvent, type userMessageEvent } from './session-schema.js';
import { loadSessionVaults } from './vault-lookup.js';

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
/** The text of user content blocks (non-text blocks are kept in the journal but not sent to models). */
function textOf(content: readonly { type: string }[]): string {
  return content
    .map((block) => {
      const parsed = textBlock.safeParse(block);
      return parsed.success ? parsed.data.text : '';
    })
    .filter((text) => text !== '')
    .join('\n\n');
}

function attributesOf(events: readonly SessionEvent[]): ManagedAttributes | undefined {
  const created = events[0];
  const attributes = created?.type === 'session.created' ? (created.data['attributes'] as { managed?: ManagedAttributes } | undefined) : undefined;
  return attributes?.managed;
}

/** How the session's events are shown: as a topology's, or a plain agent's (with its MCP tools). */
function viewOptionsOf(events: readonly SessionEvent[]): ManagedEventViewOptions {
  const attributes = attributesOf(events);
  return { topologyAgent: attributes?.topology_agent === true, ...(attributes?.mcp_tools !== undefined ? { mcpTools: attributes.mcp_tools } : {}) };
}

/** Labels as the session's journal says now: created metadata, patched by `session.updated`. */
function labelsOf(events: readonly SessionEvent[]): { metadata: Record<string, string>; title: string | null } {
  const created = events[0]?.data ?? {};
  let metadata = { ...((created['metadata'] as Record<string, string> | undefined) ?? {}) };
  let title = typeof created['title'] === 'string' ? created['title'] : null;
  for (const event of events) {
    if (event.type !== 'session.updated') continue;
    if (event.data['title'] !== undefined) title = event.data['title'] as string | null;
    if (event.data['metadata'] !== undefined) metadata = patchMetadata(metadata, event.data['metadata'] as Record<string, string | null>);
  }
  return { metadata, title };
}

/**
 * The session's agent as the API shows it: a coordinator's roster with the full definition of each
 * agent its threads run (the versions the session resolved), as `BetaManagedAgentsSessionMultiagent`.
 */
function sessionAgentOf(attributes: ManagedAttributes): AgentSnapshot {
  const { agent, roster } = attributes;
  if (roster === undefined || agent.multiagent === null) return agent;
  const definitions = roster.map(({ agent: { multiagent: _own, ...definition } }) => definition);
  const multiagent =
    agent.multiagent['type'] === 'coordinator'
      ? { type: 'coordinator', agents: definitions }
      : { ...agent.multiagent, subagents: { type: 'enabled', inline_agents: { type: 'disabled' }, predefined_agents: definitions } };
  return { ...agent, multiagent };
}

/**
 * A session in the Managed Agents shape.
 *
 * @example
 * return c.json(managedSession(summary, await store.read(summary.id)));
 */
export function managedSession(summary: SessionSummary, events: readonly SessionEvent[], resources?: readonly unknown[]): ManagedSessionObject {
  const attributes = attributesOf(events);
  const labels = labelsOf(events);
  return {
    id: summary.id,
    type: 'session',
    status: managedStatusOf(summary.status),
    agent: attributes === undefined ? null : sessionAgentOf(attributes),
    environment_id: attributes?.environment_id ?? null,
    vault_ids: attributes?.vault_ids ?? [],
    metadata: labels.metadata,
    title: labels.title,
    // The file store's list when given: resources come and go after the session is created.
    resources: [...(resources ?? attributes?.resources ?? [])],
    outcome_evaluations: outcomeEvaluationsFrom(events),
    budget: managedBudgetOf(events),
    stats: sessionStatsFrom(events, summary.status === 'running' ? { now: new Date() } : {}),
    usage: sessionUsageFrom(events),
    created_at: summary.createdAt,
    updated_at: summary.updatedAt,
    archived_at: summary.archivedAt,
  };
}

/**
 * The session and event routes, relative to the Managed API root (`/anthropic/v1`).
 *
 * @example
 * app.route(managedSessionRouteTable.basePath, managedSessionRoutes(deps)); // POST /anthropic/v1/sessions, …
 */
export function managedSessionRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const { kernel } = deps;
  const store = kernel.store;
  const { routes } = managedSessionRouteTable;

  const deliverEach = async (sessionId: string, events: readonly SentEvent[], outcomes: ReadonlyMap<number, OutcomeSettings>): Promise<ManagedEvent[]> => {
    const stored: SessionEvent[] = [];
    for (const [index, event] of events.entries()) {
      if (event.type === 'user.message') {
        const content = (event as z.infer<typeof userMessageEvent>).content;
        const text = textOf(content);
        if (text === '') throw new ConclaveError('invalid_argument', `events[${index}].content: needs at least one text block`, { location: { path: `events[${index}].content` } });
        stored.push(await kernel.send(sessionId, { text, content }, { start: outcomes.size === 0 }));
      } else if (event.type === 'user.define_outcome') {
        const outcome = outcomes.get(index) as OutcomeSettings;
        stored.push(await kernel.send(sessionId, { text: outcome.description, outcome }, { start: false }));
      } else if (event.type === 'user.interrupt') {
        stored.push(await kernel.interrupt(sessionId));
      } else if (event.type === 'user.tool_confirmation') {
        const confirmation = event as z.infer<typeof toolConfirmationEvent>;
        if (confirmation.result === 'allow' && confirmation.deny_message !== undefined) {
          throw new ConclaveError('invalid_argument', `events[${index}].deny_message: only a deny carries a message`, { location: { path: `events[${index}].deny_message` } });
        }
        const answer = { allow: confirmation.result === 'allow', ...(confirmation.deny_message !== undefined ? { message: confirmation.deny_message } : {}) };
        stored.push((await kernel.confirmTool(sessionId, confirmation.tool_use_id, answer)).event);
      } else if (event.type === 'user.custom_tool_result') {
        const result = event as z.infer<typeof customToolResultEvent>;
        const blocks = result.content ?? [];
        const other = blocks.findIndex((block) => block.type !== 'text');
        if (other !== -1) {
          throw new ConclaveError('invalid_argument', `events[${index}].content[${other}]: only text blocks are supported in a custom tool result, not "${blocks[other]?.type}"`, {
            location: { path: `events[${index}].content[${other}]` },
          });
        }
        stored.push((await kernel.submitToolResult(sessionId, result.custom_tool_use_id, { content: textOf(blocks), isError: result.is_error === true })).event);
      } else {
        const why =
          event.type === 'user.tool_result'
            ? 'it answers tools a self_hosted environment runs on the client, and conclave runs the agent toolset in its own sandbox'
            : 'it is not supported by this server yet';
        throw new ConclaveError('invalid_argument', `events[${index}].type: "${event.type}": ${why}`, { location: { path: `events[${index}].type` } });
      }
    }
    return stored.flatMap((event) => toManagedEvents([event], { topologyAgent: false }));
  };

  /** `outcomes`: the batch's, checked before (`outcomesOfBatch`); their work starts once the batch is journaled (up to a refusal). */
  const deliver = async (sessionId: string, events: readonly SentEvent[], outcomes: ReadonlyMap<number, OutcomeSettings>): Promise<ManagedEvent[]> => {
    try {
      return await deliverEach(sessionId, events, outcomes);
    } finally {
      if (outcomes.size > 0) await startOutcomeWork(kernel, sessionId);
    }
  };

  return mountRoutes(managedSessionRouteTable, {
    createManagedSession: async (c) => {
      const workspace = c.get('workspace');
      const body = await validateJson(routes.createManagedSession.body.schema, c);
      const vaultIds = await loadSessionVaults(deps, workspace, body.vault_ids ?? []);
      const reference = typeof body.agent === 'string' ? { id: body.agent } : body.agent;
      const record = await loadAgent(deps.resources, workspace, reference.id, 'version' in reference ? reference.version : undefined);
      const environment = environmentObject(await loadEnvironment(deps.resources, workspace, body.environment_id));
      const agent = agentSnapshot(record);
      if (typeof body.agent === 'object' && body.agent.type === 'agent_with_overrides') {
        if (typeof body.agent.model === 'string') agent.model = { ...agent.model, id: body.agent.model };
        else if (typeof body.agent.model === 'object' && body.agent.model !== null) agent.model = { ...agent.model, ...(body.agent.model as { id: string }) };
        if (body.agent.system !== undefined) agent.system = body.agent.system;
      }
      const agentMetadata = (record.body['metadata'] as Record<string, string> | undefined) ?? {};
      const { definition, topologyAgent, untrusted, networkWithheld, mcpTools, roster } = await definitionFor(deps, agent, agentMetadata, environment.config, workspace, vaultIds);
      const checkedResources = await checkSessionResources(deps, workspace, body.resources ?? [], 'resources');
      const initialOutcomes = await outcomesOfBatch(deps, workspace, body.initial_events ?? [], 'initial_events');
      const managed: ManagedAttributes = {
        agent,
        environment_id: body.environment_id,
        vault_ids: vaultIds,
        resources: body.resources ?? [],
        budget: body.budget ?? null,
        topology_agent: topologyAgent,
        ...(networkWithheld !== undefined ? { network_withheld: networkWithheld } : {}),
        ...(mcpTools !== undefined ? { mcp_tools: mcpTools } : {}),
        ...(roster !== undefined ? { roster } : {}),
      };
      const sessionId = await kernel.createSession(definition, {
        ...(body.budget !== undefined ? { budget: { budget: { max_usd: dollarsOf(body.budget) } } } : {}),
        awaitInput: true,
        workspace,
        untrusted,
        source: topologyAgent ? `agent ${agent.id}` : agent.model.id,
        attributes: { managed },
        ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
        ...(typeof body.title === 'string' ? { title: body.title } : {}),
      }).catch((error: unknown) => Promise.reject(notBudgetable(error)));
      const resources = await storeSessionResources(deps, workspace, sessionId, checkedResources);
      if (body.initial_events !== undefined && body.initial_events.length > 0) await deliver(sessionId, body.initial_events as SentEvent[], initialOutcomes);
      const summary = await ownedSession(deps, workspace, sessionId);
      return c.json(managedSession(summary, await store.read(sessionId), resources));
    },

    listManagedSessions: async (c) => {
      const query = validateValue(listSessionsQuery, c.req.query(), 'query');
      if (query.order === 'asc') throw new ConclaveError('invalid_argument', 'query.order: only "desc" (newest first) is supported', { location: { path: 'order' } });
      const statuses = new Set(queryList(c, 'statuses'));
      const data: ManagedSessionObject[] = [];
      let after = query.page !== undefined ? decodeSessionCursor(query.page) : undefined;
      let last: SessionSummary | undefined;
      let more = false;
      // Filters the store cannot apply (agent, memory store, status names, times) are applied here, page by page.
      while (data.length < query.limit) {
        const batch = await store.listSessions({ workspace: c.get('workspace'), order: 'created', limit: query.limit + 1, includeArchived: query.include_archived === true, ...(after !== undefined ? { after } : {}) });
        for (const summary of batch.slice(0, query.limit)) {
          last = summary;
          const events = await store.read(summary.id);
          const resources = await sessionResources(deps, summary.id);
          const session = managedSession(summary, events, resources);
          const agent = session['agent'] as AgentSnapshot | null;
          if (query.memory_store_id !== undefined && !resources.some((resource) => resource.type === 'memory_store' && resource.memory_store_id === query.memory_store_id)) continue;
          if (query.agent_id !== undefined && agent?.id !== query.agent_id) continue;
          if (query.agent_version !== undefined && agent?.version !== query.agent_version) continue;
          if (statuses.size > 0 && !statuses.has(session['status'] as string)) continue;
          if (!inCreatedRange(summary.createdAt, query)) continue;
          data.push(session);
          if (data.length === query.limit) break;
        }
        more = batch.length > query.limit || (last !== undefined && batch[batch.length - 1]?.id !== last.id);
        if (!more || last === undefined) break;
        after = { at: last.createdAt, id: last.id };
      }
      return c.json({ ...buildPage(data, more && last !== undefined ? encodeSessionCursor(last) : null), prev_page: null });
    },

    getManagedSession: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      return c.json(managedSession(summary, await store.read(summary.id), await sessionResources(deps, summary.id)));
    },

    updateManagedSession: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const body = await validateJson(routes.updateManagedSession.body.schema, c);
      if (body.vault_ids !== undefined) throw new ConclaveError('invalid_argument', 'vault_ids cannot be changed on a session', { location: { path: 'vault_ids' } });
      if (body.agent !== undefined) throw new ConclaveError('invalid_argument', "agent: a session's agent cannot be changed in conclave; create a new session", { location: { path: 'agent' } });
      if (body.title !== undefined || body.metadata !== undefined) {
        await kernel.update(summary.id, { ...(body.title !== undefined ? { title: body.title } : {}), ...(body.metadata !== undefined ? { metadata: body.metadata } : {}) });
      }
      if (body.budget !== undefined) await updateManagedBudget(kernel, summary, body.budget);
      const updated = await ownedSession(deps, c.get('workspace'), summary.id);
      return c.json(managedSession(updated, await store.read(summary.id), await sessionResources(deps, summary.id)));
    },

    deleteManagedSession: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      await kernel.delete(summary.id);
      return c.json({ id: summary.id, type: 'session_deleted' });
    },

    archiveManagedSession: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      await kernel.archive(summary.id);
      const archived = await ownedSession(deps, c.get('workspace'), summary.id);
      return c.json(managedSession(archived, await store.read(summary.id), await sessionResources(deps, summary.id)));
    },

    sendManagedSessionEvents: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const body = await validateJson(routes.sendManagedSessionEvents.body.schema, c);
      if (body.events.some((event) => event.type === 'user.message')) assertTakesMessages(summary);
      const outcomes = await outcomesOfBatch(deps, c.get('workspace'), body.events, 'events', summary.id);
      return c.json({ data: await deliver(summary.id, body.events as SentEvent[], outcomes) });
    },

    listManagedSessionEvents: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const { limit, page } = parsePageQuery(c.req.query(), 1000);
      const order = c.req.query('order') ?? 'asc';
      if (order !== 'asc' && order !== 'desc') throw new ConclaveError('invalid_argument', `query.order: expected "asc" or "desc", received "${order}"`);
      const types = new Set(queryList(c, 'types'));
      const range = validateValue(createdAtRangeQuery, c.req.query(), 'query');
      const events = await store.read(summary.id);
      let view = toManagedEvents(events, viewOptionsOf(events)).filter(
        (event) => (types.size === 0 || types.has(event.type)) && inCreatedRange(event.processed_at, range),
      );
      if (order === 'desc') view = view.reverse();
      const offset = eventOffset(page);
      const data = view.slice(offset, offset + limit);
      return c.json(buildPage(data, offset + limit < view.length ? String(offset + limit) : null));
    },

    streamManagedSessionEvents: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const wantsDeltas = new Set(queryList(c, 'event_deltas'));
      // A live tail: history up to now only primes the view (span ids), nothing of it is sent.
      const history = await store.read(summary.id);
      const view = new ManagedEventView(viewOptionsOf(history));
      for (const event of history) view.translate(event);
      const head = history[history.length - 1]?.seq ?? 0;
      return openSseStream(
        c,
        async (sink) => {
          const deltaState = createDeltaStreamState();
          const stopDeltas =
            wantsDeltas.size > 0
              ? kernel.live.subscribe(summary.id, (item) => {
                  if (item.type !== 'delta') return;
                  for (const delta of deltaEvents(item, deltaState)) {
                    const kind = delta.type === 'event_start' ? delta.event.type : 'agent.message';
                    if (wantsDeltas.has(kind)) sink.send({ event: delta.type, data: delta });
                  }
                })
              : () => undefined;
          try {
            for await (const event of store.follow(summary.id, { afterSeq: head, signal: sink.closed })) {
              for (const managed of view.translate(event)) sink.send({ event: managed.type, data: managed });
              if (event.type === 'session.deleted') break;
            }
          } finally {
            stopDeltas();
          }
        },
        { heartbeatMs: deps.heartbeatMs },
      );
    },
  });
}
