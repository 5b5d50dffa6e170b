/**
 * Following appends across processes with PostgreSQL's LISTEN/NOTIFY. After an append commits, the
 * store announces it on the schema's channel (`<session id> <last seq>`); one listening connection
 * per store wakes that session's followers and watchers. Announcements are not part of the append's
 * transaction: a notifying commit takes a server-wide lock until it is on disk, which would make
 * every append wait for every other one. Instead the announcements of one event-loop turn go out
 * together, in one statement, off the append's path. While the listening connection is down (the server
 * restarted, a proxy that drops NOTIFY), the hub reconnects with backoff and its users fall back to
 * polling — and on reconnect everyone looks again, so a notification lost in the gap costs a read,
 * never an event.
 */
import pg from 'pg';
import type { AppendWaiters } from '../append-waiters.js';
import { clientConfig, type PostgresTarget } from './pg-connection.js';

/** The LISTEN channel of a schema (at most 57 characters: schemas are at most 48). */
export function notificationChannel(schema: string): string {
  return `conclave_${schema}`;
}

export interface NotificationHub {
  /** Whether notifications are arriving now (false before the first use and while reconnecting). */
  readonly listening: boolean;
  /** Connects on first use; later calls do nothing. */
  start(): void;
  /**
   * Calls `listener` after every append to the session with its new last seq (or with none, every
   * poll while not listening, and once on reconnect).
   */
  watch(sessionId: string, listener: (seq?: number) => void): () => void;
  /** Announces a committed append to every listener (batched per event-loop turn; best effort). */
  announce(sessionId: string, seq: number): void;
  close(): Promise<void>;
}

export interface NotificationHubOptions {
  target: PostgresTarget;
  /** Followers parked until the session's next append. */
  waiters: AppendWaiters;
  /** How often watchers are called while notifications are down. Default 100 ms. */
  pollIntervalMs?: number;
  /** Sends a batch of payloads on the channel (the store runs one `pg_notify` statement). */
  send: (channel: string, payloads: string[]) => Promise<unknown>;
  /** Told about connection trouble (the store stays quiet otherwise). */
  onError?: (error: Error) => void;
}

/**
 * Creates the hub of one store; nothing connects until `start`.
 *
 * @example
 * const hub = createNotificationHub({ target, waiters });
 * hub.start();
 * const stop = hub.watch(sessionId, () => void writer.refresh());
 */
export function createNotificationHub(options: NotificationHubOptions): NotificationHub {
  const { target, waiters } = options;
  const channel = notificationChannel(target.schema);
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const watchers = new Map<string, Set<(seq?: number) => void>>();
  let client: pg.Client | undefined;
  let listening = false;
  let started = false;
  let closed = false;
  let retryMs = 100;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  /** Announcements waiting for the end of this turn: the highest seq per session. */
  let pending = new Map<string, number>();

  const notify = (sessionId: string, seq: number | undefined): void => {
    waiters.wake(sessionId);
    for (const listener of watchers.get(sessionId) ?? []) listener(seq);
  };
  const notifyAll = (): void => {
    waiters.wakeAll();
    for (const set of watchers.values()) for (const listener of set) listener();
  };

  const setPolling = (on: boolean): void => {
    if (on && pollTimer === undefined) {
      pollTimer = setInterval(() => {
        for (const set of watchers.values()) for (const listener of set) listener();
      }, pollIntervalMs);
      pollTimer.unref();
    } else if (!on && pollTimer !== undefined) {
      clearInterval(pollTimer);
      pollTimer = undefined;
    }
  };

  const lost = (connection: pg.Client, error?: Error): void => {
    if (client !== connection) return;
    client = undefined;
    listening = false;
    if (error !== undefined) options.onError?.(error);
    connection.removeAllListeners('notification');
    void connection.end().catch(() => undefined);
    if (closed) return;
    setPolling(true);
    notifyAll();
    reconnectTimer = setTimeout(connect, retryMs);
    reconnectTimer.unref();
    retryMs = Math.min(retryMs * 2, 5000);
  };

  function connect(): void {
    reconnectTimer = undefined;
    if (closed) return;
    const connection = new pg.Client(clientConfig(target));
    client = connection;
    connection.on('error', (error) => lost(connection, error));
    connection.on('end', () => lost(connection));
    connection.on('notification', (message) => {
      if (message.channel !== channel || message.payload === undefined) return;
      // Payload: `<session id> <last seq>`.
      const space = message.payload.lastIndexOf(' ');
      if (space < 0) notify(message.payload, undefined);
      else notify(message.payload.slice(0, space), Number(message.payload.slice(space + 1)));
    });
    connection
      .connect()
      .then(() => connection.query(`LISTEN ${channel}`))
      .then(() => {
        if (client !== connection) return;
        listening = true;
        retryMs = 100;
        setPolling(false);
        // Appends made before LISTEN took effect were not announced: everyone looks again.
        notifyAll();
      })
      .catch((error: unknown) => lost(connection, error instanceof Error ? error : new Error(String(error))));
  }

  return {
    get listening() {
      return listening;
    },
    start() {
      if (started || closed) return;
      started = true;
      setPolling(true);
      connect();
    },
    watch(sessionId, listener) {
      let set = watchers.get(sessionId);
      if (set === undefined) {
        set = new Set();
        watchers.set(sessionId, set);
      }
      set.add(listener);
      return () => {
        const current = watchers.get(sessionId);
        current?.delete(listener);
        if (current?.size === 0) watchers.delete(sessionId);
      };
    },
    announce(sessionId, seq) {
      if (closed) return;
      if (pending.size === 0) {
        setImmediate(() => {
          const batch = pending;
          pending = new Map();
          if (closed || batch.size === 0) return;
          // A lost announcement costs a follower a poll (the safety poll), never an event.
          options.send(channel, [...batch].map(([id, last]) => `${id} ${last}`)).catch((error: unknown) => options.onError?.(error instanceof Error ? error : new Error(String(error))));
        });
      }
      pending.set(sessionId, Math.max(seq, pending.get(sessionId) ?? 0));
    },
    async close() {
      closed = true;
      listening = false;
      setPolling(false);
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      const connection = client;
      client = undefined;
      watchers.clear();
      if (connection !== undefined) {
        connection.removeAllListeners('notification');
        await connection.end().catch(() => undefined);
      }
    },
  };
}
