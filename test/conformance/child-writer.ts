/**
 * The parent side of the child-writer protocol: the session store conformance suite starts real
 * processes that append to the same data as the store under test (to follow another process's
 * appends, to make two writers race, to kill one mid-stream), and reads back what each one says it
 * has written. Kept apart from the suite so the suite reads as a list of cases.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { SessionStore } from '../../src/protocol/store.js';

/** What a child writer is asked to do. */
export interface ChildWriterOptions {
  sessionId: string;
  /** Events to append one by one; 0 appends until the process is killed. */
  count: number;
  /** Written into each event's data (`data.writer`), so a test can tell writers apart. */
  writer: string;
}

/**
 * A process that appends to the same data as a store. Protocol on stdout, one line each: `ready` once
 * it has opened the store; then, after the parent writes `go` to its stdin, for each event it reads
 * the head and appends one `user.message` (data `{ writer, index }`) at head + 1, printing
 * `ack <seq> <eventId>` once the append has returned, or `conflict <seq>` when another writer got
 * there first (and it tries again). It exits 0 after `count` events.
 */
export interface ChildWriterCapability<S extends SessionStore> {
  command(store: S, options: ChildWriterOptions): { command: string; args: string[]; cwd?: string };
}

/** An append the child reported as done: from then on it must be in the log. */
export interface Acknowledgement {
  seq: number;
  id: string;
}

export interface ChildWriterExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface RunningChildWriter {
  child: ChildProcess;
  /** Grows as acknowledgements arrive; complete once `exited` has resolved. */
  acknowledgements: Acknowledgement[];
  /** Appends this writer lost to another writer and retried. */
  conflicts(): number;
  /** Resolves once the child has opened the store; rejects if it exits first. */
  ready: Promise<void>;
  /** Tells the child to start writing. */
  go(): void;
  waitForAcknowledgements(count: number): Promise<void>;
  /** Resolves when the process has exited and its output is fully read. */
  exited: Promise<ChildWriterExit>;
}

/**
 * Spawns a child writer. It starts writing as soon as it is ready, unless `hold` is set (then call
 * `go`, e.g. to start two writers at the same moment).
 *
 * @example
 * const writer = startChildWriter(capability.command(store, { sessionId, count: 5, writer: 'child' }), 'child');
 * await writer.exited;
 */
export function startChildWriter(
  spec: { command: string; args: string[]; cwd?: string },
  name: string,
  { hold = false }: { hold?: boolean } = {},
): RunningChildWriter {
  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const acknowledgements: Acknowledgement[] = [];
  let conflicts = 0;
  let pending = '';
  let stderr = '';
  let exitedYet = false;
  let markReady: () => void = () => undefined;
  let failReady: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  const go = (): void => {
    child.stdin?.write('go\n');
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    // A line cut short by a kill is not an acknowledgement.
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const acknowledged = /^ack (\d+) (\S+)$/.exec(line);
      if (acknowledged !== null) acknowledgements.push({ seq: Number(acknowledged[1]), id: acknowledged[2] as string });
      else if (line.startsWith('conflict ')) conflicts += 1;
      else if (line === 'ready') markReady();
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<ChildWriterExit>((resolve) => {
    child.on('close', (code, signal) => {
      exitedYet = true;
      failReady(new Error(`child writer ${name} exited before it was ready: ${stderr}`));
      resolve({ code, signal, stderr });
    });
  });
  // Keep an early exit from surfacing as an unhandled rejection when nobody awaits `ready`.
  ready.catch(() => undefined);
  if (!hold) void ready.then(go, () => undefined);
  return {
    child,
    acknowledgements,
    conflicts: () => conflicts,
    ready,
    go,
    exited,
    async waitForAcknowledgements(count: number) {
      await waitUntil(() => acknowledgements.length >= count || exitedYet, `${count} acknowledgements from ${name}`, 20_000);
      if (acknowledgements.length < count) throw new Error(`child writer ${name} exited after ${acknowledgements.length} acknowledgements: ${stderr}`);
    },
  };
}

/**
 * Polls `condition` every 5 ms until it holds, failing after `timeoutMs`.
 *
 * @example
 * await waitUntil(() => seen.length === 2, 'the existing events');
 */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
