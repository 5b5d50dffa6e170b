/**
 * router — a classifier agent picks which route (agent) handles the task, or the top `k` routes.
 * The classifier is asked for JSON — `{ "route": "<name>" }`, or `{ "routes": [...] }` when k > 1 —
 * and either form is accepted. A reply with no such JSON is read as text: the route names it
 * mentions, earliest first. Unknown names are dropped; when no known route remains, the `fallback`
 * route runs instead (reason `fallback`, else `routed`). One chosen route's reply is the answer;
 * with k > 1 the chosen routes run in parallel and their replies are concatenated in route order.
 *
 * With `on_agent_error: skip`, a classifier whose call fails for good sends the task to the fallback
 * route (reason `fallback`, `details.method: "failed"`). A chosen route that fails is left out of a
 * k > 1 answer; when every chosen route failed, the fallback route answers instead (if it was not
 * among them), else the run fails.
 *
 * Command paths: `classify`, `route:<i>` (i = the route agent's index in `agents`).
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { answeredReplies, type AgentReply, type AgentSlot, type TopologyDefinition, type TopologyInput, type TopologyIssue, type TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption, requireAnswered } from './support/agent-failure.js';
import { checkAgentReference } from './support/agent-roles.js';
import { agentCall, agentIndex, callAgentsPlaceholder, userTurn } from './support/call-agents.js';
import { extractJson, jsonResponseFormat } from './support/structured-output.js';

export const routerOptions = z.strictObject({
  classifier: z.string().optional().describe('Agent that chooses the route; it is never a route. Default: the first agent.'),
  routes: z.array(z.string()).min(1).optional().describe('Agent names the classifier chooses among. Default: every agent except the classifier.'),
  fallback: z.string().optional().describe('Route taken when the classifier names no known route; must be one of the routes. Default: the first route.'),
  k: z.number().int().min(1).max(100).default(1).describe('How many routes the classifier picks; more than one run in parallel and their answers are concatenated.'),
  on_agent_error: onAgentErrorOption('a failed classifier sends the task to the fallback route; a failed route is left out, and when every chosen route failed the fallback route answers instead (the run fails if it failed too)'),
});
export type RouterOptions = z.infer<typeof routerOptions>;

export type RouteChoice = { routes: string[]; method: 'structured' | 'mention' | 'none' | 'failed' };

interface RouterContext {
  task: string;
  names: string[];
  classifier: string;
  routes: Array<{ name: string; description: string | undefined }>;
  fallback: string;
  k: number;
  choice: RouteChoice;
  reason: 'routed' | 'fallback';
  replies: AgentReply[];
  /** Chosen routes whose calls failed and were skipped. */
  failedRoutes: string[];
}

/**
 * Which routes a classifier reply names: structured JSON first, else names mentioned in the text
 * (earliest first, whole words, case-insensitive); unknown names dropped, at most `k`.
 *
 * @example
 * readRouteChoice('{"route": "billing"}', ['billing', 'tech'], 1) // → { routes: ['billing'], method: 'structured' }
 * readRouteChoice('Clearly a tech issue.', ['billing', 'tech'], 1) // → { routes: ['tech'], method: 'mention' }
 */
export function readRouteChoice(text: string, routes: readonly string[], k: number): RouteChoice {
  const json = extractJson(text);
  if (typeof json === 'object' && json !== null && ('route' in json || 'routes' in json)) {
    const record = json as { route?: unknown; routes?: unknown };
    const named = Array.isArray(record.routes) ? record.routes : [record.route];
    const known = [...new Set(named.filter((name): name is string => typeof name === 'string' && routes.includes(name)))].slice(0, k);
    return { routes: known, method: known.length > 0 ? 'structured' : 'none' };
  }
  // An escaped literal between one-character lookarounds: linear on JavaScript's RegExp too.
  const mentioned = routes
    .map((name) => ({ name, at: text.search(new RegExp(`(?<![\\w-])${escapeRegExp(name)}(?![\\w-])`, 'i')) }))
    .filter((entry) => entry.at >= 0)
    .sort((a, b) => a.at - b.at)
    .slice(0, k)
    .map((entry) => entry.name);
  return { routes: mentioned, method: mentioned.length > 0 ? 'mention' : 'none' };
}

/** `text` as a pattern that matches it literally (agent names are letters, digits, `-` and `_` already). */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The classifier's prompt: the task, the routes with their descriptions, and the reply format.
 *
 * @example
 * classifyPrompt('My invoice is wrong', [{ name: 'billing', description: 'payments' }], 1)
 */
export function classifyPrompt(task: string, routes: ReadonlyArray<{ name: string; description: string | undefined }>, k: number): string {
  const list = routes.map((route) => `- ${route.name}${route.description !== undefined ? `: ${route.description}` : ''}`).join('\n');
  const format = k === 1 ? '{"route": "<route name>"}' : `{"routes": ["<route name>", …]} with at most ${k} routes, best first`;
  return `Choose who should handle this task.\n\nTask: ${task}\n\nRoutes:\n${list}\n\nReply with only JSON: ${format}`;
}

function routeSchema(routes: readonly string[], k: number) {
  const name = z.enum(routes as [string, ...string[]]);
  return k === 1 ? z.strictObject({ route: name }) : z.strictObject({ routes: z.array(name).min(1).max(k) });
}

function slotDescription(slot: AgentSlot): string | undefined {
  return slot.description ?? ('system' in slot ? slot.system : undefined);
}

function chosenRoutes(context: RouterContext): string[] {
  return context.reason === 'fallback' ? [context.fallback] : context.choice.routes;
}

function routerResult(context: RouterContext): TopologyResult {
  const chosen = chosenRoutes(context);
  const details: Record<string, unknown> = { classifier: context.classifier, chosen, method: context.choice.method, fallback: context.fallback };
  if (context.failedRoutes.length > 0) details['failed_routes'] = context.failedRoutes;
  if (context.replies.length === 1) return { answer: context.replies[0]?.text ?? '', reason: context.reason, aggregation: 'single_route', details };
  return { answer: context.replies.map((reply) => `## ${reply.agent}\n\n${reply.text}`).join('\n\n'), reason: context.reason, aggregation: 'concat', details };
}

const machine = setup({
  types: {
    context: {} as RouterContext,
    input: {} as TopologyInput<RouterOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    chose: ({ context }) => context.choice.routes.length > 0,
    // Every chosen route failed and the fallback was not one of them: it answers instead.
    fallbackLeft: ({ context, event }) => {
      const replies = (event as unknown as { output: AgentReply[] }).output;
      return replies.length > 0 && answeredReplies(replies).length === 0 && !replies.some((reply) => reply.agent === context.fallback);
    },
  },
}).createMachine({
  id: 'router',
  context: ({ input }) => {
    const names = input.agents.map((agent) => agent.name);
    const classifier = input.options.classifier ?? (names[0] as string);
    const routeNames = input.options.routes ?? names.filter((name) => name !== classifier);
    const routes = routeNames.map((name) => ({ name, description: slotDescription(input.agents.find((agent) => agent.name === name) as AgentSlot) }));
    return {
      task: input.task,
      names,
      classifier,
      routes,
      fallback: input.options.fallback ?? (routeNames[0] as string),
      k: input.options.k,
      choice: { routes: [], method: 'none' },
      reason: 'routed',
      replies: [],
      failedRoutes: [],
    };
  },
  initial: 'classifying',
  states: {
    classifying: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => {
          const names = context.routes.map((route) => route.name);
          const call = agentCall('classify', context.classifier, userTurn(classifyPrompt(context.task, context.routes, context.k)), { phase: 'classify' });
          return { calls: [{ ...call, responseFormat: jsonResponseFormat('route', routeSchema(names, context.k)) }] };
        },
        onDone: {
          target: 'choosing',
          actions: assign({
            choice: ({ context, event }) => {
              const names = context.routes.map((route) => route.name);
              const reply = event.output[0] as AgentReply;
              if (reply.skipped !== undefined) return { routes: [], method: 'failed' as const };
              // Routes run in the order they are declared, whatever order the classifier named them in.
              const choice = readRouteChoice(reply.text, names, context.k);
              return { ...choice, routes: names.filter((name) => choice.routes.includes(name)) };
            },
          }),
        },
      },
    },
    choosing: {
      always: [{ guard: 'chose', target: 'routing' }, { target: 'routing', actions: assign({ reason: 'fallback' as const }) }],
    },
    routing: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: chosenRoutes(context).map((name) => agentCall(`route:${agentIndex(context.names, name)}`, name, userTurn(context.task), { phase: 'route' })),
        }),
        onDone: [
          {
            guard: 'fallbackLeft',
            target: 'routing',
            reenter: true,
            actions: assign(({ context, event }) => ({ reason: 'fallback' as const, failedRoutes: [...context.failedRoutes, ...event.output.map((reply) => reply.agent)] })),
          },
          {
            target: 'done',
            actions: assign(({ context, event }) => ({
              failedRoutes: [...context.failedRoutes, ...event.output.flatMap((reply) => (reply.skipped !== undefined ? [reply.agent] : []))],
              replies: requireAnswered('router', event.output, 'every route it chose failed, the fallback route included'),
            })),
          },
        ],
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => routerResult(context),
});

export const routerTopology: TopologyDefinition<RouterOptions> = {
  name: 'router',
  description: 'A classifier agent picks one (or the top k) of the routes; unknown or failed choices take the fallback route.',
  steering: 'During classification, the chosen route (every chosen route with `k` > 1, or the fallback) receives it; during the routes\' answers it becomes the next turn.',
  options: routerOptions,
  minAgents: 2,
  check(options, agents): TopologyIssue[] {
    const issues = checkAgentReference(agents, 'classifier', options.classifier);
    const classifier = options.classifier ?? agents[0]?.name;
    const names = new Set(agents.map((agent) => agent.name));
    (options.routes ?? []).forEach((name, index) => {
      if (!names.has(name)) issues.push({ path: ['options', 'routes', index], message: `options.routes[${index}] names agent "${name}", which is not in agents` });
      else if (name === classifier) issues.push({ path: ['options', 'routes', index], message: `options.routes[${index}] is the classifier "${name}"; the classifier cannot be a route` });
    });
    const routes = options.routes ?? agents.map((agent) => agent.name).filter((name) => name !== classifier);
    if (routes.length === 0) issues.push({ path: ['agents'], message: 'a router needs at least one route besides the classifier' });
    if (options.fallback !== undefined && !routes.includes(options.fallback)) {
      issues.push({ path: ['options', 'fallback'], message: `options.fallback "${options.fallback}" is not one of the routes`, hint: `routes are: ${routes.join(', ')}` });
    }
    if (options.k > routes.length && routes.length > 0) {
      issues.push({ path: ['options', 'k'], message: `options.k (${options.k}) is more than the number of routes (${routes.length})` });
    }
    return issues;
  },
  machine,
};
