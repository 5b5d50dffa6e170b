/**
 * Shows a running session to a person. Each finished agent turn is printed as a block (who spoke,
 * in which round, what they said, tokens, cost, time). In a terminal a status line underneath is
 * redrawn in place — who is speaking right now and the running totals; in a pipe there is no
 * status line and no escape codes, only the blocks.
 */
import type { LiveItem } from '../kernel/index.js';
import type { CommandCompletedData, CommandFailedData, CommandStartedData, StepInfo } from '../protocol/index.js';
import { formatCount, formatDuration, formatUsd, indent, type Styler } from './terminal.js';

const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface InFlight {
  agent: string;
  deltas: number;
}

export interface RendererOptions {
  stream: NodeJS.WriteStream;
  style: Styler;
  /** Redraw a status line (terminals only). */
  live: boolean;
  /** Print each agent turn's text. */
  transcript: boolean;
}

export class SessionRenderer {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly startedAt = performance.now();
  private lastHeading: string | undefined;
  private statusShown = false;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private tokens = 0;
  private usd = 0;
  /** Some call had no price: the running total is only the priced part. */
  private unpriced = false;
  private calls = 0;

  constructor(private readonly options: RendererOptions) {
    if (options.live) {
      this.timer = setInterval(() => this.drawStatus(), 100);
      this.timer.unref();
    }
  }

  private readonly toolInputs = new Map<string, { tool: string; summary: string }>();

  /**
   * Feeds one live item (event or delta) to the display.
   *
   * @example
   * kernel.live.subscribe(sessionId, (item) => renderer.handle(item));
   */
  handle(item: LiveItem): void {
    if (item.type === 'delta') {
      // Deltas only feed the status line's count; a retry starts its count afresh. Printed text
      // comes from the journaled (redacted) `command.completed`, never from deltas.
      const flight = this.inFlight.get(item.commandId);
      if (flight !== undefined && item.kind === 'reset') flight.deltas = 0;
      if (flight !== undefined && item.kind === 'text') flight.deltas += 1;
      return;
    }
    const { event } = item;
    switch (event.type) {
      case 'command.started': {
        const data = event.data as CommandStartedData;
        if (data.kind === 'tool.execute') {
          const input = JSON.stringify(data.input['input'] ?? {});
          this.toolInputs.set(data.commandId, { tool: String(data.input['tool'] ?? 'tool'), summary: input.length > 100 ? `${input.slice(0, 100)}…` : input });
        }
        const agent = typeof data.input['agent'] === 'string' ? data.input['agent'] : typeof data['agent'] === 'string' ? data['agent'] : data.commandId;
        if (data.step !== undefined) this.heading(data.step);
        this.inFlight.set(data.commandId, { agent, deltas: 0 });
        break;
      }
      case 'command.completed':
        this.completed(event.data as CommandCompletedData);
        break;
      case 'command.failed':
        this.failed(event.data as CommandFailedData);
        break;
      default:
        break;
    }
  }

  /** Removes the status line and stops redrawing. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.clearStatus();
  }

  private heading(step: StepInfo): void {
    // A context summary belongs to the step whose call it shortens: no heading of its own.
    if (step.phase === 'context-summary') return;
    const label = step.phase === 'debate' ? `round ${step.round ?? 1}` : step.phase === 'stage' ? `pass ${step.round ?? 1}` : step.phase;
    const key = `${step.topology}:${label}`;
    if (key === this.lastHeading) return;
    this.lastHeading = key;
    const text = `── ${step.topology} · ${label} `;
    this.print(this.options.style.bold(text.padEnd(Math.max(text.length, 48), '─')));
  }

  private completed(data: CommandCompletedData): void {
    this.inFlight.delete(data.commandId);
    if (data.kind === 'tool.execute') {
      this.toolCompleted(data);
      return;
    }
    this.calls += 1;
    this.tokens += (data.usage?.inputTokens ?? 0) + (data.usage?.outputTokens ?? 0);
    this.usd += data.cost?.usd ?? 0;
    if (data.cost?.unpriced === true) this.unpriced = true;
    if (!this.options.transcript) return;
    const style = this.options.style;
    const simulated = data.simulated === true ? style.dim(' (simulated)') : '';
    const said = typeof data.output['text'] === 'string' ? data.output['text'] : '';
    const toolCalls = Array.isArray(data.output['toolCalls']) ? (data.output['toolCalls'] as Array<{ toolName?: string }>) : [];
    const text = toolCalls.length === 0 ? said : `${said}${said === '' ? '' : '\n'}→ ${toolCalls.map((call) => call.toolName ?? 'tool').join(', ')}`;
    const footer = [
      `${formatCount(data.usage?.inputTokens ?? 0)} in / ${formatCount(data.usage?.outputTokens ?? 0)} out tok`,
      data.cost?.unpriced === true ? 'unpriced' : formatUsd(data.cost?.usd ?? 0),
      formatDuration(data.latencyMs),
      ...(data.attempt > 1 ? [`attempt ${data.attempt}`] : []),
    ].join(' · ');
    const summary = data.commandId.endsWith('/context-summary:0') ? style.dim(' · context summary') : '';
    this.print(`${style.cyan('▸')} ${style.bold(data.agent ?? data.commandId)}${summary} ${style.dim((data.model ?? '').split('?')[0] ?? '')}${simulated}\n${indent(text.trim(), '  ')}\n  ${style.dim(footer)}\n`);
  }

  /** A tool call: `⚙ coder · bash  bash test.sh` and the first lines of its result. */
  private toolCompleted(data: CommandCompletedData): void {
    if (!this.options.transcript) return;
    const style = this.options.style;
    const started = this.toolInputs.get(data.commandId);
    this.toolInputs.delete(data.commandId);
    const result = typeof data.output['result'] === 'string' ? data.output['result'] : '';
    const lines = result.trimEnd().split('\n');
    const shown = lines.slice(0, 6).join('\n') + (lines.length > 6 ? `\n… ${lines.length - 6} more lines` : '');
    const mark = data.output['isError'] === true ? style.red('✗') : style.cyan('⚙');
    this.print(`${mark} ${style.bold(data.agent ?? '')} · ${started?.tool ?? 'tool'}  ${style.dim(started?.summary ?? '')}\n${indent(shown === '' ? '(no output)' : shown, '  ')}\n  ${style.dim(formatDuration(data.latencyMs))}\n`);
  }

  private failed(data: CommandFailedData): void {
    const style = this.options.style;
    const agent = this.inFlight.get(data.commandId)?.agent ?? data.commandId;
    this.inFlight.delete(data.commandId);
    const line = data.willRetry
      ? style.yellow(`↻ ${agent}: ${data.error.message} [${data.error.code}] — attempt ${data.attempt + 1} in ${formatDuration(data.retryInMs ?? 0)}`)
      : data.fallbackTo !== undefined
        ? style.yellow(`⤷ ${agent}: ${data.model ?? 'model'} gave up [${data.error.code}] — falling back to ${data.fallbackTo}`)
        : style.red(`✗ ${agent}: ${data.error.message} [${data.error.code}]`);
    this.print(line);
  }

  private print(text: string): void {
    this.clearStatus();
    this.options.stream.write(`${text}\n`);
    this.drawStatus();
  }

  private clearStatus(): void {
    if (!this.statusShown) return;
    this.options.stream.write('\r\u001b[2K');
    this.statusShown = false;
  }

  private drawStatus(): void {
    if (!this.options.live) return;
    const style = this.options.style;
    const speaking = [...this.inFlight.values()];
    const names = speaking.slice(0, 4).map((flight) => `${flight.agent}${flight.deltas > 0 ? ` ${flight.deltas} tok` : ''}`);
    if (speaking.length > 4) names.push(`+${speaking.length - 4} more`);
    const who = speaking.length === 0 ? 'waiting' : `speaking: ${names.join(', ')}`;
    this.frame = (this.frame + 1) % spinnerFrames.length;
    const totals = `${this.calls} calls · ${formatCount(this.tokens)} tok · ${formatUsd(this.usd)}${this.unpriced ? ' + unpriced' : ''} · ${formatDuration(performance.now() - this.startedAt)}`;
    const columns = this.options.stream.columns ?? 100;
    const line = `${spinnerFrames[this.frame]} ${who} · ${totals}`.slice(0, Math.max(20, columns - 1));
    this.options.stream.write(`\r\u001b[2K${style.dim(line)}`);
    this.statusShown = true;
  }
}
