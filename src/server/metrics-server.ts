/**
 * A second, unauthenticated port that serves only `GET /metrics`, for a Prometheus scraper that
 * cannot hold an API key (`conclave serve --metrics-port`, `conclave worker --health-port`). It
 * exposes counts, never sessions' content; bind it to an interface only the scraper reaches.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionMetrics } from '../observability/session-metrics.js';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Answers a request for the metrics (`true`), or leaves it to the caller (`false`): for servers
 * that serve more than the metrics, such as a worker's health port.
 *
 * @example
 * createServer((request, response) => { if (!answerMetrics(metrics, request, response)) response.writeHead(404).end(); });
 */
export function answerMetrics(metrics: SessionMetrics, request: { method?: string; url?: string }, response: ServerResponse): boolean {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/metrics') return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return true;
  }
  metrics.render().then(
    (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(request.method === 'HEAD' ? undefined : text),
    (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot collect the metrics: ${error instanceof Error ? error.message : String(error)}\n`),
  );
  return true;
}

/**
 * Serves `GET /metrics` on `host:port` (0 picks a free port).
 *
 * @example
 * const server = await startMetricsServer(metrics, { host: '127.0.0.1', port: 9464 });
 * // curl http://127.0.0.1:9464/metrics
 */
export async function startMetricsServer(metrics: SessionMetrics, options: { host: string; port: number }): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (!answerMetrics(metrics, request, response)) response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served on this port\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
