/**
 * One model attempt's output on its way to live subscribers (`LiveOutput`): built only while someone
 * listens, redacted on the way so the published pieces join into exactly the journaled text.
 */
import type { LiveEvents, StreamDelta } from './live-events.js';
import type { StreamRedactor } from '../vault/index.js';

/** What live output needs of the dispatcher's context. */
export interface LiveOutputContext {
  sessionId: string;
  live: LiveEvents;
  redact?: <T>(value: T) => T;
  streamRedactor?: () => StreamRedactor;
}

/**
 * One attempt's output on its way to live subscribers. Nothing is built while nobody listens: each
 * piece first asks `hasListeners` (a map lookup), so a subscriber who joins mid-call gets the output
 * from then on. An attempt after the first opens with a `reset`, so subscribers drop the command's
 * earlier text; each kind of output goes through its own stream redactor, so the published pieces
 * join into exactly the redacted, journaled text.
 *
 * The stream redactors are opened with the first listener. One opened mid-stream is primed with the
 * attempt's output so far, its result thrown away: a secret split across the moment of joining is
 * then completed inside the redactor and released as a marker, never as its second half. The text
 * of a call is kept anyway (it becomes the answer); reasoning is kept for priming only while secrets
 * are known and nobody listens yet.
 *
 * Every attempt makes one, so it is a class: no closures per call.
 *
 * @example
 * const live = new LiveOutput(context, 'debate/round:1/agent:0/generate:0', 'critic', 1);
 * live.publish('text', delta, textSoFar);
 * live.end();
 */
export class LiveOutput {
  private redactors: Record<'text' | 'reasoning', StreamRedactor | undefined> | undefined;
  /** Reasoning so far, while unheard, for priming (secrets known only). */
  private unheardReasoning: string | undefined;

  /** `attempt` counts every start of the command (see `StreamDelta.attempt`). */
  constructor(
    private readonly context: LiveOutputContext,
    private readonly commandId: string,
    private readonly agent: string,
    private readonly attempt: number,
  ) {
    this.unheardReasoning = context.streamRedactor === undefined ? undefined : '';
    if (context.live.hasListeners(context.sessionId)) this.redactors = this.open('', '');
  }

  /**
   * Offers the next piece of output; `text` is the attempt's text before this piece (the caller
   * keeps it anyway), which primes a text redactor opened late.
   */
  publish(kind: 'text' | 'reasoning', given: string, text: string): void {
    if (this.redactors === undefined) {
      if (!this.context.live.hasListeners(this.context.sessionId)) {
        if (kind === 'reasoning' && this.unheardReasoning !== undefined) this.unheardReasoning += given;
        return;
      }
      this.redactors = this.open(text, this.unheardReasoning ?? '');
    }
    this.send(kind, this.redactors[kind]?.push(given) ?? (this.context.redact === undefined ? given : this.context.redact(given)));
  }

  /** The stream ended well: releases the text the redactors held back. */
  end(): void {
    if (this.redactors === undefined) return;
    this.send('text', this.redactors.text?.flush() ?? '');
    this.send('reasoning', this.redactors.reasoning?.flush() ?? '');
  }

  private open(text: string, reasoning: string): Record<'text' | 'reasoning', StreamRedactor | undefined> {
    if (this.attempt > 1) this.deliver('reset', '');
    const opened = { text: this.context.streamRedactor?.(), reasoning: this.context.streamRedactor?.() };
    if (text !== '') opened.text?.push(text);
    if (reasoning !== '') opened.reasoning?.push(reasoning);
    this.unheardReasoning = undefined;
    return opened;
  }

  private send(kind: 'text' | 'reasoning', delta: string): void {
    if (delta !== '' && this.context.live.hasListeners(this.context.sessionId)) this.deliver(kind, delta);
  }

  private deliver(kind: StreamDelta['kind'], delta: string): void {
    const { live, sessionId } = this.context;
    live.publish(sessionId, { type: 'delta', sessionId, commandId: this.commandId, agent: this.agent, attempt: this.attempt, kind, delta });
  }
}

