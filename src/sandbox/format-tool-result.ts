/**
 * How a command's end reads to a model: its output as is when it succeeded, and otherwise an
 * `Error: ` line that says what went wrong (non-zero exit, which limit killed it, a timeout), the
 * output, and an `[exit code N]` footer. Output cut at the cap ends with a marker saying so.
 */
import { constants } from 'node:os';
import type { JailedRunResult } from './run-jailed.js';
import type { ResolvedSandboxLimits } from './sandbox-limits.js';

/**
 * The line appended to output cut at the cap.
 *
 * @example
 * truncationMarker(1_048_576) // → '\n[output truncated at 1048576 bytes]'
 */
export function truncationMarker(outputBytes: number): string {
  return `\n[output truncated at ${outputBytes} bytes]`;
}

/**
 * Decodes output as UTF-8; a character cut in half by the cap becomes U+FFFD.
 *
 * @example
 * decodeOutput(Buffer.from('hé')) // → 'hé'
 */
export function decodeOutput(output: Buffer): string {
  return output.toString('utf8');
}

/**
 * Explains an exit code: a plain code, or the signal behind a code above 128 and the limit that
 * sends it (SIGXCPU: CPU time, SIGXFSZ: file size).
 *
 * @example
 * describeExitCode(152, limits) // → 'exit code 152: killed by SIGXCPU, the CPU-time limit of 30 s'
 */
export function describeExitCode(exitCode: number, limits: ResolvedSandboxLimits): string {
  if (exitCode <= 128) return `exit code ${exitCode}`;
  const signalNumber = exitCode - 128;
  const signalName = (Object.keys(constants.signals) as NodeJS.Signals[]).find((name) => constants.signals[name] === signalNumber);
  if (signalName === undefined) return `exit code ${exitCode}`;
  const limit =
    signalName === 'SIGXCPU'
      ? `, the CPU-time limit of ${limits.cpuSeconds} s`
      : signalName === 'SIGXFSZ'
        ? `, the file-size limit of ${limits.fileBytes} bytes`
        : '';
  return `exit code ${exitCode}: killed by ${signalName}${limit}`;
}

/**
 * The result string of a shell command (the `bash` tool and command tools).
 *
 * @example
 * formatCommandResult(result, { wallTimeMs: 60_000, limits })
 * // → 'hello\n'  |  'Error: command failed\nls: cannot access …\n[exit code 2]'
 */
export function formatCommandResult(result: JailedRunResult, options: { wallTimeMs: number; limits: ResolvedSandboxLimits }): string {
  const output = decodeOutput(result.output);
  if (result.outputTruncated) return `${output}${truncationMarker(options.limits.outputBytes)}`;
  const body = output === '' ? '' : `\n${output.endsWith('\n') ? output.slice(0, -1) : output}`;
  if (result.timedOut) {
    return `Error: command timed out after ${options.wallTimeMs} ms (the wall-time limit) and was killed${body}`;
  }
  if (result.exitCode !== 0) return `Error: command failed${body}\n[${describeExitCode(result.exitCode, options.limits)}]`;
  return output === '' ? '(no output)' : output;
}

/** Exit code of the tools' scripts for a failure they explain on their output. */
export const explainedFailureExitCode = 3;

/**
 * A script's message without bash's `conclave: line N: ` prefixes.
 *
 * @example
 * cleanScriptMessage(result) // → '/usr/x: Read-only file system'
 */
export function cleanScriptMessage(result: JailedRunResult): string {
  return decodeOutput(result.output).replace(/^(?:conclave|\/bin\/bash): line \d+: /gm, '').trim();
}

/**
 * The error string of a failed tool script, or undefined when it succeeded (or was only cut at the
 * output cap). `what` says what the tool was doing: `could not read a.txt`.
 *
 * @example
 * describeScriptFailure(result, 'could not write /usr/x', limits) // → 'Error: could not write /usr/x: /usr/x: Read-only file system'
 */
export function describeScriptFailure(result: JailedRunResult, what: string, limits: ResolvedSandboxLimits): string | undefined {
  if ((result.exitCode === 0 && !result.timedOut) || result.outputTruncated) return undefined;
  if (result.timedOut || result.exitCode > 128) return formatCommandResult(result, { wallTimeMs: limits.wallTimeMs, limits });
  const message = cleanScriptMessage(result);
  return `Error: ${what}${message === '' ? '' : `: ${message}`}${result.exitCode === explainedFailureExitCode ? '' : ` (exit code ${result.exitCode})`}`;
}
