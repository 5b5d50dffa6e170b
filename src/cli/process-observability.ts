/**
 * Logs, metrics and traces of a long-running conclave process (`serve`, `worker`), set up in one
 * place: a logger (JSON lines, pretty in a terminal), Prometheus metrics, and OpenTelemetry traces
 * when the OTEL_* variables ask for them — all fed from the events the process's store stores.
 */
import type { Logger } from 'pino';
import { createServerLogger, logFormatOf, logSessionEvents } from '../observability/server-logger.js';
import { createSessionMetrics, type SessionMetrics } from '../observability/session-metrics.js';
import { startSessionTracing, tracingRequested, type SessionTracing } from '../observability/session-tracing.js';
import type { QueueDepth } from '../queue/session-queue.js';
import type { ServerObservability } from '../server/observability-middleware.js';
import type { CliContext } from './cli-context.js';

export interface ProcessObservabilityOptions {
  role: 'serve' | 'worker';
  /** `--log-level`; default CONCLAVE_LOG_LEVEL, else `info`. */
  logLevel?: string;
  /** `--log-format`; default CONCLAVE_LOG_FORMAT, else `auto`. */
  logFormat?: string;
  /** The worker queue's depth, for the queue gauges. */
  queueDepth?: () => Promise<QueueDepth>;
  /** Log session milestones (default true; a worker in text mode has its own activity lines). */
  logSessions?: (format: 'json' | 'pretty') => boolean;
}

export interface ProcessObservability {
  logger: Logger;
  metrics: SessionMetrics;
  tracing: SessionTracing | undefined;
  /** What the HTTP server takes. */
  server: ServerObservability;
  /** Sends the spans not yet exported and flushes the log. */
  close(): Promise<void>;
}

/**
 * Sets up observability and taps the context's store. Call before the store or kernel is first used.
 *
 * @example
 * const observability = await startProcessObservability(context, { role: 'serve', logLevel: 'debug' });
 * observability.logger.info({ url }, 'listening');
 */
export async function startProcessObservability(context: CliContext, options: ProcessObservabilityOptions): Promise<ProcessObservability> {
  const logger = await createServerLogger({ role: options.role, ...(options.logLevel !== undefined ? { level: options.logLevel } : {}), ...(options.logFormat !== undefined ? { format: options.logFormat } : {}) });
  // The version sits beside the MCP server; a worker that does not trace never loads it.
  const tracing = tracingRequested(process.env)
    ? await startSessionTracing(process.env, { serviceName: 'conclave', version: (await import('../mcp-server/conclave-mcp-server.js')).conclaveVersion() })
    : undefined;
  const metrics = createSessionMetrics({ countSessions: () => context.store().countSessions(), ...(options.queueDepth !== undefined ? { queueDepth: options.queueDepth } : {}) });
  const logSessions = options.logSessions?.(logFormatOf(logger)) ?? true;
  context.observeStoredEvents(
    (events, appendContext) => {
      metrics.observe(events);
      if (logSessions) logSessionEvents(logger, events);
      tracing?.observe(events, appendContext as Parameters<SessionTracing['observe']>[1]);
    },
    tracing === undefined ? {} : { captureContext: tracing.captureContext },
  );
  const server: ServerObservability = { logger, metrics };
  if (tracing !== undefined) server.tracing = { tracer: tracing.tracer, api: await import('@opentelemetry/api') };
  if (tracing !== undefined) logger.info({ exporter: process.env['OTEL_TRACES_EXPORTER'] ?? 'otlp', endpoint: process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] }, 'tracing on');
  return {
    logger,
    metrics,
    tracing,
    server,
    async close() {
      await tracing?.shutdown().catch((error: unknown) => logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'could not export the last spans'));
      logger.flush();
    },
  };
}
