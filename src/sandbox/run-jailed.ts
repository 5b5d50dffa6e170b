/**
 * Runs one tool process with a wall-time limit and an output cap. The process gets its own process
 * group, and every way a call can end early — the wall limit, the caller's abort signal, output past
 * the cap — kills the whole group with SIGKILL; so does a normal exit, so that nothing a tool left in
 * the background outlives its call. Output is kept up to the cap only, so a flood costs no memory.
 *
 * The tool's stdout and stderr arrive merged on stdout (the jailed shell redirects them); the
 * process's own stderr carries only the launcher's messages (bubblewrap, the limits prelude), which
 * is how a sandbox that could not run is told apart from a tool that failed.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ConclaveError } from '../protocol/index.js';

/** The process to start: an executable with its arguments, environment and identity. */
export interface JailedProcess {
  executable: string;
  arguments: string[];
  /** The complete environment: nothing of the host's is inherited. */
  environment: Record<string, string>;
  workingDirectory: string;
  /** Real user and group id to start as (needs root); unset keeps the current ones. */
  userId?: number;
  groupId?: number;
}

export interface RunJailedOptions {
  process: JailedProcess;
  /** Written to the process's stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string | Buffer;
  wallTimeMs: number;
  outputBytes: number;
  signal: AbortSignal;
}

export interface JailedRunResult {
  /** Exit code, or 128 + the signal number when the process was killed by a signal. */
  exitCode: number;
  /** The tool's stdout and stderr, at most `outputBytes` of it. */
  output: Buffer;
  /** The output reached the cap and the process was stopped. */
  outputTruncated: boolean;
  /** The wall-time limit expired and the process was stopped. */
  timedOut: boolean;
  /** What the launcher itself wrote to stderr (bubblewrap or prelude errors), trimmed. */
  launcherErrors: string;
  durationMs: number;
}

const launcherErrorBytes = 16 * 1024;
/** How long to wait for the output pipe to close after the process exited and its group was killed. */
const closeGraceMs = 500;

/**
 * Starts the process, feeds it `stdin`, collects its output and ends it by its limits. Rejects with
 * `aborted` when the signal fires (after killing the process group) and with `sandbox_failed` when
 * the executable cannot be started.
 *
 * @example
 * const result = await runJailed({
 *   process: { executable: '/bin/bash', arguments: ['-c', 'echo hi'], environment: { PATH: '/usr/bin:/bin' }, workingDirectory: '/tmp' },
 *   wallTimeMs: 5_000, outputBytes: 1_048_576, signal: AbortSignal.timeout(10_000),
 * });
 * result.output.toString() // → 'hi\n'
 */
export function runJailed(options: RunJailedOptions): Promise<JailedRunResult> {
  if (options.signal.aborted) return Promise.reject(abortedError(options.signal));
  const started = Date.now();
  return new Promise<JailedRunResult>((resolve, reject) => {
    const { process: target } = options;
    const child = spawn(target.executable, target.arguments, {
      cwd: target.workingDirectory,
      env: target.environment,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(target.userId !== undefined ? { uid: target.userId } : {}),
      ...(target.groupId !== undefined ? { gid: target.groupId } : {}),
    });
    const chunks: Buffer[] = [];
    let outputSize = 0;
    let outputTruncated = false;
    let timedOut = false;
    let aborted = false;
    let launcherErrors = '';
    let exitCode: number | undefined;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const wallTimer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.wallTimeMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });

    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(wallTimer);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      options.signal.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      if (aborted) {
        reject(abortedError(options.signal));
        return;
      }
      resolve({
        exitCode: exitCode ?? 128 + constants.signals.SIGKILL,
        output: Buffer.concat(chunks),
        outputTruncated,
        timedOut: timedOut && !outputTruncated,
        launcherErrors: launcherErrors.trim(),
        durationMs: Date.now() - started,
      });
    };

    child.stdout?.on('data', (chunk: Buffer) => {
      if (outputTruncated) return;
      const room = options.outputBytes - outputSize;
      if (chunk.length <= room) {
        chunks.push(chunk);
        outputSize += chunk.length;
        return;
      }
      chunks.push(chunk.subarray(0, room));
      outputSize += room;
      outputTruncated = true;
      killGroup();
      child.stdout?.destroy();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (launcherErrors.length < launcherErrorBytes) launcherErrors += chunk.toString('utf8').slice(0, launcherErrorBytes - launcherErrors.length);
    });
    child.stdin?.on('error', () => {
      // The process exited without reading all of its input; its exit status says why.
    });
    child.stdin?.end(options.stdin);

    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(wallTimer);
      options.signal.removeEventListener('abort', onAbort);
      reject(new ConclaveError('sandbox_failed', `could not start ${target.executable}: ${error.message}`, { cause: error }));
    });
    child.on('exit', (code, signal) => {
      exitCode = code ?? 128 + (signal === null ? constants.signals.SIGKILL : constants.signals[signal]);
      killGroup();
      graceTimer = setTimeout(finish, closeGraceMs);
    });
    child.on('close', finish);
  });
}

function abortedError(signal: AbortSignal): ConclaveError {
  return new ConclaveError('aborted', 'the tool call was aborted', { cause: signal.reason });
}
