/**
 * Which Redis a session queue lives in: the `--queue` / `CONCLAVE_QUEUE` URL, with conclave's own
 * `prefix` parameter (default `conclave`) namespacing every key, so one Redis can hold several
 * deployments — and every test run its own.
 */
import { ConclaveError } from '../protocol/errors.js';

/** The BullMQ queue sessions are enqueued to. */
export const sessionQueueName = 'sessions';

/** Key prefix used when the URL names none. */
export const defaultQueuePrefix = 'conclave';

export interface QueueTarget {
  /** The Redis URL without conclave's own parameters. */
  url: string;
  /** Prefix of every key of the queue. */
  prefix: string;
  /** The URL with the password hidden, for messages. */
  display: string;
}

/**
 * Parses a `redis://` (or `rediss://`) queue URL.
 *
 * @example
 * parseQueueUrl('redis://127.0.0.1:6379?prefix=staging')
 * // → { url: 'redis://127.0.0.1:6379', prefix: 'staging', display: 'redis://127.0.0.1:6379?prefix=staging' }
 */
export function parseQueueUrl(value: string): QueueTarget {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConclaveError('invalid_argument', `"${value}" is not a Redis URL`, { hint: 'write it as redis://[:password@]host:6379[/db][?prefix=conclave] (--queue or CONCLAVE_QUEUE)' });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConclaveError('invalid_argument', `the session queue must be a redis:// or rediss:// URL, got "${value}"`, {
      hint: 'for example --queue redis://127.0.0.1:6379',
    });
  }
  const prefix = url.searchParams.get('prefix') ?? defaultQueuePrefix;
  url.searchParams.delete('prefix');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) {
    throw new ConclaveError('invalid_argument', `queue prefix "${prefix}" is not allowed`, { hint: 'use letters, digits, "_", "." and "-" (at most 64)' });
  }
  const hidden = new URL(url.href);
  if (hidden.password !== '') hidden.password = '***';
  return { url: url.href, prefix, display: `${hidden.href}${hidden.search === '' ? '?' : '&'}prefix=${prefix}` };
}

/**
 * BullMQ connection options for a target. `maxRetriesPerRequest: null` is what BullMQ needs for
 * its blocking commands: a Redis restart pauses the queue instead of failing it.
 *
 * @example
 * new Queue(sessionQueueName, { connection: queueConnection(target), prefix: target.prefix });
 */
export function queueConnection(target: QueueTarget): { url: string; maxRetriesPerRequest: null } {
  return { url: target.url, maxRetriesPerRequest: null };
}
