/**
 * Terminal facts and styling. Colour and live redraws only when the stream is a TTY and NO_COLOR is
 * unset; in a pipe the same output is plain text, so logs and scripts never see escape codes. A
 * pipe whose reader has gone (`conclave sessions events ID | head`) ends the process quietly.
 */

/** The exit code when the reader of our output went away: 128 + SIGPIPE (13), as shells report `yes | head`. */
export const brokenPipeExitCode = 141;

/**
 * Ends the process quietly, with `brokenPipeExitCode`, when one of `streams` is a pipe whose reader
 * has closed it. Node ignores SIGPIPE, so a write to such a pipe fails with `EPIPE`, which an
 * unhandled stream emits as an uncaught exception: a stack trace after `| head`. Other write
 * errors are rethrown as before.
 *
 * @example
 * endQuietlyOnBrokenPipe(process.stdout, process.stderr);
 */
export function endQuietlyOnBrokenPipe(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(brokenPipeExitCode);
    });
  }
}

export interface Styler {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

/**
 * A styler for a stream: ANSI codes when it is an interactive terminal, identity otherwise.
 *
 * @example
 * const style = stylerFor(process.stdout); console.log(style.bold('done'));
 */
export function stylerFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Styler {
  const enabled = stream.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    magenta: wrap(35, 39),
  };
}

/**
 * Formats a dollar amount with enough precision for per-call costs.
 *
 * @example
 * formatUsd(0.000123) // → '$0.000123'
 */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.01) return `$${usd.toPrecision(3)}`;
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

/**
 * Formats milliseconds as a short duration.
 *
 * @example
 * formatDuration(1530) // → '1.5s'
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/**
 * Thousands separators for token counts.
 *
 * @example
 * formatCount(12345) // → '12,345'
 */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/**
 * Indents every line of a block.
 *
 * @example
 * indent('a\nb', '  ') // → '  a\n  b'
 */
export function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : prefix + line))
    .join('\n');
}
