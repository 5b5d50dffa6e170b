/**
 * dag — explicit nodes and edges. Each node names the agent that runs it and optionally its own
 * `prompt`; `edges: [[from, to], …]` say which node's output feeds which (edges are the one form:
 * there is no per-node `depends_on`). The run proceeds in waves: every node whose parents have all
 * finished runs in the same wave, at most `concurrency` at once. A node receives the task, its
 * prompt, and its parents' outputs labelled by node id. The answer is the `output` node's reply when
 * set, else the sink's (a node with no outgoing edge), or every sink's in declaration order,
 * concatenated. Cycles and unknown references are rejected when the document is validated; a
 * machine run without those checks stops with reason `blocked` if no node can become ready.
 * Alias: `forest` (a DAG of several independent trees).
 *
 * With `on_agent_error: skip`, a node whose call fails for good has no output, so the nodes that
 * depend on it (directly or not) do not run either (`details.failed` and `details.not_run`); the
 * other branches go on. The answer is formed from the sinks that finished; when the `output` node
 * or every sink did not finish, the run fails.
 *
 * Command paths: `node:<id>`.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { agentsFailedError, type AgentReply, type TopologyDefinition, type TopologyInput, type TopologyIssue, type TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption } from './support/agent-failure.js';
import { agentCall, callAgentsPlaceholder, userTurn } from './support/call-agents.js';

const nodeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a node id holds only letters, digits, ".", "-" and "_" (at most 64)');

export const dagOptions = z.strictObject({
  nodes: z
    .array(
      z.strictObject({
        id: nodeId.describe('Unique node id, used in edges and command paths.'),
        agent: z.string().describe('Agent that runs this node; several nodes may share one agent.'),
        prompt: z.string().optional().describe('What this node must do; default: just the task (and its inputs).'),
      }),
    )
    .min(1)
    .describe('The nodes of the graph.'),
  edges: z.array(z.tuple([z.string(), z.string()])).default([]).describe('[from, to] pairs: the output of `from` is an input of `to`. Default: none (every node runs at once).'),
  concurrency: z.number().int().min(1).max(1000).default(4).describe('Most nodes in flight at once.'),
  output: z.string().optional().describe('Node whose output is the answer. Default: the sink node(s), concatenated when several.'),
  on_agent_error: onAgentErrorOption('a failed node has no output, so the nodes depending on it do not run and the other branches go on; when the output node or every sink did not finish, the run fails'),
});
export type DagOptions = z.infer<typeof dagOptions>;
type DagNode = DagOptions['nodes'][number];

interface DagContext {
  task: string;
  nodes: DagNode[];
  parents: Record<string, string[]>;
  options: DagOptions;
  outputs: Record<string, string>;
  waves: string[][];
  /** Nodes whose calls failed and were skipped. */
  failed: AgentReply[];
  /** Nodes that did not run because a node they depend on failed. */
  notRun: string[];
}

/** Whether a node is settled: it ran, failed, or cannot run. */
function settled(context: Pick<DagContext, 'outputs' | 'failed' | 'notRun'>, id: string): boolean {
  return id in context.outputs || context.notRun.includes(id) || context.failed.some((reply) => reply.path === `node:${id}`);
}

/**
 * The first cycle among `edges`, as node ids with the start repeated at the end; undefined if none.
 *
 * @example
 * findCycle(['a', 'b', 'c'], [['a', 'b'], ['b', 'c'], ['c', 'a']]) // → ['a', 'b', 'c', 'a']
 */
export function findCycle(ids: readonly string[], edges: ReadonlyArray<readonly [string, string]>): string[] | undefined {
  const children = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [from, to] of edges) children.get(from)?.push(to);
  const state = new Map<string, 'open' | 'closed'>();
  // Depth-first with an explicit stack (node and the index of its next child), so a long chain of
  // nodes cannot overflow the call stack; the order of discovery is that of the recursive search.
  for (const root of ids) {
    if (state.get(root) !== undefined) continue;
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, 'open');
    while (path.length > 0) {
      const id = path[path.length - 1] as string;
      const position = next[next.length - 1] as number;
      const child = (children.get(id) ?? [])[position];
      if (child === undefined) {
        path.pop();
        next.pop();
        state.set(id, 'closed');
        continue;
      }
      next[next.length - 1] = position + 1;
      if (state.get(child) === 'open') return [...path.slice(path.indexOf(child)), child];
      if (state.get(child) === undefined && children.has(child)) {
        state.set(child, 'open');
        path.push(child);
        next.push(0);
      }
    }
  }
  return undefined;
}

/**
 * What a node receives: the task, its own prompt, and its parents' outputs labelled by node id.
 *
 * @example
 * nodePrompt('Plan a trip', { id: 'budget', agent: 'a', prompt: 'Estimate costs' }, [{ id: 'route', text: '…' }])
 */
export function nodePrompt(task: string, node: DagNode, inputs: ReadonlyArray<{ id: string; text: string }>): string {
  if (node.prompt === undefined && inputs.length === 0) return task;
  const parts = [`Task: ${task}`];
  if (node.prompt !== undefined) parts.push(`Your part: ${node.prompt}`);
  if (inputs.length > 0) parts.push(`Outputs of the nodes this one depends on:\n\n${inputs.map((input) => `### ${input.id}\n${input.text}`).join('\n\n')}`);
  return parts.join('\n\n');
}

function readyNodes(context: DagContext): DagNode[] {
  return context.nodes.filter((node) => !settled(context, node.id) && (context.parents[node.id] ?? []).every((parent) => parent in context.outputs));
}

function sinks(context: DagContext): string[] {
  const sources = new Set(context.options.edges.map(([from]) => from));
  return context.nodes.filter((node) => !sources.has(node.id)).map((node) => node.id);
}

function dagResult(context: DagContext, reason: string): TopologyResult {
  const details: Record<string, unknown> = { waves: context.waves, sinks: sinks(context), completed: Object.keys(context.outputs).length, nodes: context.nodes.length };
  if (context.failed.length > 0) {
    details['failed'] = context.failed.map((reply) => reply.path.slice('node:'.length));
    if (context.notRun.length > 0) details['not_run'] = context.notRun;
  }
  if (reason === 'blocked') {
    const pending = context.nodes.filter((node) => !(node.id in context.outputs)).map((node) => node.id);
    return { answer: '', reason, aggregation: 'none', details: { ...details, pending } };
  }
  const output = context.options.output;
  if (output !== undefined) {
    if (!(output in context.outputs)) throw agentsFailedError('dag', `the output node "${output}" did not finish, so there is no answer`, context.failed);
    return { answer: context.outputs[output] ?? '', reason, aggregation: 'output_node', details: { ...details, output } };
  }
  const ends = sinks(context).filter((id) => id in context.outputs);
  if (ends.length === 0) throw agentsFailedError('dag', 'no sink node finished, so there is no answer', context.failed);
  if (ends.length === 1) return { answer: context.outputs[ends[0] as string] ?? '', reason, aggregation: 'sink', details };
  return { answer: ends.map((id) => `## ${id}\n\n${context.outputs[id] ?? ''}`).join('\n\n'), reason, aggregation: 'concat', details };
}

const machine = setup({
  types: {
    context: {} as DagContext,
    input: {} as TopologyInput<DagOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    allDone: ({ context }) => context.nodes.every((node) => settled(context, node.id)),
    noneReady: ({ context }) => readyNodes(context).length === 0,
  },
}).createMachine({
  id: 'dag',
  context: ({ input }) => {
    const parents: Record<string, string[]> = Object.fromEntries(input.options.nodes.map((node) => [node.id, []]));
    for (const [from, to] of input.options.edges) parents[to] = [...(parents[to] ?? []), from];
    return { task: input.task, nodes: input.options.nodes, parents, options: input.options, outputs: {}, waves: [], failed: [], notRun: [] };
  },
  initial: 'advancing',
  states: {
    advancing: {
      always: [{ guard: 'allDone', target: 'done' }, { guard: 'noneReady', target: 'blocked' }, { target: 'running' }],
    },
    running: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: readyNodes(context).map((node) =>
            agentCall(
              `node:${node.id}`,
              node.agent,
              userTurn(nodePrompt(context.task, node, (context.parents[node.id] ?? []).map((id) => ({ id, text: context.outputs[id] ?? '' })))),
              { phase: 'node', round: context.waves.length + 1 },
            ),
          ),
          concurrency: context.options.concurrency,
        }),
        onDone: {
          target: 'advancing',
          actions: assign(({ context, event }) => {
            const ready = readyNodes(context);
            const outputs = { ...context.outputs };
            const failed = [...context.failed];
            ready.forEach((node, index) => {
              const reply = event.output[index];
              if (reply?.skipped !== undefined) failed.push(reply);
              else outputs[node.id] = reply?.text ?? '';
            });
            // Nodes downstream of a failed node cannot run: mark them, to a fixed point.
            const notRun = [...context.notRun];
            const blocked = (id: string): boolean => notRun.includes(id) || failed.some((reply) => reply.path === `node:${id}`);
            let changed = failed.length > context.failed.length;
            while (changed) {
              changed = false;
              for (const node of context.nodes) {
                if (node.id in outputs || blocked(node.id)) continue;
                if ((context.parents[node.id] ?? []).some(blocked)) {
                  notRun.push(node.id);
                  changed = true;
                }
              }
            }
            return { outputs, failed, notRun, waves: [...context.waves, ready.map((node) => node.id)] };
          }),
        },
      },
    },
    done: { type: 'final' },
    blocked: { type: 'final' },
  },
  output: ({ context }) => dagResult(context, context.nodes.every((node) => settled(context, node.id)) ? 'all_nodes_done' : 'blocked'),
});

function checkDag(options: DagOptions, agentNames: ReadonlySet<string>): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  const ids = new Set<string>();
  options.nodes.forEach((node, index) => {
    if (ids.has(node.id)) issues.push({ path: ['options', 'nodes', index, 'id'], message: `options.nodes[${index}].id "${node.id}" is used by an earlier node` });
    ids.add(node.id);
    if (!agentNames.has(node.agent)) {
      issues.push({
        path: ['options', 'nodes', index, 'agent'],
        message: `options.nodes[${index}].agent names agent "${node.agent}", which is not in agents`,
        hint: `agents are: ${[...agentNames].join(', ')}`,
      });
    }
  });
  let edgesKnown = true;
  options.edges.forEach((edge, index) => {
    edge.forEach((id, end) => {
      if (ids.has(id)) return;
      edgesKnown = false;
      issues.push({ path: ['options', 'edges', index, end], message: `options.edges[${index}][${end}] names node "${id}", which is not in options.nodes` });
    });
  });
  if (edgesKnown) {
    const cycle = findCycle([...ids], options.edges);
    if (cycle !== undefined) issues.push({ path: ['options', 'edges'], message: `options.edges form a cycle: ${cycle.join(' → ')}`, hint: 'a dag must have no cycles; remove one of these edges' });
  }
  if (options.output !== undefined && !ids.has(options.output)) {
    issues.push({ path: ['options', 'output'], message: `options.output names node "${options.output}", which is not in options.nodes` });
  }
  return issues;
}

export const dagTopology: TopologyDefinition<DagOptions> = {
  name: 'dag',
  description: 'Explicit nodes and edges; ready nodes run in parallel with bounded concurrency; cycles rejected when the document is validated.',
  steering: 'At the next wave: every node that becomes ready when the running wave finishes receives it. During the last wave it becomes the next turn.',
  options: dagOptions,
  minAgents: 1,
  check(options, agents): TopologyIssue[] {
    return checkDag(options, new Set(agents.map((agent) => agent.name)));
  },
  machine,
};
