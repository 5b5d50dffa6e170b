/**
 * The `run_topology` tool: a catalog document (by name) or the caller's own (inline YAML/JSON),
 * started as a durable session through `startSession` — the path `conclave run` and
 * `POST /v1/sessions` take — and run to the end: in this process, or, where sessions run on workers
 * (`serve --queue`), on a worker while its log is followed. While agents work, each step and each
 * answer becomes an MCP progress notification (when the client sent a progress token); the client's
 * cancel (or its going away) interrupts the session, which stays idle and resumable like after Ctrl-C.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { TopologyDocument } from '../config/index.js';
import type { Kernel, LiveItem, SessionResult } from '../kernel/index.js';
import { describeBudgetStop, raiseHint } from '../kernel/session-budget.js';
import { sessionResultJson, startSession } from '../kernel/start-session.js';
import type { StepInfo } from '../protocol/index.js';
import type { ConclaveMcpServerOptions } from './conclave-mcp-server.js';
import { toolResult } from './mcp-tool-results.js';

/** What the SDK hands a tool besides its arguments: the cancel signal, `_meta`, notifications. */
export type McpToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface RunTopologyArguments {
  document: string;
  task: string;
  seed?: number | undefined;
}

/** A document reference: a catalog name, unless it reads as a document (a `:` of YAML, a newline, a `{`). */
function isInlineDocument(reference: string): boolean {
  return /[:\n{]/.test(reference);
}

async function resolveDocument(options: ConclaveMcpServerOptions, reference: string): Promise<{ document: TopologyDocument; source: string; inline: boolean }> {
  if (isInlineDocument(reference)) return { document: await options.parseInline(reference), source: 'inline', inline: true };
  const name = reference.trim();
  return { document: await options.documents.load(name), source: name, inline: false };
}

/** `debate · round 2 · skeptic`: where a command of the topology is. */
function describeStep(step: StepInfo): string {
  const label = step.phase === 'debate' ? `round ${step.round ?? 1}` : step.phase === 'stage' ? `pass ${step.round ?? 1}` : step.round !== undefined ? `${step.phase} ${step.round}` : step.phase;
  return [step.topology, label, ...(typeof step.agent === 'string' ? [step.agent] : [])].join(' · ');
}

/** What a live event says to someone waiting for the answer, if anything. */
function progressMessage(item: LiveItem): string | undefined {
  if (item.type !== 'event') return undefined;
  const { type, data } = item.event;
  if (type === 'command.started' && typeof data['step'] === 'object' && data['step'] !== null) return `${describeStep(data['step'] as StepInfo)}: working`;
  if (type === 'agent.message') return `${String(data['agent'])} answered`;
  if (type === 'agent.tool_use') return `${String(data['agent'] ?? 'an agent')} calls ${String(data['name'] ?? data['tool'] ?? 'a tool')}`;
  if (type === 'command.failed' && data['willRetry'] === true) return `${String(data['commandId'])} failed; retrying`;
  return undefined;
}

function formatUsd(usd: number): string {
  return `$${usd < 0.01 && usd > 0 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

/** The text block of a run's outcome: the answer first, then one line of facts. */
function describeOutcome(result: SessionResult): string {
  const facts = [
    `session ${result.sessionId}`,
    `${result.topology}${result.reason !== undefined ? ` · ${result.reason}` : ''}`,
    `${result.commands.completed} calls`,
    `${result.usage.inputTokens} in / ${result.usage.outputTokens} out tokens`,
    `${formatUsd(result.cost.usd)}${result.simulated ? ' (simulated)' : ''}`,
    `${(result.durationMs / 1000).toFixed(1)} s`,
  ].join(' · ');
  if (result.answer !== undefined) return `${result.answer.trim()}\n\n— ${facts}`;
  if (result.stopReason === 'requires_action') {
    const waiting = result.pendingToolUses.map((use) => `${use.eventId} (${use.agent}: ${use.tool})`).join(', ');
    return `The session waits for answers to tool calls: ${waiting}. Answer them with \`conclave approve|deny|tool-result\` or the HTTP API, then resume it.\n\n— ${facts}`;
  }
  if (result.stopReason === 'budget_exceeded') {
    const what = result.budgetExceeded !== undefined ? describeBudgetStop(result.budgetExceeded) : 'its budget';
    const sofar = result.partialAnswer !== undefined ? `Answer so far (${result.partialAnswer.agent}):\n${result.partialAnswer.text.trim()}\n\n` : '';
    return `${sofar}The session stopped at ${what}; its finished calls are kept (${result.budgetExceeded !== undefined ? raiseHint(result.budgetExceeded, result.sessionId) : `conclave resume ${result.sessionId} --budget …`} raises it and goes on).\n\n— ${facts}`;
  }
  if (result.stopReason === 'interrupted') return `The session was interrupted; its finished calls are kept (conclave resume ${result.sessionId} continues it).\n\n— ${facts}`;
  const error = result.error !== undefined ? `error[${result.error.code}]: ${result.error.message}` : `the session ended without an answer (${result.status})`;
  return `${error}\nFinished calls are kept; conclave resume ${result.sessionId} retries the rest.\n\n— ${facts}`;
}

/** Runs the session in this process, as `conclave run` does; its events reach `report` as they are stored. */
async function runHere(kernel: Kernel, sessionId: string, signal: AbortSignal, report: (item: LiveItem) => void): Promise<SessionResult> {
  const unsubscribe = kernel.live.subscribe(sessionId, report);
  try {
    return await kernel.runSession(sessionId, { signal });
  } finally {
    unsubscribe();
  }
}

/**
 * Hands the session to the workers (`kernel.launch`, as `POST /v1/sessions` does) and follows its
 * log until the turn ends. A cancel journals an interrupt, which the worker running it obeys.
 */
async function followOnWorker(kernel: Kernel, sessionId: string, signal: AbortSignal, report: (item: LiveItem) => void): Promise<SessionResult> {
  await kernel.launch(sessionId);
  const onCancel = (): void => void kernel.interrupt(sessionId, String(signal.reason)).catch(() => undefined);
  if (signal.aborted) onCancel();
  else signal.addEventListener('abort', onCancel, { once: true });
  try {
    for await (const event of kernel.store.follow(sessionId, { signal })) {
      report({ type: 'event', event });
      if (event.type === 'session.status_idle' || event.type === 'session.status_terminated' || event.type === 'session.deleted') break;
    }
  } finally {
    signal.removeEventListener('abort', onCancel);
  }
  return kernel.result(sessionId);
}

/**
 * Runs `run_topology`: starts the session, reports progress, returns the outcome.
 *
 * @example
 * server.registerTool('run_topology', { inputSchema }, (args, extra) => runTopologyTool(options, args, extra));
 * // → { content: [{ type: 'text', text: 'Yes, with …\n\n— session sesn_… · debate · consensus · …' }],
 * //     structuredContent: { sessionId, answer, reason, usage, cost, … } }
 */
export async function runTopologyTool(options: ConclaveMcpServerOptions, args: RunTopologyArguments, extra: McpToolExtra): Promise<CallToolResult> {
  const { kernel, caller } = options;
  const { document, source, inline } = await resolveDocument(options, args.document);
  const { sessionId } = await startSession(kernel, document, {
    task: args.task,
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    source: inline ? 'mcp:inline' : source,
    ...(caller.workspace !== undefined ? { workspace: caller.workspace } : {}),
    // A document of the catalog is the operator's; one the caller wrote is held to its trust.
    untrusted: inline && caller.untrusted,
  });

  const token = extra._meta?.progressToken;
  let progress = 0;
  const report = (item: LiveItem): void => {
    const message = token === undefined ? undefined : progressMessage(item);
    if (token === undefined || message === undefined) return;
    progress += 1;
    extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message } }).catch(() => undefined);
  };
  // The client's cancel stops the run the way Ctrl-C stops `conclave run`: idle, interrupted, resumable.
  const stop = new AbortController();
  const onCancel = (): void => stop.abort(`cancelled by the MCP client${extra.signal.reason !== undefined ? ` (${String(extra.signal.reason)})` : ''}`);
  if (extra.signal.aborted) onCancel();
  else extra.signal.addEventListener('abort', onCancel, { once: true });
  options.onRun?.started();
  let result: SessionResult;
  try {
    result = options.sessionsRunOnWorkers === true ? await followOnWorker(kernel, sessionId, stop.signal, report) : await runHere(kernel, sessionId, stop.signal, report);
  } finally {
    extra.signal.removeEventListener('abort', onCancel);
    options.onRun?.ended();
  }
  const outcome = toolResult(describeOutcome(result), sessionResultJson(result));
  const failed = result.answer === undefined && result.stopReason !== 'requires_action' && result.stopReason !== 'interrupted';
  return failed ? { ...outcome, isError: true } : outcome;
}
