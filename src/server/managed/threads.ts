/**
 * Managed Agents session threads (`client.beta.sessions.threads`: list, retrieve; `threads.events`:
 * list, stream) over a conclave session's log. The threads are the session's agents (see
 * `thread-ledger.ts`): the primary thread is the session — a topology agent's topology, or a plain
 * agent's one model — and each agent slot of a topology agent's document is a child thread. Like the
 * session's events, nothing is stored: every read translates the log with the same `ManagedEventView`
 * the session routes use, so a thread's events are exactly the session's events of that thread, with
 * the same ids. Another workspace's session, or a thread the session does not have, is a 404.
 */
import type { Hono } from 'hono';
import { isNestedTopology, modelChain, type AgentSlot, type CustomToolSettings } from '../../protocol/index.js';
import { ConclaveError, type SessionEvent, type SessionSummary } from '../../protocol/index.js';
import { ownedSession } from '../native/sessions.js';
import { buildPage, parsePageQuery } from '../paging.js';
import { mountRoutes } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { openSseStream } from '../sse.js';
import { builtinToolsetNames } from './agent-tools.js';
import {
  ManagedEventView,
  createDeltaStreamState,
  deltaEvents,
  managedStatusOf,
  sessionStatsFrom,
  sessionUsageFrom,
  type ManagedEvent,
  type ManagedEventViewOptions,
} from './event-view.js';
import type { LiveDelta } from './managed-deltas.js';
import { recordOf } from './managed-session-summary.js';
import { isWithin, threadsOf, type SessionThreadLedger, type ThreadNode } from './thread-ledger.js';
import { managedThreadRouteTable, type ManagedThreadObject } from './thread-routes.js';

type ThreadAgent = ManagedThreadObject['agent'];

/** How the session's events are shown (as `sessions.ts` shows them): a topology's, or a plain agent's. */
function viewOptionsOf(events: readonly SessionEvent[]): ManagedEventViewOptions {
  const created = events[0];
  const managed = created?.type === 'session.created' ? recordOf(recordOf(created.data['attributes'])?.['managed']) : undefined;
  const mcpTools = recordOf(managed?.['mcp_tools']) as ManagedEventViewOptions['mcpTools'];
  return { topologyAgent: managed?.['topology_agent'] === true, ...(mcpTools !== undefined ? { mcpTools } : {}) };
}

/** A session's log translated: every Managed event, and its threads as the whole log leaves them. */
interface ThreadedLog {
  events: ManagedEvent[];
  ledger: SessionThreadLedger;
  view: ManagedEventView;
}

function threadedLog(log: readonly SessionEvent[]): ThreadedLog {
  const view = new ManagedEventView(viewOptionsOf(log));
  const events = log.flatMap((event) => view.translate(event));
  const ledger = view.threads;
  if (ledger === undefined) throw new ConclaveError('internal', 'the session log does not begin with session.created');
  return { events, ledger, view };
}

/** The thread `threadId` of the session; a 404 when the session has none by that id. */
function threadOf(ledger: SessionThreadLedger, sessionId: string, threadId: string): ThreadNode {
  const thread = ledger.thread(threadId);
  if (thread === undefined) throw new ConclaveError('not_found', `no thread ${threadId} in session ${sessionId}`, { hint: `list its threads with GET /v1/sessions/${sessionId}/threads` });
  return thread;
}

/**
 * Whether an event of the session's view belongs on `thread`'s list and stream: everything on the
 * primary thread; on a child thread, its own events and its nested agents', and the session's deletion.
 */
function belongsTo(event: ManagedEvent, thread: ThreadNode, ledger: SessionThreadLedger): boolean {
  if (thread === ledger.root || event.type === 'session.deleted') return true;
  const id = event['session_thread_id'];
  const node = typeof id === 'string' ? ledger.thread(id) : undefined;
  return node !== undefined && isWithin(node, thread);
}

/**
 * An event as `thread`'s own list shows it: as in the Managed Agents API, `session_thread_id` marks an
 * event cross-posted from another thread, so a thread's own events leave it out (its status events,
 * whose type requires it, keep it).
 */
function asSeenBy(event: ManagedEvent, thread: ThreadNode): ManagedEvent {
  if (event['session_thread_id'] !== thread.id || event.type.startsWith('session.thread_')) return event;
  const { session_thread_id: _own, ...rest } = event;
  return rest as ManagedEvent;
}

/** The document's `tools:` entries by name (descriptions and schemas of a slot's tools). */
function documentToolsOf(log: readonly SessionEvent[]): Map<string, CustomToolSettings> {
  const tools = recordOf(log[0]?.data['document'])?.['tools'];
  const byName = new Map<string, CustomToolSettings>();
  if (Array.isArray(tools)) for (const tool of tools as CustomToolSettings[]) if (typeof tool?.name === 'string') byName.set(tool.name, tool);
  return byName;
}

/**
 * A slot's tools in the Managed Agents form: conclave's built-ins as the agent toolset's tools
 * (`read_file` → `read`, with `always_ask` where the document asks), anything else — a command tool,
 * a client-run tool, an MCP server's tool — as a `custom` tool with its description and schema.
 */
function slotTools(slot: AgentSlot, documentTools: Map<string, CustomToolSettings>): Array<Record<string, unknown> & { type: string }> {
  if (isNestedTopology(slot) || slot.tools === undefined || slot.tools.length === 0) return [];
  const configs: Array<Record<string, unknown>> = [];
  const custom: Array<Record<string, unknown> & { type: string }> = [];
  for (const name of slot.tools) {
    const declared = documentTools.get(name);
    const toolset = builtinToolsetNames[name];
    if (toolset !== undefined) {
      const permission = declared?.approval === 'always_ask' ? 'always_ask' : 'always_allow';
      configs.push({ name: toolset, type: toolset, enabled: true, permission_policy: { type: permission } });
    } else {
      custom.push({ type: 'custom', name, description: declared?.description ?? '', input_schema: declared?.input_schema ?? { type: 'object', properties: {} } });
    }
  }
  const toolset = { type: 'agent_toolset_20260401', default_config: { enabled: false, permission_policy: { type: 'always_allow' } }, configs };
  return configs.length > 0 ? [toolset, ...custom] : custom;
}

/** A topology's agent slot as a thread's `inline` agent. */
function inlineAgent(slot: AgentSlot, documentTools: Map<string, CustomToolSettings>): ThreadAgent {
  const nested = isNestedTopology(slot);
  // The model's query (offline/persona?persona=…) is configuration, not its identity: left out.
  const model = nested ? `topology:${slot.topology}` : (modelChain(slot)[0] ?? '').split('?')[0] ?? '';
  return {
    type: 'inline',
    name: slot.name,
    description: slot.description ?? null,
    model: { id: model },
    system: nested ? null : (slot.system ?? null),
    tools: slotTools(slot, documentTools),
    mcp_servers: [],
    skills: [],
    execution_identity: { type: 'service_account' },
  };
}

/** A spawned thread's agent when a Managed coordinator's roster names it: the saved agent, at the version the session runs. */
function rosterAgent(log: readonly SessionEvent[], thread: ThreadNode): ThreadAgent | undefined {
  if (thread.spawn === undefined || thread.slot === undefined) return undefined;
  const roster = recordOf(recordOf(log[0]?.data['attributes'])?.['managed'])?.['roster'];
  if (!Array.isArray(roster)) return undefined;
  const member = (roster as Array<{ slot?: unknown; agent?: Record<string, unknown> }>).find((entry) => entry?.slot === thread.slot?.name);
  if (member?.agent === undefined) return undefined;
  const { multiagent: _roster, ...agent } = member.agent;
  return agent as ThreadAgent;
}

/** The primary thread's agent: the session's agent (without its roster), or the document as an inline agent. */
function primaryAgent(log: readonly SessionEvent[], name: string): ThreadAgent {
  const created = log[0];
  const managed = recordOf(recordOf(created?.data['attributes'])?.['managed']);
  const agent = recordOf(managed?.['agent']);
  if (agent !== undefined) {
    const { multiagent: _roster, ...snapshot } = agent;
    return snapshot as ThreadAgent;
  }
  return {
    type: 'inline',
    name,
    description: null,
    model: { id: `topology:${String(created?.data['topology'] ?? 'pipeline')}` },
    system: null,
    tools: [],
    mcp_servers: [],
    skills: [],
    execution_identity: { type: 'service_account' },
  };
}

function secondsBetween(from: string, to: string): number {
  const milliseconds = Date.parse(to) - Date.parse(from);
  return Number.isFinite(milliseconds) && milliseconds > 0 ? milliseconds / 1000 : 0;
}

const rounded = (seconds: number): number => Math.round(seconds * 1000) / 1000;

/**
 * A thread in the Managed Agents shape. Its usage sums its own model calls and its nested agents';
 * `stats` are null until it first runs and `usage` until it first goes idle, as the API has them.
 */
function threadObject(summary: SessionSummary, log: readonly SessionEvent[], ledger: SessionThreadLedger, thread: ThreadNode): ManagedThreadObject {
  const running = summary.status === 'running';
  const now = new Date().toISOString();
  const base = {
    id: thread.id,
    type: 'session_thread' as const,
    session_id: summary.id,
    parent_thread_id: thread.parent?.id ?? null,
    archived_at: null,
    created_at: thread.spawn?.createdAt ?? summary.createdAt,
    workflow_run_id: null,
  };
  if (thread === ledger.root) {
    const ran = log.some((event) => event.type === 'session.status_running');
    const idled = log.some((event) => event.type === 'session.status_idle');
    const stats = sessionStatsFrom(log, running ? { now } : {});
    const usage = sessionUsageFrom(log);
    return {
      ...base,
      agent: primaryAgent(log, thread.name),
      status: managedStatusOf(summary.status),
      updated_at: summary.updatedAt,
      stats: ran ? stats : null,
      usage: idled
        ? {
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            cache_read_input_tokens: usage.cache_read_input_tokens,
            cache_creation: usage.cache_creation,
            active_seconds: stats.active_seconds,
            list_cost: usage.list_cost,
          }
        : null,
    };
  }
  const activity = ledger.activityOf(thread);
  const within = threadsOf(thread);
  const usage = sessionUsageFrom(within.flatMap((node) => ledger.activityOf(node).completions));
  const end = running ? now : (log[log.length - 1]?.at ?? summary.updatedAt);
  const active = rounded(activity.activeSeconds + (activity.running && activity.runningSince !== undefined ? secondsBetween(activity.runningSince, end) : 0));
  const terminated = activity.terminated || summary.status === 'terminated';
  return {
    ...base,
    agent: rosterAgent(log, thread) ?? inlineAgent(thread.slot as AgentSlot, documentToolsOf(log)),
    status: terminated ? 'terminated' : activity.running && running ? 'running' : 'idle',
    updated_at: activity.updatedAt ?? summary.createdAt,
    stats: activity.started ? { active_seconds: active, duration_seconds: secondsBetween(summary.createdAt, end), startup_seconds: 0 } : null,
    usage: activity.idled
      ? {
          input_tokens: usage.input_tokens,
          output_tokens: usage.output_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
          cache_creation: usage.cache_creation,
          active_seconds: active,
          list_cost: usage.list_cost === null ? null : { amount: String(Math.round(Number(usage.list_cost.amount))), currency: 'USD' },
        }
      : null,
  };
}

/** Query values that may come as `key` or `key[]` (the SDK sends arrays as `key[]=…`). */
function queryList(query: (key: string) => string[] | undefined, key: string): string[] {
  return [...(query(`${key}[]`) ?? []), ...(query(key) ?? [])];
}

/** An offset cursor of this API's thread lists. */
function offsetOf(page: string | undefined): number {
  if (page === undefined) return 0;
  if (!/^\d+$/.test(page)) throw new ConclaveError('invalid_argument', `query.page: "${page}" is not a page cursor from this API`, { location: { path: 'page' } });
  return Number(page);
}

/** The largest number of a command's deltas a thread stream holds while it learns the command's thread. */
const maxPendingDeltas = 10_000;

/**
 * The thread routes, relative to the Managed API root (`/anthropic/v1`).
 *
 * @example
 * app.route(managedThreadRouteTable.basePath, managedThreadRoutes(deps)); // GET /anthropic/v1/sessions/{id}/threads, …
 */
export function managedThreadRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const { kernel } = deps;
  const store = kernel.store;

  return mountRoutes(managedThreadRouteTable, {
    listManagedSessionThreads: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const { limit, page } = parsePageQuery(c.req.query());
      const statuses = new Set(queryList((key) => c.req.queries(key), 'statuses'));
      const log = await store.read(summary.id);
      const { ledger } = threadedLog(log);
      const threads = threadsOf(ledger.root)
        .map((thread) => threadObject(summary, log, ledger, thread))
        .filter((thread) => statuses.size === 0 || statuses.has(thread.status));
      const offset = offsetOf(page);
      return c.json(buildPage(threads.slice(offset, offset + limit), offset + limit < threads.length ? String(offset + limit) : null));
    },

    getManagedSessionThread: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const log = await store.read(summary.id);
      const { ledger } = threadedLog(log);
      return c.json(threadObject(summary, log, ledger, threadOf(ledger, summary.id, c.req.param('thread_id'))));
    },

    listManagedSessionThreadEvents: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const { limit, page } = parsePageQuery(c.req.query(), 1000);
      const { events, ledger } = threadedLog(await store.read(summary.id));
      const thread = threadOf(ledger, summary.id, c.req.param('thread_id'));
      const own = events.filter((event) => belongsTo(event, thread, ledger)).map((event) => asSeenBy(event, thread));
      const offset = offsetOf(page);
      return c.json(buildPage(own.slice(offset, offset + limit), offset + limit < own.length ? String(offset + limit) : null));
    },

    streamManagedSessionThreadEvents: async (c) => {
      const summary = await ownedSession(deps, c.get('workspace'), c.req.param('id'));
      const wantsDeltas = new Set(queryList((key) => c.req.queries(key), 'event_deltas'));
      // A live tail, as the session's stream: history only primes the view (span ids, threads).
      const history = await store.read(summary.id);
      const { ledger, view } = threadedLog(history);
      const thread = threadOf(ledger, summary.id, c.req.param('thread_id'));
      const head = history[history.length - 1]?.seq ?? 0;
      return openSseStream(
        c,
        async (sink) => {
          const deltaState = createDeltaStreamState();
          /** Deltas of commands whose thread the view has not learned yet (a delta may outrun its `command.started`). */
          const pending = new Map<string, LiveDelta[]>();
          const sendDelta = (delta: LiveDelta): void => {
            for (const frame of deltaEvents(delta, deltaState)) {
              const kind = frame.type === 'event_start' ? frame.event.type : 'agent.message';
              if (wantsDeltas.has(kind)) void sink.send({ event: frame.type, data: frame });
            }
          };
          const route = (delta: LiveDelta): void => {
            if (thread === ledger.root) return sendDelta(delta);
            const owner = ledger.threadOfCommand(delta.commandId);
            if (owner !== undefined) {
              if (isWithin(owner, thread)) sendDelta(delta);
              return;
            }
            const held = pending.get(delta.commandId) ?? [];
            if (held.length < maxPendingDeltas) held.push(delta);
            pending.set(delta.commandId, held);
          };
          /** After each event: send what is now known to be this thread's, drop what is known not to be. */
          const settle = (event: SessionEvent): void => {
            for (const [commandId, held] of pending) {
              const owner = ledger.threadOfCommand(commandId);
              const seen = owner !== undefined || (event.type.startsWith('command.') && event.data['commandId'] === commandId);
              if (!seen) continue;
              pending.delete(commandId);
              if (owner !== undefined && isWithin(owner, thread)) for (const delta of held) sendDelta(delta);
            }
          };
          const stopDeltas =
            wantsDeltas.size > 0
              ? kernel.live.subscribe(summary.id, (item) => {
                  if (item.type === 'delta') route(item);
                })
              : () => undefined;
          try {
            for await (const event of store.follow(summary.id, { afterSeq: head, signal: sink.closed })) {
              for (const managed of view.translate(event)) {
                // Not awaited (as the session's stream): frames queue in order, and a delta that arrives meanwhile follows them.
                if (belongsTo(managed, thread, ledger)) void sink.send({ event: managed.type, data: asSeenBy(managed, thread) });
              }
              if (pending.size > 0) settle(event);
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
