/**
 * What the session view shows, folded from the session's events and live deltas: the transcript
 * grouped by turn, topology step (phase and round) and agent, with each call's tokens and cost; the
 * step running now; the latest result; and the status. Pure and DOM-free (the unit tests drive it
 * with recorded event shapes); the view keeps one model per session and re-renders when it changes.
 */

/** An event as the API sends it (`Event` of the OpenAPI document). */
export interface SessionEvent {
  id: string;
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

/** The data of an `event: delta` frame: model output as it streams. */
export interface Delta {
  commandId: string;
  agent: string;
  attempt: number;
  kind: 'text' | 'reasoning' | 'reset';
  delta: string;
}

export interface StepInfo {
  topology: string;
  phase: string;
  round?: number;
  agent?: string;
}

/** One model call of an agent, as it streams and once it is done. */
export interface AgentEntry {
  kind: 'agent';
  commandId: string;
  agent: string;
  model?: string;
  attempt: number;
  text: string;
  state: 'running' | 'done' | 'retrying' | 'failed' | 'skipped' | 'stopped';
  error?: string;
  inputTokens: number;
  outputTokens: number;
  usd: number;
  simulated: boolean;
}

/** Something said or done by a person or the runtime between agent calls. */
export interface NoteEntry {
  kind: 'note';
  seq: number;
  who: 'user' | 'tool' | 'system';
  text: string;
}

export type TranscriptEntry = AgentEntry | NoteEntry;

/** A step of the topology: a phase (and round) of one turn, with everything said during it. */
export interface StepGroup {
  key: string;
  label: string;
  turn: number;
  step: StepInfo;
  entries: TranscriptEntry[];
}

export interface TopologyResult {
  answer: string;
  reason: string;
  aggregation: string;
  details: Record<string, unknown>;
}

export interface SessionModel {
  events: SessionEvent[];
  lastSeq: number;
  status: 'created' | 'running' | 'idle' | 'terminated';
  stopReason?: string;
  topology: string;
  agents: string[];
  turn: number;
  groups: StepGroup[];
  /** The key of the group whose step started last (highlighted while the session runs). */
  currentKey?: string;
  result?: TopologyResult;
  error?: string;
  commands: Map<string, AgentEntry>;
}

/**
 * An empty model, before the first event.
 *
 * @example
 * const model = createSessionModel();
 * for (const event of page.data) applyEvent(model, event);
 */
export function createSessionModel(): SessionModel {
  return { events: [], lastSeq: 0, status: 'created', topology: '', agents: [], turn: 1, groups: [], commands: new Map() };
}

function stepOf(value: unknown): StepInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const step = value as Record<string, unknown>;
  if (typeof step['topology'] !== 'string' || typeof step['phase'] !== 'string') return undefined;
  return {
    topology: step['topology'],
    phase: step['phase'],
    ...(typeof step['round'] === 'number' ? { round: step['round'] } : {}),
    ...(typeof step['agent'] === 'string' ? { agent: step['agent'] } : {}),
  };
}

/**
 * The label of a step as the UI shows it (`debate · round 2`, `turn 2 · pipeline · stage`).
 *
 * @example
 * stepLabel({ topology: 'debate', phase: 'debate', round: 2 }, 1) // → 'debate · round 2'
 */
export function stepLabel(step: StepInfo, turn: number): string {
  const parts = turn > 1 ? [`turn ${turn}`, step.topology] : [step.topology];
  if (step.phase !== step.topology) parts.push(step.phase);
  if (step.round !== undefined) parts.push(`round ${step.round}`);
  return parts.join(' · ');
}

function groupFor(model: SessionModel, step: StepInfo): StepGroup {
  const key = `${model.turn}/${step.topology}/${step.phase}/${step.round ?? ''}`;
  let group = model.groups.find((candidate) => candidate.key === key);
  if (group === undefined) {
    group = { key, label: stepLabel(step, model.turn), turn: model.turn, step: { topology: step.topology, phase: step.phase, ...(step.round !== undefined ? { round: step.round } : {}) }, entries: [] };
    model.groups.push(group);
  }
  return group;
}

/** The group new notes go to: the current step's, or a turn-level one before any step ran. */
function currentGroup(model: SessionModel): StepGroup {
  const current = model.groups.find((group) => group.key === model.currentKey && group.turn === model.turn);
  return current ?? groupFor(model, { topology: model.topology || 'session', phase: model.turn > 1 ? `turn ${model.turn}` : 'start' });
}

function agentEntry(model: SessionModel, commandId: string, agent: string, step: StepInfo | undefined): AgentEntry {
  let entry = model.commands.get(commandId);
  if (entry === undefined) {
    entry = { kind: 'agent', commandId, agent, attempt: 1, text: '', state: 'running', inputTokens: 0, outputTokens: 0, usd: 0, simulated: false };
    model.commands.set(commandId, entry);
    const group = step === undefined ? currentGroup(model) : groupFor(model, step);
    group.entries.push(entry);
  }
  return entry;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Folds one stored event into the model (events must come in `seq` order; repeats are ignored).
 *
 * @example
 * applyEvent(model, { id: 'sevt_1', seq: 1, type: 'session.created', at: '…', data: { topology: 'debate', document: { agents: [] } } });
 */
export function applyEvent(model: SessionModel, event: SessionEvent): void {
  if (event.seq <= model.lastSeq) return;
  model.lastSeq = event.seq;
  model.events.push(event);
  const data = event.data;
  switch (event.type) {
    case 'session.created': {
      model.topology = text(data['topology']);
      const document = data['document'] as { agents?: Array<{ name?: unknown }> } | undefined;
      model.agents = (document?.agents ?? []).map((agent) => text(agent.name)).filter((name) => name !== '');
      break;
    }
    case 'session.status_running':
      model.status = 'running';
      delete model.stopReason;
      break;
    case 'session.status_idle':
      model.status = 'idle';
      model.stopReason = text(data['stopReason']);
      for (const entry of model.commands.values()) if (entry.state === 'running' || entry.state === 'retrying') entry.state = 'stopped';
      break;
    case 'session.status_terminated':
      model.status = 'terminated';
      break;
    case 'session.error':
      model.error = text((data['error'] as { message?: unknown } | undefined)?.message);
      break;
    case 'turn.started':
      model.turn = number(data['turn']) || model.turn + 1;
      delete model.currentKey;
      break;
    case 'command.started': {
      const step = stepOf(data['step']);
      const input = (data['input'] ?? {}) as Record<string, unknown>;
      if (step !== undefined) model.currentKey = groupFor(model, step).key;
      if (!text(data['kind']).startsWith('model')) break;
      const entry = agentEntry(model, text(data['commandId']), text(input['agent']) || step?.agent || '?', step);
      const attempt = number(data['attempt']) || 1;
      if (attempt > entry.attempt) entry.text = '';
      entry.attempt = Math.max(entry.attempt, attempt);
      entry.state = 'running';
      if (typeof input['model'] === 'string') entry.model = input['model'];
      break;
    }
    case 'command.completed': {
      const entry = model.commands.get(text(data['commandId']));
      if (entry === undefined) break;
      const usage = (data['usage'] ?? {}) as Record<string, unknown>;
      const cost = (data['cost'] ?? {}) as Record<string, unknown>;
      entry.state = 'done';
      entry.text = text((data['output'] as Record<string, unknown> | undefined)?.['text']) || entry.text;
      entry.inputTokens = number(usage['inputTokens']);
      entry.outputTokens = number(usage['outputTokens']);
      entry.usd = number(cost['usd']);
      entry.simulated = cost['simulated'] === true || data['simulated'] === true;
      if (typeof data['model'] === 'string') entry.model = data['model'];
      break;
    }
    case 'command.failed': {
      const entry = model.commands.get(text(data['commandId']));
      if (entry === undefined) break;
      const error = (data['error'] ?? {}) as { message?: unknown; code?: unknown };
      // An interrupt aborts the calls in flight: they were stopped, not broken.
      entry.state = data['willRetry'] === true ? 'retrying' : error.code === 'aborted' ? 'stopped' : 'failed';
      entry.error = text(error.message);
      break;
    }
    case 'agent.message': {
      const entry = agentEntry(model, text(data['commandId']), text(data['agent']), stepOf(data['step']));
      entry.text = text(data['text']) || entry.text;
      if (entry.state === 'running') entry.state = 'done';
      break;
    }
    case 'agent.skipped': {
      const commandId = text(data['commandId']) || text(data['path']);
      const entry = agentEntry(model, commandId, text(data['agent']), stepOf(data['step']));
      entry.state = 'skipped';
      entry.error = text((data['error'] as { message?: unknown } | undefined)?.message);
      break;
    }
    case 'user.message':
      currentGroup(model).entries.push({ kind: 'note', seq: event.seq, who: 'user', text: text(data['text']) });
      break;
    case 'user.interrupt':
      currentGroup(model).entries.push({ kind: 'note', seq: event.seq, who: 'user', text: `interrupted${text(data['reason']) ? `: ${text(data['reason'])}` : ''}` });
      break;
    case 'agent.tool_use':
    case 'agent.custom_tool_use':
      currentGroup(model).entries.push({ kind: 'note', seq: event.seq, who: 'tool', text: `${text(data['agent'])} calls ${text(data['tool'])} ${JSON.stringify(data['input'] ?? {})}` });
      break;
    case 'topology.completed':
      model.result = { answer: text(data['answer']), reason: text(data['reason']), aggregation: text(data['aggregation']), details: (data['details'] ?? {}) as Record<string, unknown> };
      break;
    default:
      break;
  }
}

/**
 * Folds one delta frame into the call it belongs to; per call only the highest attempt's text is kept.
 *
 * @example
 * applyDelta(model, { commandId: 'debate/round:1/agent:0/generate:0', agent: 'optimist', attempt: 1, kind: 'text', delta: 'Most' });
 */
export function applyDelta(model: SessionModel, delta: Delta): void {
  const entry = agentEntry(model, delta.commandId, delta.agent, undefined);
  if (entry.state === 'done') return;
  if (delta.attempt > entry.attempt || delta.kind === 'reset') {
    entry.attempt = Math.max(entry.attempt, delta.attempt);
    entry.text = '';
  }
  if (delta.attempt < entry.attempt) return;
  if (delta.kind === 'text') entry.text += delta.delta;
  entry.state = 'running';
}

/** A node of the topology graph: one agent in one step. */
export interface GraphNode {
  agent: string;
  state: 'waiting' | 'running' | 'done' | 'stopped' | 'failed';
}

/** A column of the topology graph: one step and its agents. */
export interface GraphColumn {
  key: string;
  label: string;
  current: boolean;
  nodes: GraphNode[];
}

/**
 * The topology as a graph of its steps (columns, in the order they ran) and their agents; before
 * any step ran, one column of the document's agents. `current` marks the step running now.
 *
 * @example
 * graphOf(model).find((column) => column.current)?.label // → 'debate · round 2'
 */
export function graphOf(model: SessionModel): GraphColumn[] {
  const columns: GraphColumn[] = model.groups
    .filter((group) => group.entries.some((entry) => entry.kind === 'agent'))
    .map((group) => {
      const nodes = new Map<string, GraphNode>();
      for (const entry of group.entries) {
        if (entry.kind !== 'agent') continue;
        const state: GraphNode['state'] = entry.state === 'done' ? 'done' : entry.state === 'running' || entry.state === 'retrying' ? 'running' : entry.state === 'stopped' ? 'stopped' : 'failed';
        const previous = nodes.get(entry.agent);
        if (previous === undefined || state === 'running') nodes.set(entry.agent, { agent: entry.agent, state });
      }
      return { key: group.key, label: group.label, current: model.status === 'running' && group.key === model.currentKey, nodes: [...nodes.values()] };
    });
  if (columns.length > 0) return columns;
  return [{ key: 'agents', label: model.topology || 'agents', current: false, nodes: model.agents.map((agent) => ({ agent, state: 'waiting' as const })) }];
}
