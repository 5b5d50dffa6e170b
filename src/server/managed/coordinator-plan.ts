/**
 * A coordinator agent's session as a conclave document: the agent's model slot gets the built-in
 * `spawn_agent` tool and a `spawn:` roster with one slot per agent of its `multiagent` roster (the
 * versions stored on the agent), so its model starts them at run time, each a journaled child that
 * resumes with the session and counts against its budget, and each a session thread
 * (`session.thread_created`, see `thread-ledger.ts`). A roster agent's tools become its slot's tools
 * as a plain agent's do (`agent-tools.ts`); the document's `tools:` and `environment:` are shared,
 * so two agents that disagree on them (a tool that asks in one and not the other, different web
 * domains) are refused with a 400 naming the roster entry, as is a roster agent with MCP servers
 * (its connections are not planned per thread yet).
 */
import { ConclaveError, isConclaveError } from '../../protocol/errors.js';
import type { ResourceStore } from '../../protocol/resources.js';
import { agentToolPlan, conclaveModelOf, type AgentToolPlan } from './agent-tools.js';
import { agentSnapshot, loadAgent, type AgentSnapshot } from './agents.js';
import type { EnvironmentConfig } from './environments.js';
import { rosterOf } from './multiagent-schema.js';

/** One roster agent as its session runs it: the spawn roster's slot name and the agent. */
export interface RosterMember {
  slot: string;
  agent: AgentSnapshot;
}

/** What a coordinator adds to its session's document. */
export interface CoordinatorPlan {
  /** The model slot's `spawn:` section. */
  spawn: { agents: Array<Record<string, unknown>> };
  /** The document's `tools:` entries, the coordinator's and every roster agent's. */
  documentTools: Array<Record<string, unknown>>;
  environment: AgentToolPlan['environment'];
  /** The roster as run, for the session's attributes (a spawned thread shows its agent). */
  members: RosterMember[];
}

/**
 * A slot name for an agent's name: letters, digits, `-` and `_`, starting with a letter, at most 64,
 * unique among `taken`.
 *
 * @example
 * rosterSlotName('Market researcher', new Set()) // → 'Market-researcher'
 * rosterSlotName('42', new Set())                // → 'agent-42'
 */
export function rosterSlotName(name: string, taken: ReadonlySet<string>): string {
  let base = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[A-Za-z]/.test(base)) base = `agent-${base}`.replace(/-$/, '');
  base = base.slice(0, 60);
  let candidate = base;
  for (let suffix = 2; taken.has(candidate); suffix += 1) candidate = `${base}-${suffix}`;
  return candidate;
}

/**
 * The spawn roster, shared tools and environment of a coordinator's session, or undefined when the
 * agent has no roster. `own` is the coordinator's tool plan; `networkAllowed` the server policy's.
 *
 * @example
 * const plan = await coordinatorPlan(deps.resources, workspace, agent, environment, own, true);
 * modelAgent.spawn = plan?.spawn;
 */
export async function coordinatorPlan(
  resources: ResourceStore,
  workspace: string,
  coordinator: AgentSnapshot,
  environment: EnvironmentConfig,
  own: AgentToolPlan,
  networkAllowed: boolean,
): Promise<CoordinatorPlan | undefined> {
  const roster = rosterOf(coordinator.multiagent);
  if (roster.length === 0) return undefined;
  const rosterPath = coordinator.multiagent?.['type'] === 'coordinator' ? 'agent.multiagent.agents' : 'agent.multiagent.subagents.predefined_agents';
  const shared = new SharedSections(own);
  const taken = new Set<string>();
  const members: RosterMember[] = [];
  const slots: Array<Record<string, unknown>> = [];
  for (const [index, reference] of roster.entries()) {
    const at = `${rosterPath}[${index}]`;
    // `self` is the session's own agent (with the session's overrides), minus the roster: one level deep.
    const agent = reference.id === coordinator.id ? { ...coordinator, multiagent: null } : agentSnapshot(await loadAgent(resources, workspace, reference.id, reference.version));
    if (agent.mcp_servers.length > 0) {
      throw new ConclaveError('invalid_argument', `${at}: roster agent ${agent.id} ("${agent.name}") uses MCP servers, which a spawned thread cannot reach yet`, {
        location: { path: at },
        hint: 'give the roster agent no MCP servers, or run it as a session of its own',
      });
    }
    const plan = withRosterPath(at, agent, () => (reference.id === coordinator.id ? own : agentToolPlan(agent, environment, networkAllowed)));
    shared.add(plan, at, agent);
    const slot = rosterSlotName(agent.name, taken);
    taken.add(slot);
    const member: Record<string, unknown> = { name: slot, model: conclaveModelOf(agent.model.id) };
    if (agent.description !== null && agent.description !== '') member['description'] = agent.description;
    if (agent.system !== null && agent.system !== '') member['system'] = agent.system;
    if (plan.tools.length > 0) member['tools'] = plan.tools;
    slots.push(member);
    members.push({ slot, agent });
  }
  return { spawn: { agents: slots }, documentTools: shared.tools(), environment: shared.environment, members };
}

/** Runs `plan` and names the roster entry in any refusal it makes (its paths are the agent's own). */
function withRosterPath(at: string, agent: AgentSnapshot, plan: () => AgentToolPlan): AgentToolPlan {
  try {
    return plan();
  } catch (error) {
    if (!isConclaveError(error)) throw error;
    throw new ConclaveError(error.code, `${at}: roster agent ${agent.id} ("${agent.name}"): ${error.message}`, { location: { path: at }, ...(error.hint !== undefined ? { hint: error.hint } : {}) });
  }
}

/** The document sections every agent of the session shares, refused where two agents disagree. */
class SharedSections {
  private readonly byName = new Map<string, { entry: Record<string, unknown>; from: string }>();
  /** Each tool an agent uses, whether it asks first, and which agent said so first (approvals are per document tool). */
  private readonly asking = new Map<string, { asks: boolean; from: string }>();
  environment: AgentToolPlan['environment'];

  constructor(own: AgentToolPlan) {
    this.environment = own.environment;
    this.record(own, 'agent.tools');
  }

  add(plan: AgentToolPlan, at: string, agent: AgentSnapshot): void {
    for (const entry of plan.documentTools) {
      const known = this.byName.get(String(entry['name']));
      if (known !== undefined && JSON.stringify(known.entry) !== JSON.stringify(entry)) throw disagree(at, agent, `its tool "${String(entry['name'])}" is set up differently than at ${known.from}`);
    }
    for (const name of plan.tools) {
      const known = this.asking.get(name);
      const asks = asksFirst(plan, name);
      if (known !== undefined && known.asks !== asks) throw disagree(at, agent, `its "${name}" ${asks ? 'asks first' : 'runs without asking'}, but at ${known.from} it ${known.asks ? 'asks first' : 'does not'}`);
    }
    if (plan.environment !== undefined && this.environment !== undefined && JSON.stringify(this.environment) !== JSON.stringify(plan.environment)) {
      throw disagree(at, agent, "its web_fetch domains differ from the other agents'");
    }
    this.environment ??= plan.environment;
    this.record(plan, at);
  }

  tools(): Array<Record<string, unknown>> {
    return [...this.byName.values()].map((known) => known.entry);
  }

  private record(plan: AgentToolPlan, from: string): void {
    for (const entry of plan.documentTools) if (!this.byName.has(String(entry['name']))) this.byName.set(String(entry['name']), { entry, from });
    for (const name of plan.tools) if (!this.asking.has(name)) this.asking.set(name, { asks: asksFirst(plan, name), from });
  }
}

function asksFirst(plan: AgentToolPlan, name: string): boolean {
  return plan.documentTools.some((entry) => entry['name'] === name && entry['approval'] === 'always_ask');
}

function disagree(at: string, agent: AgentSnapshot, why: string): ConclaveError {
  return new ConclaveError('invalid_argument', `${at}: roster agent ${agent.id} ("${agent.name}") cannot share this session: ${why}`, {
    location: { path: at },
    hint: "the agents of one session share the document's tools and sandbox: give them the same permission policies and web_fetch domains",
  });
}
