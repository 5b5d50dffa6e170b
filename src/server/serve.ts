/**
 * Puts the application on Node's HTTP server (@hono/node-server) and takes it down cleanly. Closing
 * stops accepting connections, aborts `deps.shutdownSignal` so event streams can end themselves,
 * ends the streams that are still open a moment later, gives ordinary requests a grace period to
 * finish, and resolves once every connection is gone — so `conclave serve` exits promptly on
 * SIGTERM even with SDK clients tailing sessions.
 */
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { createServerApp, type ServerAppOptions } from './app.js';
import type { ServerDeps } from './server-deps.js';

export interface StartServerOptions extends ServerAppOptions {
  deps: ServerDeps;
  /** Interface to listen on. Default `127.0.0.1` (local only). */
  host?: string;
  /** Port; 0 picks a free one (read it from `url` / `port`). Default 8787. */
  port?: number;
  /** How long `close()` lets ordinary requests finish before cutting them. Default 5000 ms. */
  closeTimeoutMs?: number;
  /** How long `close()` lets event streams end themselves before ending them. Default 250 ms. */
  streamGraceMs?: number;
}

export interface RunningServer {
  /** `http://host:port`, with the real port when 0 was asked for. */
  url: string;
  host: string;
  port: number;
  /** Stops the server; resolves when every connection is closed. Safe to call twice. */
  close(): Promise<void>;
}

/** Default port of `conclave serve`. */
export const defaultServerPort = 8787;

/** Default interface of `conclave serve`. */
export const defaultServerHost = '127.0.0.1';

function formatUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/**
 * Starts serving both APIs; resolves once the server is listening.
 *
 * @example
 * const server = await startServer({ deps, port: 0 });
 * const client = new Anthropic({ apiKey: key, baseURL: `${server.url}/anthropic` });
 * …
 * await server.close();
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? defaultServerHost;
  const shutdown = new AbortController();
  const deps: ServerDeps = { ...options.deps, shutdownSignal: options.deps.shutdownSignal ?? shutdown.signal };
  const appOptions: ServerAppOptions = {};
  if (options.cors !== undefined) appOptions.cors = options.cors;
  if (options.maxBodyBytes !== undefined) appOptions.maxBodyBytes = options.maxBodyBytes;
  const app = createServerApp(deps, appOptions);
  /** Responses that are event streams and still open: they never end on their own. */
  const streams = new Set<ServerResponse>();

  const server = await new Promise<Server>((resolveListening, rejectListening) => {
    const created = serve(
      {
        fetch: async (request: Request, env: HttpBindings | Http2Bindings) => {
          const response = await app.fetch(request, env);
          if (response.headers.get('content-type')?.startsWith('text/event-stream') === true) {
            const outgoing = env.outgoing as ServerResponse; // an HTTP/1 server: never HTTP/2 bindings
            streams.add(outgoing);
            outgoing.once('close', () => streams.delete(outgoing));
          }
          return response;
        },
        hostname: host,
        port: options.port ?? defaultServerPort,
      },
      () => resolveListening(created as Server),
    ) as Server;
    created.once('error', rejectListening);
  });

  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  function close(): Promise<void> {
    closing ??= new Promise<void>((resolveClosed) => {
      const timers: NodeJS.Timeout[] = [];
      server.close(() => {
        for (const timer of timers) clearTimeout(timer);
        resolveClosed();
      });
      shutdown.abort(new Error('the server is shutting down'));
      server.closeIdleConnections();
      timers.push(
        setTimeout(() => {
          for (const stream of streams) stream.end();
          server.closeIdleConnections();
        }, options.streamGraceMs ?? 250),
        setTimeout(() => server.closeAllConnections(), options.closeTimeoutMs ?? 5000),
      );
      for (const timer of timers) timer.unref();
    });
    return closing;
  }

  return { url: formatUrl(host, port), host, port, close };
}
