/**
 * Ctrl-C for long-running commands: the first SIGINT aborts the work cleanly (sessions go idle,
 * benchmarks keep their finished samples); a second one exits at once, for when the clean stop
 * itself hangs.
 */
import { exitCodes } from './cli-errors.js';

export interface CtrlC {
  /** Aborts on the first Ctrl-C. */
  signal: AbortSignal;
  /** Stops listening for SIGINT. */
  release(): void;
}

/**
 * Listens for SIGINT until `release()`.
 *
 * @example
 * const ctrlC = listenForCtrlC();
 * try { await kernel.runSession(id, { signal: ctrlC.signal }); } finally { ctrlC.release(); }
 */
export function listenForCtrlC(): CtrlC {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(exitCodes.interrupted);
    controller.abort('interrupted by the user (Ctrl-C)');
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSigint) };
}
