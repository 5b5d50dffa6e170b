/**
 * Progress of a benchmark run. In a terminal: one line redrawn in place with a bar, counts, the
 * current contestant, errors and the ETA (from the pace so far). In a pipe: a plain line at every
 * tenth of the run and when a phase starts, so logs show progress without a flood of redraws.
 */
import { formatDuration } from '../cli/terminal.js';

export interface ProgressSink {
  /** A new phase (`swift: 40 samples`, `pairwise: 20 tournaments`) of `total` steps. */
  phase(label: string, total: number): void;
  /** One step of the current phase done; `failed` marks an error, `label` names what runs now. */
  tick(failed?: boolean, label?: string): void;
  /** A line of its own (warnings, notes), without breaking the bar. */
  note(text: string): void;
  /** Ends the bar (clears the live line). */
  end(): void;
}

/** A sink that shows nothing (`--quiet`, `--json` in a pipe). */
export const silentProgress: ProgressSink = { phase: () => undefined, tick: () => undefined, note: () => undefined, end: () => undefined };

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  /** Redraw in place (a TTY); otherwise plain lines. */
  live: boolean;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

/**
 * Progress for `stream`: a live bar in a TTY, plain lines otherwise.
 *
 * @example
 * const progress = createProgress({ stream: process.stderr, live: process.stderr.isTTY === true });
 * progress.phase('swift', 40); progress.tick(); progress.end();
 */
export function createProgress(options: ProgressOptions): ProgressSink {
  const now = options.now ?? (() => performance.now());
  const { stream, live } = options;
  let label = '';
  let total = 0;
  let done = 0;
  let errors = 0;
  let started = now();
  let lastDraw = 0;
  let lastDecile = -1;
  let drawn = false;

  const line = (): string => {
    const fraction = total === 0 ? 1 : done / total;
    const elapsed = now() - started;
    const eta = done === 0 ? '…' : formatDuration((elapsed / done) * (total - done));
    const errorText = errors > 0 ? ` · ${errors} error${errors === 1 ? '' : 's'}` : '';
    if (!live) return `bench: ${label} ${done}/${total} (${Math.round(fraction * 100)}%)${errorText} · elapsed ${formatDuration(elapsed)}`;
    const width = 24;
    const filled = Math.round(fraction * width);
    return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total} ${Math.round(fraction * 100)}% · ${label}${errorText} · ETA ${done === total ? '0s' : eta}`;
  };
  const draw = (force: boolean): void => {
    if (live) {
      const time = now();
      if (!force && time - lastDraw < 80) return;
      lastDraw = time;
      const columns = stream.columns || 100;
      stream.write(`\r\x1b[2K${line().slice(0, Math.max(20, columns - 1))}`);
      drawn = true;
    } else {
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (!force && decile === lastDecile) return;
      lastDecile = decile;
      stream.write(`${line()}\n`);
    }
  };
  const clear = (): void => {
    if (live && drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    phase(nextLabel, nextTotal) {
      label = nextLabel;
      total = nextTotal;
      done = 0;
      errors = 0;
      started = now();
      lastDecile = -1;
      if (!live) stream.write(`bench: ${label}: ${total} to do\n`);
      draw(live);
    },
    tick(failed = false, nextLabel) {
      done += 1;
      if (nextLabel !== undefined) label = nextLabel;
      if (failed) errors += 1;
      draw(done === total);
    },
    note(text) {
      clear();
      stream.write(`${text}\n`);
      if (live && total > 0) draw(true);
    },
    end() {
      clear();
    },
  };
}
