/**
 * Managed-Agents-compatible sessions and events (`/anthropic/v1/sessions…`), as a view over the
 * same journal the native API and the CLI use. A session runs its agent: a plain agent is one model
 * (a one-stage pipeline); an agent whose `metadata["conclave.topology"]` names a catalog document
 * (or holds one inline, YAML or JSON) runs that topology, and each of its agents' turns appears as
 * an `agent.message`. Shapes, paging, SSE framing and errors follow the reference subset.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { SessionDefinition } from '../../kernel/index.js';
import { ConclaveError, type SessionEvent, type SessionSummary } from '../../protocol/index.js';
import { validateJson, validateValue } from '../http-errors.js';
import { ownedSession } from '../native/sessions.js';
import { buildPage, decodeSessionCursor, encodeSessionCursor, pageQueryShape, parsePageQuery, queryBoolean, queryTimestamp } from '../paging.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { openSseStream } from '../sse.js';
import { agentSnapshot, loadAgent, type AgentSnapshot } from './agents.js';
import { loadEnvironment } from './environments.js';
import {
  ManagedEventView,
  createDeltaStreamState,
  deltaEvents,
  managedStatusOf,
  sessionStatsFrom,
  sessionUsageFrom,
  toManagedEvents,
  type ManagedEvent,
} from './event-view.js';
import { metadataSchema, patchMetadata } from './managed-fields.js';

/** The agent metadata key that makes an agent run a topology document instead of one model. */
export const topologyMetadataKey = 'conclave.topology';

/** What a Managed session keeps in its `session.created` attributes. */
interface ManagedAttributes {
  agent: AgentSnapshot;
  environment_id: string;
  vault_ids: string[];
  resources: unknown[];
  budget: unknown;
  topology_agent: boolean;
}

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const contentBlock = z.looseObject({ type: z.string() });
const userMessageEvent = z.strictObject({ type: z.literal('user.message'), content: z.array(contentBlock).min(1) });
const userInterruptEvent = z.strictObject({ type: z.literal('user.interrupt'), session_thread_id: z.string().optional() });
const unsupportedEvent = z.looseObject({
  type: z.enum(['user.custom_tool_result', 'user.tool_confirmation', 'user.define_outcome', 'user.tool_result', 'system.message']),
});
const sentEvent = z.union([userMessageEvent, userInterruptEvent, unsupportedEvent]);
type SentEvent = z.infer<typeof sentEvent>;

const agentReference = z.union([
  z.string().min(1),
  z.strictObject({ type: z.literal('agent'), id: z.string().min(1), version: z.number().int().min(1).optional() }),
  z.looseObject({ type: z.literal('agent_with_overrides'), id: z.string().min(1), version: z.number().int().min(1).optional(), model: z.unknown().optional(), system: z.string().nullable().optional() }),
]);

const createSessionBody = z.strictObject({
  agent: agentReference,
  environment_id: z.string().min(1),
  vault_ids: z.array(z.string()).optional(),
  metadata: metadataSchema.optional(),
  title: z.string().max(500).nullable().optional(),
  initial_events: z.array(z.union([userMessageEvent, unsupportedEvent])).max(50).optional(),
  resources: z.array(z.unknown()).optional(),
  budget: z.unknown().optional(),
});

const updateSessionBody = z.strictObject({
  title: z.string().max(500).nullable().optional(),
  metadata: z.record(z.string(), z.string().nullable()).optional(),
  agent: z.unknown().optional(),
  budget: z.unknown().optional(),
  vault_ids: z.unknown().optional(),
});

const sendEventsBody = z.strictObject({ events: z.array(sentEvent).min(1).max(50) });

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

/** A conclave model name for an agent's model id: `provider/model` as is, else an Anthropic model. */
function conclaveModel(id: string): string {
  return id.includes('/') ? id : `anthropic/${id}`;
}

/**
 * What an agent runs, and whether the caller wrote it: a catalog document named in the metadata is
 * the operator's; an inline document, or a plain agent's model, is the caller's (untrusted).
 */
async function definitionFor(deps: ServerDeps, agent: AgentSnapshot, metadata: Record<string, string>): Promise<{ definition: SessionDefinition; topologyAgent: boolean; untrusted: boolean }> {
  const topology = metadata[topologyMetadataKey];
  if (topology !== undefined && topology.trim() !== '') {
    const inline = /[\n{:]/.test(topology);
    const definition = inline ? deps.documents.parse(topology, `agent ${agent.id} metadata["${topologyMetadataKey}"]`) : await deps.documents.load(topology.trim());
    return { definition, topologyAgent: true, untrusted: inline };
  }
  const modelAgent: Record<string, unknown> = { name: 'agent', model: conclaveModel(agent.model.id) };
  if (typeof agent.system === 'string' && agent.system !== '') modelAgent['system'] = agent.system;
  return { definition: { topology: 'pipeline', agents: [modelAgent as never], options: { passes: 1 } }, topologyAgent: false, untrusted: true };
}

function attributesOf(events: readonly SessionEvent[]): ManagedAttributes | undefined {
  const created = events[0];
  const attributes = created?.type === 'session.created' ? (created.data['attributes'] as { managed?: ManagedAttributes } | undefined) : undefined;
  return attributes?.managed;
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
 * A session in the Managed Agents shape.
 *
 * @example
 * return c.json(managedSession(summary, await store.read(summary.id)));
 */
export function managedSession(summary: SessionSummary, events: readonly SessionEvent[]): Record<string, unknown> {
  const attributes = attributesOf(events);
  const labels = labelsOf(events);
  return {
    id: summary.id,
    type: 'session',
    status: managedStatusOf(summary.status),
    agent: attributes?.agent ?? null,
    environment_id: attributes?.environment_id ?? null,
    vault_ids: attributes?.vault_ids ?? [],
    metadata: labels.metadata,
    title: labels.title,
    resources: attributes?.resources ?? [],
    outcome_evaluations: [],
    budget: attributes?.budget ?? null,
    stats: sessionStatsFrom(events, summary.status === 'running' ? { now: new Date() } : {}),
    usage: sessionUsageFrom(events),
    created_at: summary.createdAt,
    updated_at: summary.updatedAt,
    archived_at: summary.archivedAt,
  };
}

/** Query values that may come as `key` or `key[]` (the SDK sends arrays as `key[]=…`). */
function queryList(c: Context<ServerEnv>, key: string): string[] {
  return [...(c.req.queries(`${key}[]`) ?? []), ...(c.req.queries(key) ?? [])];
}

const listSessionsQuery = z.object({
  ...pageQueryShape(),
  order: z.enum(['asc', 'desc']).optional(),
  include_archived: queryBoolean.optional(),
  agent_id: z.string().optional(),
  'created_at[gte]': queryTimestamp.optional(),
  'created_at[gt]': queryTimestamp.optional(),
  'created_at[lte]': queryTimestamp.optional(),
  'created_at[lt]': queryTimestamp.optional(),
});


/** Event list cursor: how many view events the earlier pages returned. */
function eventOffset(page: string | undefined): number {
  if (page === undefined) return 0;
  if (!/^\d+$/.test(page)) throw new ConclaveError('invalid_argument', `query.page: "${page}" is not a page cursor from this API`);
  return Number(page);
}

function inCreatedRange(at: string, range: Partial<Record<'created_at[gte]' | 'created_at[gt]' | 'created_at[lte]' | 'created_at[lt]', string>>): boolean {
  const gte = range['created_at[gte]'];
  const gt = range['created_at[gt]'];
  const lte = range['created_at[lte]'];
  const lt = range['created_at[lt]'];
  return (gte === undefined || at >= gte) && (gt === undefined || at > gt) && (lte === undefined || at <= lte) && (lt === undefined || at < lt);
}

/**
 * The session and event routes, relative to the Managed API root (`/anthropic/v1`).
 *
 * @example
 * managed.route('/', managedSessionRoutes(deps)); // POST /anthropic/v1/sessions, …
 */
export function managedSessionRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const { kernel } = deps;
  const store = kernel.store;

  const deliver = async (sessionId: string, events: readonly SentEvent[]): Promise<ManagedEvent[]> => {
    const stored: SessionEvent[] = [];
    for (const [index, event] of events.entries()) {
      if (event.type === 'user.message') {
        const content = (event as z.infer<typeof userMessageEvent>).content;
        const text = textOf(content);
        if (text === '') throw new ConclaveError('invalid_argument', `events[${index}].content: needs at least one text block`, { location: { path: `events[${index}].content` } });
        stored.push(await kernel.send(sessionId, { text, content }));
      } else if (event.type === 'user.interrupt') {
        stored.push(await kernel.interrupt(sessionId));
      } else {
        throw new ConclaveError('invalid_argument', `events[${index}].type: "${event.type}" is not supported by conclave (its agents use no client-side or custom tools)`, {
          location: { path: `events[${index}].type` },
        });
      }
    }
    return stored.flatMap((event) => toManagedEvents([event], { topologyAgent: false }));
  };

  app.post('/sessions', async (c) => {
    const workspace = c.get('workspace');
    const body = await validateJson(createSessionBody, c);
    if (body.vault_ids !== undefined && body.vault_ids.length > 0) {
      throw new ConclaveError('invalid_argument', 'vault_ids: vaults are not supported yet; providers read keys from the server environment', { location: { path: 'vault_ids' } });
    }
    const reference = typeof body.agent === 'string' ? { id: body.agent } : body.agent;
    const record = await loadAgent(deps.resources, workspace, reference.id, 'version' in reference ? reference.version : undefined);
    await loadEnvironment(deps.resources, workspace, body.environment_id);
    const agent = agentSnapshot(record);
    if (typeof body.agent === 'object' && body.agent.type === 'agent_with_overrides') {
      if (typeof body.agent.model === 'string') agent.model = { ...agent.model, id: body.agent.model };
      else if (typeof body.agent.model === 'object' && body.agent.model !== null) agent.model = { ...agent.model, ...(body.agent.model as { id: string }) };
      if (body.agent.system !== undefined) agent.system = body.agent.system;
    }
    const agentMetadata = (record.body['metadata'] as Record<string, string> | undefined) ?? {};
    const { definition, topologyAgent, untrusted } = await definitionFor(deps, agent, agentMetadata);
    const managed: ManagedAttributes = {
      agent,
      environment_id: body.environment_id,
      vault_ids: [],
      resources: body.resources ?? [],
      budget: body.budget ?? null,
      topology_agent: topologyAgent,
    };
    const sessionId = await kernel.createSession(definition, {
      awaitInput: true,
      workspace,
      untrusted,
      source: topologyAgent ? `agent ${agent.id}` : agent.model.id,
      attributes: { managed },
      ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      ...(typeof body.title === 'string' ? { title: body.title } : {}),
    });
    if (body.initial_events !== undefined && body.initial_events.length > 0) await deliver(sessionId, body.initial_events as SentEvent[]);
    const summary = await ownedSession(deps, workspace, sessionId);
    return c.json(managedSession(summary, await store.read(sessionId)));
  });

  app.get('/sessions', async (c) => {
    const query = validateValue(listSessionsQuery, c.req.query(), 'query');
    if (query.order === 'asc') throw new ConclaveError('invalid_argument', 'query.order: only "desc" (newest first) is supported', { location: { path: 'order' } });
    const statuses = new Set(queryList(c, 'statuses'));
    const data: Record<string, unknown>[] = [];
    let after = query.page !== undefined ? decodeSessionCursor(query.page) : undefined;
    let last: SessionSummary | undefined;
    let more = false;
    // Filters the store cannot apply (agent, status names, times) are applied here, page by page.
    while (data.length < query.limit) {
      const batch = await store.listSessions({ workspace: c.get('workspace'), order: 'created', limit: query.limit + 1, includeArchived: query.include_archived === true, ...(after !== undefined ? { after } : {}) });
      for (const summary of batch.slice(0, query.limit)) {
        last = summary;
        const events = await store.read(summary.id);
        const session = managedSession(summary, events);
        const agentId = (session['agent'] as AgentSnapshot | null)?.id;
        if (query.agent_id !== undefined && agentId !== query.agent_id) continue;
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
  });

  app.get('/sessions/:id', async (c) => {
    const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
    return c.json(managedSession(summary, await store.read(summary.id)));
  });

  app.post('/sessions/:id', async (c) => {
    const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
    const body = await validateJson(updateSessionBody, c);
    if (body.vault_ids !== undefined) throw new ConclaveError('invalid_argument', 'vault_ids cannot be changed on a session', { location: { path: 'vault_ids' } });
    if (body.agent !== undefined) throw new ConclaveError('invalid_argument', "agent: a session's agent cannot be changed in conclave; create a new session", { location: { path: 'agent' } });
    if (body.title !== undefined || body.metadata !== undefined) {
      await kernel.update(summary.id, { ...(body.title !== undefined ? { title: body.title } : {}), ...(body.metadata !== undefined ? { metadata: body.metadata } : {}) });
    }
    const updated = await ownedSession(deps, c.get('workspace'), summary.id);
    return c.json(managedSession(updated, await store.read(summary.id)));
  });

  app.delete('/sessions/:id', async (c) => {
    const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
    await kernel.delete(summary.id);
    return c.json({ id: summary.id, type: 'session_deleted' });
  });

  app.post('/sessions/:id/archive', async (c) => {
    const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
    await kernel.archive(summary.id);
    const archived = await ownedSession(deps, c.get('workspace'), summary.id);
    return c.json(managedSession(archived, await store.read(summary.id)));
  });

  app.post('/sessions/:id/events', async (c) => {
    const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
    const body = await validateJson(sendEventsBody, c);
    return c.json({ data: await deliver(summary.id, body.events as SentEvent[]) });
  });

  app.get('/sessions/:id/events', async (c) => {
    const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
    const { limit, page } = parsePageQuery(c.req.query(), 1000);
    const order = c.req.query('order') ?? 'asc';
    if (order !== 'asc' && order !== 'desc') throw new ConclaveError('invalid_argument', `query.order: expected "asc" or "desc", received "${order}"`);
    const types = new Set(queryList(c, 'types'));
    const range = validateValue(listSessionsQuery.pick({ 'created_at[gte]': true, 'created_at[gt]': true, 'created_at[lte]': true, 'created_at[lt]': true }), c.req.query(), 'query');
    const events = await store.read(summary.id);
    let view = toManagedEvents(events, { topologyAgent: attributesOf(events)?.topology_agent === true }).filter(
      (event) => (types.size === 0 || types.has(event.type)) && inCreatedRange(event.processed_at, range),
    );
    if (order === 'desc') view = view.reverse();
    const offset = eventOffset(page);
    const data = view.slice(offset, offset + limit);
    return c.json(buildPage(data, offset + limit < view.length ? String(offset + limit) : null));
  });

  app.get('/sessions/:id/events/stream', async (c) => {
    const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
    const wantsDeltas = new Set(queryList(c, 'event_deltas'));
    // A live tail: history up to now only primes the view (span ids), nothing of it is sent.
    const history = await store.read(summary.id);
    const view = new ManagedEventView({ topologyAgent: attributesOf(history)?.topology_agent === true });
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
  });

  return app;
}
