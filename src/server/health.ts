/**
 * Health for orchestrators, shared by `conclave serve` and `conclave worker`: `/healthz` says the
 * process is alive (always 200 while it can answer), `/readyz` runs named checks — the store
 * answers, the queue answers, the worker takes jobs — and answers 200 only when all pass, else 503
 * with what failed. A load balancer routes by `/readyz`; a supervisor restarts by `/healthz`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionStore } from '../protocol/store.js';

/** A named check: resolves when healthy, throws (with a message worth reading) when not. */
export type ReadinessCheck = () => Promise<void>;

/** What `/readyz` answers. */
export interface ReadinessReport {
  ready: boolean;
  /** `ok`, or why the check failed. */
  checks: Record<string, string>;
}

/** How long one check may take before it counts as failed. */
const checkTimeoutMs = 3000;

/**
 * Runs every check at once, each within a few seconds.
 *
 * @example
 * const report = await checkReadiness({ store: storeCheck(store), queue: () => queue.ping() });
 * // → { ready: true, checks: { store: 'ok', queue: 'ok' } }
 */
export async function checkReadiness(checks: Record<string, ReadinessCheck>): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const outcomes = await Promise.all(
    names.map(async (name) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const check = checks[name] as ReadinessCheck;
        await Promise.race([check(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs)))]);
        return 'ok';
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const report: ReadinessReport = { ready: outcomes.every((outcome) => outcome === 'ok'), checks: {} };
  names.forEach((name, index) => {
    report.checks[name] = outcomes[index] as string;
  });
  return report;
}

/**
 * The readiness check of a session store: one cheap read, which also proves the schema is migrated.
 *
 * @example
 * await checkReadiness({ store: storeCheck(kernel.store) });
 */
export function storeCheck(store: SessionStore): ReadinessCheck {
  return async () => {
    await store.head('readiness-check');
  };
}

export interface HealthServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A bare HTTP server with `/healthz` and `/readyz` only (what a worker, which serves no API, exposes).
 *
 * @example
 * const health = await startHealthServer({ port: 0, checks: { store: storeCheck(store), worker: async () => {} } });
 * console.log(`health on ${health.url}/readyz`);
 */
export async function startHealthServer(options: {
  port: number;
  host?: string;
  checks: Record<string, ReadinessCheck>;
  /** Answers other paths first (a worker's `/metrics`); returns false to leave a request to the health routes. */
  also?: (request: IncomingMessage, response: ServerResponse) => boolean;
}): Promise<HealthServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((request, response) => {
    if (options.also?.(request, response) === true) return undefined;
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, { error: 'only GET' });
    if (path === '/healthz') return send(200, { ok: true });
    if (path === '/readyz') {
      void checkReadiness(options.checks).then((report) => send(report.ready ? 200 : 503, report));
      return undefined;
    }
    return send(404, { error: `no route ${path ?? ''}; try /healthz or /readyz` });
  });
  await new Promise<void>((resolveListening, rejectListening) => {
    server.once('error', rejectListening);
    server.listen(options.port, host, () => resolveListening());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolveClosed) => {
        server.close(() => resolveClosed());
        server.closeAllConnections();
      }),
  };
}
