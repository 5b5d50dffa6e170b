/**
 * What the server observes of each request: a log line (request id, method, route pattern, status,
 * duration, workspace), the HTTP metrics, and — when tracing is on — a server span that the
 * request's work runs inside, so a session turn the request starts becomes its child. A client's
 * `traceparent` header is honoured. Event streams are logged and counted when they open (they last
 * as long as the client), never timed.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import type * as OpenTelemetryApi from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import type { SessionMetrics } from '../observability/session-metrics.js';
import type { ServerEnv } from './server-deps.js';

/** The server's observers; each is optional. */
export interface ServerObservability {
  logger?: Logger;
  metrics?: SessionMetrics;
  /** Set when tracing is on (`startSessionTracing`): the tracer and the OpenTelemetry API module, loaded only then. */
  tracing?: { tracer: Tracer; api: typeof OpenTelemetryApi };
}

/** The matched route's pattern (`/v1/sessions/:id`), or `unmatched`: raw paths would make a series per id. */
function routeOf(context: Parameters<MiddlewareHandler<ServerEnv>>[0]): string {
  try {
    const pattern = routePath(context, -1);
    return pattern === '*' || pattern === '/*' || pattern === '' ? 'unmatched' : pattern;
  } catch {
    return 'unmatched';
  }
}

/**
 * The middleware; mount it first (after the request id).
 *
 * @example
 * app.use('*', observabilityMiddleware({ logger, metrics }));
 */
export function observabilityMiddleware(observability: ServerObservability): MiddlewareHandler<ServerEnv> {
  const { logger, metrics, tracing } = observability;
  const finish = (context: Parameters<MiddlewareHandler<ServerEnv>>[0], startedAt: number, failed: boolean): { route: string; status: number } => {
    const route = routeOf(context);
    const status = failed ? 500 : context.res.status;
    const streaming = context.res.headers.get('content-type')?.startsWith('text/event-stream') === true;
    const seconds = (performance.now() - startedAt) / 1000;
    metrics?.observeRequest(context.req.method, route, status, streaming ? undefined : seconds);
    if (logger !== undefined) {
      const fields = {
        requestId: context.get('requestId'),
        method: context.req.method,
        route,
        status,
        ...(streaming ? { stream: true } : { ms: Math.round(seconds * 10_000) / 10 }),
        ...(context.get('workspace') !== undefined ? { workspace: context.get('workspace') } : {}),
      };
      if (status >= 500) logger.error(fields, 'request');
      else logger.info(fields, 'request');
    }
    return { route, status };
  };
  if (tracing === undefined) {
    return async (context, next) => {
      const startedAt = performance.now();
      try {
        await next();
      } catch (error) {
        finish(context, startedAt, true);
        throw error;
      }
      finish(context, startedAt, false);
    };
  }
  const { tracer } = tracing;
  const { context: contexts, propagation, trace, SpanKind, SpanStatusCode } = tracing.api;
  return async (context, next) => {
    const startedAt = performance.now();
    const carrier: Record<string, string> = {};
    context.req.raw.headers.forEach((value, key) => (carrier[key] = value));
    const parent = propagation.extract(contexts.active(), carrier);
    const span = tracer.startSpan(
      context.req.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': context.req.method, 'url.path': context.req.path, 'conclave.request.id': context.get('requestId') } },
      parent,
    );
    try {
      await contexts.with(trace.setSpan(parent, span), () => next());
      const { route, status } = finish(context, startedAt, false);
      span.updateName(`${context.req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    } catch (error) {
      finish(context, startedAt, true);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  };
}
