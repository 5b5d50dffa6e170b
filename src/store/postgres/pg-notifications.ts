/**
 * Following appends across processes with PostgreSQL's LISTEN/NOTIFY. Every append notifies the
 * schema's channel with the session id when it commits; one listening connection per store wakes
 * that session's followers and watchers. While the listening connection is down (the server
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
  /** Tells this store's own watchers about its own append at once (the NOTIFY comes later). */
  appended(sessionId: string, seq: number): void;
  close(): Promise<void>;
}

export interface NotificationHubOptions {
  target: PostgresTarget;
  /** Followers parked until the session's next append. */
  waiters: AppendWaiters;
  /** How often watchers are called while notifications are down. Default 100 ms. */
  pollIntervalMs?: number;
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
    appended(sessionId, seq) {
      for (const listener of watchers.get(sessionId) ?? []) listener(seq);
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
