/**
 * One run of a session, turn by turn: what the kernel keeps of a running session (`ActiveRun`),
 * the turn loop of a run (`driveTurns`), how a turn runs the topology and ends in an idle that says
 * why, and how a running session hears of input journaled by other processes. The kernel decides
 * when runs start and end; this is the run.
 */
import {
  isNestedTopology,
  toConclaveError,
  type AgentSlot,
  type Registry,
  type SessionCreatedData,
  type SessionEvent,
  type SessionStore,
  type StopReason,
  type TurnStartedData,
  type UserInterruptData,
} from '../protocol/index.js';
import { createConversation } from './conversation.js';
import type { DispatcherContext } from './dispatcher.js';
import { withDocumentToolPolicy } from './document-tool-policy.js';
import type { Journal, TurnRecord } from './journal.js';
import type { KernelOptions, SessionDefinition } from './kernel-options.js';
import type { SessionResult, SessionSummarizer } from './session-result.js';
import type { SessionWriter } from './session-writer.js';
import { runTopology } from './topology-runner.js';
import type { SessionBudget } from './session-budget.js';
import { evaluateOutcome, graderModel, revisedTask, type OutcomeVerdict } from './session-outcome.js';

/** A session this kernel is running now. */
export interface ActiveRun {
  writer: SessionWriter;
  journal: Journal;
  dispatcher: DispatcherContext;
  /** The session's budgets and spend (checked by the dispatcher when any limit is set). */
  budget?: SessionBudget;
  /** Aborts the running turn (interrupts, deletion). */
  controller: AbortController | undefined;
  /** Promises of agent calls in flight, so an interrupted turn idles after they settle. */
  inflight: Set<Promise<unknown>>;
  /** The session's result so far, kept current with every event stored: a run keeps no copy of its log. */
  summary: SessionSummarizer;
  done: Promise<SessionResult>;
}

/** The model of the first model agent, nested slots searched in order: the default grader. */
function firstModel(agents: readonly AgentSlot[]): string | undefined {
  for (const slot of agents) {
    if (isNestedTopology(slot)) {
      const nested = firstModel(slot.agents);
      if (nested !== undefined) return nested;
    } else {
      return typeof slot.model === 'string' ? slot.model : slot.model[0];
    }
  }
  return undefined;
}

/**
 * How a turn ended. `requires_action`: tool calls wait for answers — the idle naming them is
 * written, unless every one was answered while the turn was still running (then the kernel runs
 * the turn again at once).
 */
export type TurnOutcome = 'completed' | 'interrupted' | 'failed' | 'terminated' | 'requires_action' | 'budget_exceeded';


/** What a turn needs from the kernel that runs it. */
export interface TurnContext {
  registry: Registry;
  sessionTools: KernelOptions['sessionTools'];
}

/**
 * Runs one turn of a session: the topology once, on the turn's task, then `topology.completed` and
 * an idle — or, when it stops early, the idle (or termination) that says why.
 *
 * @example
 * const outcome = await runTurn({ registry, sessionTools }, run, journal.openTurn, signal);
 */
export async function runTurn(context: TurnContext, run: ActiveRun, turn: TurnRecord, outer: AbortSignal | undefined): Promise<TurnOutcome> {
  const { writer, journal } = run;
  const created = journal.created as SessionCreatedData;
  const definition = created.document as unknown as SessionDefinition;
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  run.controller = controller;
  await writer.append([{ type: 'session.status_running', data: {} }]);
  const tools = withDocumentToolPolicy(context.sessionTools?.(run.dispatcher.sessionId, definition, run.dispatcher.trust ?? { untrusted: false, workspace: 'default' }), definition.tools);
  try {
    // Where this turn began: the latest user message, tool answer or `session.status_idle`. An
    // interrupt journaled after it stops the turn, even one that landed before the run wrote its
    // `session.status_running` (sent right after the message, while the run was still opening).
    if (journal.lastInterruptSeq > journal.lastContinuingSeq) controller.abort('interrupted by the user');
    const topologyContext = {
      registry: context.registry,
      dispatcher: run.dispatcher,
      conversation: createConversation(journal, writer, turn.turn),
      track: (work: Promise<unknown>) => trackInflight(run, work),
      ...(tools !== undefined ? { tools } : {}),
    };
    const turnPrefix = turn.turn === 1 ? '' : `turn:${turn.turn}/`;
    let task = turn.task;
    let { result } = await runTopology(
      topologyContext,
      { topology: created.topology, prefix: `${turnPrefix}${created.topology}`, task, agents: definition.agents, options: definition.options ?? {}, seed: created.seed },
      controller.signal,
    );
    // An outcome: grade the answer; while it falls short and iterations remain, run again with the feedback.
    // Read after the topology ran: steering it took may have defined the turn's outcome.
    const defined = turn.outcomeInterrupted === true ? undefined : turn.outcome;
    const outcome = turn.outcome === undefined ? definition.outcome : defined?.settings;
    if (outcome !== undefined) {
      // A defined outcome names no grader: the document's outcome may (the operator's choice).
      const grader = graderModel(outcome, firstModel(definition.agents), definition.outcome?.grader);
      const verdicts: OutcomeVerdict[] = [];
      for (let iteration = 1; ; iteration += 1) {
        const at = { turn: turn.turn, iteration, answer: result.answer, grader, seed: created.seed, ...(defined !== undefined ? { outcomeEventId: defined.eventId } : {}) };
        const verdict = await evaluateOutcome(run.dispatcher, journal, outcome, at, controller.signal);
        verdicts.push(verdict);
        if (verdict.result !== 'needs_revision') break;
        task = revisedTask(turn.task, result.answer, verdict.feedback);
        ({ result } = await runTopology(
          topologyContext,
          { topology: created.topology, prefix: `${turnPrefix}outcome:${iteration + 1}/${created.topology}`, task, agents: definition.agents, options: definition.options ?? {}, seed: created.seed },
          controller.signal,
        ));
      }
      const last = verdicts[verdicts.length - 1] as OutcomeVerdict;
      result = { ...result, details: { ...result.details, outcome: { result: last.result, iterations: verdicts.length, feedback: last.feedback, evaluations: verdicts.map(({ iteration, result: verdict, feedback }) => ({ iteration, result: verdict, feedback })) } } };
    }
    await writer.append([
      { type: 'topology.completed', data: { topology: created.topology, turn: turn.turn, ...result } },
      { type: 'session.status_idle', data: { stopReason: 'end_turn' satisfies StopReason } },
    ]);
    return 'completed';
  } catch (thrown) {
    const error = toConclaveError(thrown);
    if (error.code === 'store_conflict' || error.code === 'session_claimed') throw error;
    // Calls still in flight write their `command.failed` first; the idle comes last.
    await Promise.allSettled([...run.inflight]);
    if (error.code === 'aborted') {
      await writer.append([{ type: 'session.status_idle', data: { stopReason: 'interrupted' satisfies StopReason, reason: error.message } }]);
      return 'interrupted';
    }
    // Every branch has finished or waits: the idle names every call still waiting for an answer.
    if (error.code === 'requires_action') {
      const eventIds = journal.pendingToolUses().map((use) => use.eventId);
      if (eventIds.length > 0) await writer.append([{ type: 'session.status_idle', data: { stopReason: 'requires_action' satisfies StopReason, eventIds } }]);
      return 'requires_action';
    }
    // A budget refused a call: the session idles, its answer so far kept, until the budget is raised.
    if (error.code === 'budget_exceeded') {
      const budget = run.budget?.exceeded;
      await writer.append([{ type: 'session.status_idle', data: { stopReason: 'budget_exceeded' satisfies StopReason, ...(budget !== undefined ? { budget } : {}) } }]);
      return 'budget_exceeded';
    }
    // An agent that gave up, or tools that cannot run here yet (bubblewrap missing): the session
    // idles, so it can be resumed once the cause is fixed.
    if (error.code === 'agent_failed' || error.code === 'sandbox_unavailable') {
      await writer.append([
        { type: 'session.error', data: { error: error.toJSON() } },
        { type: 'session.status_idle', data: { stopReason: 'retries_exhausted' satisfies StopReason } },
      ]);
      return 'failed';
    }
    await writer.append([
      { type: 'session.error', data: { error: error.toJSON() } },
      { type: 'session.status_terminated', data: {} },
    ]);
    return 'terminated';
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
    run.controller = undefined;
    // Closes MCP connections; the workspace stays for the next turn.
    await tools?.dispose?.().catch(() => undefined);
  }
}

/**
 * Looks for input other processes journal while this one runs the session: told by the store
 * when it can `watch` (PostgreSQL's NOTIFY; SQLite's one data-version check per store), else by
 * polling `head` — or when `inputPollMs` is given, which forces polling (0: no looking). A watch
 * starts with one look, for input journaled before it began. Only for stores shared between
 * processes; in-process input goes through the writer directly. Returns the stop function.
 *
 * @example
 * const stop = watchForInput(store, undefined, sessionId, writer);
 * try { await runTurns(); } finally { stop(); }
 */
export function watchForInput(store: SessionStore, inputPollMs: number | undefined, sessionId: string, writer: SessionWriter): () => void {
  let busy = false;
  /** What a look must reach: a seq a notification named, `unknown` (ask the store), or nothing. */
  let wanted: number | 'unknown' | undefined;
  const catchUp = async (): Promise<void> => {
    while (wanted !== undefined) {
      const target = wanted === 'unknown' ? await store.head(sessionId) : wanted;
      wanted = undefined;
      for (let attempt = 0; attempt < 20 && target > writer.lastSeq; attempt += 1) {
        // An append in flight takes foreign input in itself; when it is done, look again.
        if (!(await writer.refresh())) await writer.drain();
      }
    }
  };
  const check = (seq?: number): void => {
    // Our own appends are announced too; they need no look.
    if (seq !== undefined && seq <= writer.lastSeq) return;
    wanted = seq === undefined || wanted === 'unknown' ? 'unknown' : Math.max(seq, wanted ?? 0);
    if (busy) return;
    busy = true;
    catchUp()
      .catch(() => undefined) // the next append reports a broken store; looking stays quiet
      .finally(() => {
        busy = false;
      });
  };
  if (store.watch !== undefined && inputPollMs === undefined) {
    // The writer knows the head it wrote, so the store need not read it; the look that follows
    // finds what arrived before the watch began.
    const stop = store.watch(sessionId, check, writer.lastSeq);
    check();
    return stop;
  }
  const interval = inputPollMs ?? (store.kind === 'memory' ? 0 : 100);
  if (interval <= 0) return () => undefined;
  const timer = setInterval(check, interval);
  timer.unref();
  return () => clearInterval(timer);
}

function trackInflight(run: ActiveRun, work: Promise<unknown>): void {
  run.inflight.add(work);
  const forget = (): void => {
    run.inflight.delete(work);
  };
  work.then(forget, forget);
}

/**
 * Why a run stops when another process journals an interrupt or a deletion.
 *
 * @example
 * writer.onExternal = (event) => run.controller?.abort(interruptReason(event));
 */
export function interruptReason(event: SessionEvent): string {
  if (event.type === 'session.deleted') return 'session deleted';
  const reason = (event.data as UserInterruptData).reason;
  return typeof reason === 'string' && reason !== '' ? reason : 'interrupted by the user';
}

/** What the turn loop needs of the kernel. */
export interface TurnLoopContext extends TurnContext {
  store: SessionStore;
  inputPollMs: number | undefined;
}

/**
 * The turn loop of one run. It continues an open turn first (resume), then starts a turn per
 * batch of waiting messages, and ends when nothing is left — calling `release` (the kernel
 * deregisters the run) in the same synchronous step as that last check, so a message sent a moment
 * later starts a new run.
 *
 * @example
 * run.done = driveTurns({ store, inputPollMs: undefined, registry, sessionTools }, sessionId, run, signal, () => active.delete(sessionId));
 */
export async function driveTurns(context: TurnLoopContext, sessionId: string, run: ActiveRun, signal: AbortSignal | undefined, release: () => void): Promise<SessionResult> {
  const { writer, journal } = run;
  const stopPolling = watchForInput(context.store, context.inputPollMs, sessionId, writer);
  let first = true;
  /** The open turn goes on: every waiting tool call was answered while it wound down. */
  let answered = false;
  try {
    for (;;) {
      if (signal?.aborted === true) break;
      let turn = journal.openTurn;
      const pending = journal.pendingMessages();
      // An open turn is continued on the first pass (resume), when its tool calls were answered, or when new messages steer it.
      if (turn !== undefined && !first && !answered && pending.length === 0) break;
      if (turn === undefined) {
        if (pending.length === 0) break;
        const data: TurnStartedData = { turn: journal.turns.length + 1, task: pending.map((message) => message.text).join('\n\n'), messageSeqs: pending.map((message) => message.seq) };
        await writer.append([{ type: 'turn.started', data }]);
        turn = journal.openTurn as TurnRecord;
      }
      first = false;
      answered = false;
      const outcome = await runTurn({ registry: context.registry, sessionTools: context.sessionTools }, run, turn, signal);
      await writer.drain();
      // A budget stop waits for a raised budget (a later run), even with messages waiting.
      if (outcome === 'terminated' || outcome === 'budget_exceeded') break;
      if (outcome === 'requires_action') {
        // The session waits, idle, for answers; whoever journals the last one starts the next run.
        if (journal.pendingToolUses().length > 0) break;
        answered = true;
      }
    }
  } finally {
    release();
    stopPolling();
  }
  await writer.drain();
  return run.summary.result();
}
