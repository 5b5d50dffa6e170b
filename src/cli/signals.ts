/**
 * Waiting for the signals that stop a long-running command (`serve`, `worker`): the first SIGINT or
 * SIGTERM resolves, and the listeners are removed so a second signal can be waited for anew.
 */

/**
 * Resolves with the first SIGINT or SIGTERM from now on.
 *
 * @example
 * const signal = await untilSignal(); // 'SIGTERM'
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveSignal(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
