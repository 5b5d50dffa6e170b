/**
 * The two sides of one benchmark phase, over plain `node:http` with an agent each: the probe (one
 * `GET /healthz` at a time, its latency taken with `performance.now()`) and the load (a few loops
 * sending the same hostile body over and over, counting the answers by status). Separate agents
 * keep the probe off the load's sockets, so a probe never queues behind a hostile request on the
 * client side — any wait it sees is the server's. A failed request (refused, reset, timed out) is
 * counted under its error code, never thrown: a phase that cannot reach the server is a result.
 */
import { request, type Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** Longer than any stall worth measuring; past it a request counts as `error timeout`. */
const requestTimeoutMs = 60_000;
/** Pause after a failed request, so an unreachable server is not hammered in a tight loop. */
const pauseAfterErrorMs = 50;
/** How much of the first answer of each status is kept, to show what a refusal said. */
const keptAnswerChars = 240;

/** An HTTP answer, or the error that stood in for one. */
export interface Answer {
  /** `200`, `403`, … or `error ECONNREFUSED`, `error timeout`. */
  status: string;
  text: string;
}

/** What the load loops of a phase sent and got back. */
export interface LoadTally {
  sent: number;
  statuses: Record<string, number>;
  /** The first answer of each status, cut short. */
  firstAnswers: Record<string, string>;
  /** The id of the last session a 201 created, to look at once the phase is over. */
  lastCreatedId?: string;
}

/**
 * Sends one request and reads the whole answer; resolves with an error status instead of rejecting.
 *
 * @example
 * const answer = await send(agent, new URL('/healthz', url), 'GET', {});
 * // → { status: '200', text: '{"ok":true}' }
 */
export function send(agent: Agent, url: URL, method: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolveAnswer) => {
    const outgoing = request(url, { agent, method, headers: body === undefined ? headers : { ...headers, 'content-length': String(body.length) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolveAnswer({ status: String(response.statusCode), text: Buffer.concat(chunks).toString() }));
      response.on('error', (error: NodeJS.ErrnoException) => resolveAnswer({ status: `error ${error.code ?? error.message}`, text: '' }));
    });
    outgoing.setTimeout(requestTimeoutMs, () => outgoing.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolveAnswer({ status: `error ${error.code ?? error.message}`, text: '' }));
    outgoing.end(body);
  });
}

/**
 * Sends `GET /healthz` one at a time until `endsAt`, pausing `intervalMs` between probes, and
 * returns the latencies of the 200s and the count of anything else.
 *
 * @example
 * const { latencies, failures } = await probeHealth(agent, url, performance.now() + 5000, 5);
 */
export async function probeHealth(agent: Agent, url: string, endsAt: number, intervalMs: number): Promise<{ latencies: number[]; failures: Record<string, number> }> {
  const target = new URL('/healthz', url);
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  while (performance.now() < endsAt) {
    const start = performance.now();
    const answer = await send(agent, target, 'GET', {});
    const elapsed = performance.now() - start;
    if (answer.status === '200') {
      latencies.push(elapsed);
    } else {
      failures[answer.status] = (failures[answer.status] ?? 0) + 1;
      if (answer.status.startsWith('error')) await delay(pauseAfterErrorMs);
    }
    await delay(intervalMs);
  }
  return { latencies, failures };
}

/**
 * Runs `concurrency` loops that each `POST /v1/sessions` the same body until `endsAt` (a request
 * in flight then is awaited and counted), and tallies the answers by status.
 *
 * @example
 * const tally = await sendHostileLoad(agent, url, key, kind.body, performance.now() + 5000, 3);
 * // → { sent: 812, statuses: { '403': 812 }, firstAnswers: { '403': '{"error":…' } }
 */
export async function sendHostileLoad(agent: Agent, url: string, key: string, body: Buffer, endsAt: number, concurrency: number): Promise<LoadTally> {
  const target = new URL('/v1/sessions', url);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const tally: LoadTally = { sent: 0, statuses: {}, firstAnswers: {} };
  const loop = async (): Promise<void> => {
    while (performance.now() < endsAt) {
      tally.sent += 1;
      const answer = await send(agent, target, 'POST', headers, body);
      tally.statuses[answer.status] = (tally.statuses[answer.status] ?? 0) + 1;
      tally.firstAnswers[answer.status] ??= answer.text.slice(0, keptAnswerChars);
      if (answer.status === '201') {
        try {
          tally.lastCreatedId = (JSON.parse(answer.text) as { id: string }).id;
        } catch {
          // A 201 without a session id is still counted as a 201; there is just nothing to look at.
        }
      }
      if (answer.status.startsWith('error')) await delay(pauseAfterErrorMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return tally;
}
