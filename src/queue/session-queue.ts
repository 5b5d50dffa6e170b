/**
 * The producer side of scale-out: a server enqueues "run this session" to BullMQ on Redis, and
 * any worker takes it. A job names a session and the head of its log when it was enqueued; that
 * pair is the job id, so the same request made twice (a retried HTTP call) is one job. Jobs are
 * safe to run more than once: a run replays the log and pays for nothing already done.
 */
import type { Queue } from 'bullmq';
import { ConclaveError } from '../protocol/errors.js';
import { parseQueueUrl, queueConnection, sessionQueueName, type QueueTarget } from './queue-target.js';

/** What a session job carries. */
export interface SessionJobData {
  sessionId: string;
  /** Head of the session's log when the job was enqueued. */
  seq: number;
}

/** How many jobs are where, and how many workers are connected. */
export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  workers: number;
}

export interface SessionQueue {
  readonly target: QueueTarget;
  /** Enqueues a run of the session (once per `seq`). */
  enqueue(sessionId: string, seq: number): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** Resolves when Redis answers; a `store_error` naming the queue otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How often a job whose run threw (the store was down, say) is tried, with backoff from 1 s. */
export const sessionJobAttempts = 8;

/**
 * Opens the session queue at a `redis://` URL.
 *
 * @example
 * const queue = openSessionQueue('redis://127.0.0.1:6379');
 * await queue.enqueue(sessionId, await store.head(sessionId));
 */
export function openSessionQueue(url: string): SessionQueue {
  const target = parseQueueUrl(url);
  // BullMQ is loaded on first use: most commands that open a context never touch the queue.
  let opened: Promise<Queue<SessionJobData>> | undefined;
  const open = (): Promise<Queue<SessionJobData>> =>
    (opened ??= import('bullmq').then(({ Queue: BullQueue }) => {
      const queue = new BullQueue<SessionJobData>(sessionQueueName, { connection: queueConnection(target), prefix: target.prefix });
      // Connection trouble is reported by the calls that hit it; the queue itself reconnects.
      queue.on('error', () => undefined);
      return queue;
    }));
  const failure = (error: unknown, action: string): ConclaveError =>
    new ConclaveError('store_error', `${action} at ${target.display}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      retryable: true,
      hint: 'is Redis running and reachable at that address? (--queue / CONCLAVE_QUEUE)',
    });
  // Redis calls wait (not fail) while Redis is away; these bound how long a caller waits.
  const withTimeout = async <T>(work: Promise<T>, action: string, timeoutMs = 5000): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)))]);
    } catch (error) {
      throw failure(error, action);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    target,
    async enqueue(sessionId, seq) {
      const queue = await open();
      await withTimeout(
        queue.add('run', { sessionId, seq }, {
          jobId: `${sessionId}.${seq}`,
          removeOnComplete: true,
          removeOnFail: { count: 1000 },
          attempts: sessionJobAttempts,
          backoff: { type: 'exponential', delay: 1000 },
        }),
        `cannot enqueue session ${sessionId}`,
      );
    },
    async depth() {
      const queue = await open();
      const [counts, workers] = await withTimeout(Promise.all([queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'), queue.getWorkersCount()]), 'cannot read the session queue');
      return {
        waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0),
        active: counts['active'] ?? 0,
        delayed: counts['delayed'] ?? 0,
        failed: counts['failed'] ?? 0,
        workers,
      };
    },
    async ping() {
      const queue = await open();
      await withTimeout(queue.getBackend().client.then((client) => client.runCommand('ping', [])), 'cannot reach the session queue', 2000);
    },
    close: async () => {
      if (opened !== undefined) await (await opened).close();
    },
  };
}
