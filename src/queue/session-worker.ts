/**
 * The consumer side of scale-out: a BullMQ worker that runs queued sessions on a kernel. A run is
 * always a replay of the log first, so a job is safe to run again — after a worker is killed,
 * BullMQ's stalled-job check hands the job to another worker, which claims the session (fencing
 * the dead one out for good) and continues where the log stops. Shutting down stops taking jobs,
 * lets running sessions finish for a grace period, then hands the rest back to the queue without
 * writing anything more, so another worker continues them at once.
 */
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Kernel } from '../kernel/index.js';
import { isConclaveError } from '../protocol/errors.js';
import { parseQueueUrl, queueConnection, sessionQueueName, type QueueTarget } from './queue-target.js';
import type { SessionJobData } from './session-queue.js';

export interface SessionWorkerOptions {
  kernel: Kernel;
  /** `redis://…` of the session queue, or the queue's parsed target. */
  queue: string | QueueTarget;
  /** Sessions run at once. Default 8. */
  concurrency?: number;
  /** How long a job's lock lasts without renewal: a killed worker's sessions wait this long. Default 10 s. */
  lockMs?: number;
  /** How often stalled jobs are looked for. Default half of `lockMs`. */
  stalledIntervalMs?: number;
  /** Name shown in the queue's worker list. */
  name?: string;
  /** Told about every session the worker starts, finishes, hands back or loses. */
  onActivity?: (activity: WorkerActivity) => void;
}

/** One line of a worker's log. */
export interface WorkerActivity {
  kind: 'started' | 'finished' | 'handed-back' | 'superseded' | 'failed';
  sessionId: string;
  /** For `finished`: the session's status and stop reason; for `failed`: the error. */
  detail?: string;
}

export interface SessionWorker {
  readonly target: QueueTarget;
  /** Sessions running now. */
  readonly running: number;
  /** Connected and taking jobs (false once closing). */
  readonly ready: boolean;
  /**
   * Stops taking jobs, waits up to `graceMs` for running sessions to finish, hands back the rest.
   * Resolves once the worker is disconnected.
   */
  close(graceMs?: number): Promise<{ finished: number; handedBack: number }>;
}

/** Default lock duration of a session job. */
export const defaultLockMs = 10_000;

/** How many times a job may stall (its worker died) before BullMQ gives up on it. */
const maxStalls = 1000;

interface RunningJob {
  job: Job<SessionJobData>;
  token: string | undefined;
}

/**
 * Starts a worker; it takes jobs until `close`.
 *
 * @example
 * const worker = await startSessionWorker({ kernel, queue: 'redis://127.0.0.1:6379', concurrency: 8 });
 * process.on('SIGTERM', () => void worker.close(30_000).then(() => process.exit(0)));
 */
export async function startSessionWorker(options: SessionWorkerOptions): Promise<SessionWorker> {
  const target = typeof options.queue === 'string' ? parseQueueUrl(options.queue) : options.queue;
  const { kernel } = options;
  const running = new Map<string, RunningJob>();
  const handedBack = new Set<string>();
  const report = options.onActivity ?? (() => undefined);
  let closing = false;
  let finished = 0;
  const lockMs = options.lockMs ?? defaultLockMs;

  const processor = async (job: Job<SessionJobData>, token?: string): Promise<{ status: string; reason?: string; superseded?: true }> => {
    const { sessionId } = job.data;
    running.set(sessionId, { job, token });
    report({ kind: 'started', sessionId });
    try {
      const result = await kernel.runSession(sessionId);
      finished += 1;
      report({ kind: 'finished', sessionId, detail: `${result.status}${result.reason === undefined ? '' : ` (${result.reason})`}` });
      return { status: result.status, ...(result.reason !== undefined ? { reason: result.reason } : {}) };
    } catch (error) {
      if (handedBack.has(sessionId)) {
        report({ kind: 'handed-back', sessionId });
        throw new WaitingError();
      }
      if (isConclaveError(error)) {
        // Someone else runs the session now (this worker stalled and the job moved on): not ours.
        if (error.code === 'session_claimed' || error.code === 'store_conflict') {
          report({ kind: 'superseded', sessionId, detail: error.message });
          return { status: 'superseded', superseded: true };
        }
        if (error.code === 'session_not_found' || error.code === 'session_not_resumable') {
          report({ kind: 'failed', sessionId, detail: error.message });
          throw new UnrecoverableError(error.message);
        }
      }
      report({ kind: 'failed', sessionId, detail: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      running.delete(sessionId);
      handedBack.delete(sessionId);
    }
  };

  const worker = new Worker<SessionJobData>(sessionQueueName, processor, {
    connection: queueConnection(target),
    prefix: target.prefix,
    concurrency: options.concurrency ?? 8,
    lockDuration: lockMs,
    stalledInterval: options.stalledIntervalMs ?? Math.max(250, Math.floor(lockMs / 2)),
    maxStalledCount: maxStalls,
    ...(options.name !== undefined ? { name: options.name } : {}),
  });
  // Redis trouble is retried by BullMQ; the health check reports it.
  worker.on('error', () => undefined);
  await worker.waitUntilReady();

  async function handBack(sessionId: string, entry: RunningJob): Promise<void> {
    handedBack.add(sessionId);
    // Back in the queue first, then stop: if this process dies in between, the job is already
    // waiting, and the next runner's claim fences out anything this one still writes.
    await entry.job.moveToWait(entry.token).catch(() => undefined);
    await kernel.detach(sessionId, 'worker shutting down');
  }

  return {
    target,
    get running() {
      return running.size;
    },
    get ready() {
      return !closing && worker.isRunning();
    },
    async close(graceMs = 30_000) {
      closing = true;
      const closed = worker.close();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace'>((resolveGrace) => {
        timer = setTimeout(() => resolveGrace('grace'), graceMs);
      });
      const outcome = await Promise.race([closed.then(() => 'closed' as const), graceOver]);
      clearTimeout(timer);
      let handed = 0;
      if (outcome === 'grace') {
        const left = [...running.entries()];
        handed = left.length;
        await Promise.all(left.map(([sessionId, entry]) => handBack(sessionId, entry)));
        await closed;
      }
      return { finished, handedBack: handed };
    },
  };
}
