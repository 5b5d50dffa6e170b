/**
 * Where the CPU went during a benchmark run, from Linux's `/proc`: the whole machine's busy time
 * (every core, every process — PostgreSQL, Redis and anything else running) and each worker
 * process's own. On a machine whose cores are already busy, more worker processes cannot go faster;
 * these two figures show whether that is what happened. Elsewhere than Linux both read as absent.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc` times (USER_HZ; 100 on every usual Linux). */
const ticksPerSecond = 100;

/** CPU seconds of the machine so far: busy (not idle, not waiting for I/O) and in total. */
export interface MachineCpu {
  busySeconds: number;
  totalSeconds: number;
}

/**
 * Reads the machine's CPU time from `/proc/stat`, or undefined where there is none.
 *
 * @example
 * const before = readMachineCpu();
 * // … work …
 * const busyCores = machineBusyCores(before, readMachineCpu(), elapsedSeconds); // → 1.9 of 2
 */
export function readMachineCpu(): MachineCpu | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busySeconds: (total - idle) / ticksPerSecond, totalSeconds: total / ticksPerSecond };
}

/**
 * Cores kept busy on average between two readings (all processes of the machine).
 *
 * @example
 * machineBusyCores(before, after, 2.0) // → 1.87
 */
export function machineBusyCores(before: MachineCpu | undefined, after: MachineCpu | undefined, seconds: number): number | undefined {
  if (before === undefined || after === undefined || seconds <= 0) return undefined;
  return (after.busySeconds - before.busySeconds) / seconds;
}

/**
 * CPU seconds (user + system) a process has used so far, or undefined when it is gone or there is
 * no `/proc`.
 *
 * @example
 * const used = readProcessCpuSeconds(worker.child.pid ?? 0);
 */
export function readProcessCpuSeconds(pid: number): number | undefined {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return undefined;
  try {
    const text = readFileSync(path, 'utf8');
    // The command name, in parentheses, may hold spaces: count fields after its closing one.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}
