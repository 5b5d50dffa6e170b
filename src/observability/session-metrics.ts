/**
 * Prometheus metrics of a conclave server or worker, read from the events its sessions store (so
 * every face — native API, Managed Agents API, MCP, queue workers — is counted the same way) plus
 * what is asked of the store and the queue at scrape time: sessions by status, queue depth and
 * connected workers. Model calls are counted by provider and model: calls and errors, input and
 * output tokens, cost in USD, and histograms of time to first token and of the whole call. HTTP
 * requests are counted by method, route and status. prom-client does the bookkeeping and the text
 * format; one registry per server, never the library's global one.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parseModelRef, type CommandCompletedData, type CommandFailedData, type SessionEvent, type SessionStore } from '../protocol/index.js';
import type { QueueDepth } from '../queue/session-queue.js';

/** Buckets of model latency histograms, in seconds: from a cached answer to a long generation. */
const latencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** Buckets of HTTP request durations, in seconds (event streams are left out: they last as long as the client). */
const requestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface SessionMetricsOptions {
  /** Asked for sessions by status at every scrape (`store.countSessions()`). */
  countSessions: SessionStore['countSessions'];
  /** Asked for its depth and workers at every scrape, when sessions run on workers. */
  queueDepth?: () => Promise<QueueDepth>;
}

export interface SessionMetrics {
  readonly registry: Registry;
  /** Counts what `events` (just stored, in order) say happened. */
  observe(events: readonly SessionEvent[]): void;
  /** Counts one HTTP request; `route` is the route's pattern (`/v1/sessions/:id`), never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number | undefined): void;
  /** The exposition text (`text/plain; version=0.0.4`). */
  render(): Promise<string>;
  readonly contentType: string;
}

/** The provider part of a model reference (`openai/gpt-4.1` → `openai`); `unknown` when there is none. */
function providerOf(model: string | undefined): { provider: string; model: string } {
  if (model === undefined) return { provider: 'unknown', model: 'unknown' };
  const reference = parseModelRef(model);
  if (reference === undefined) return { provider: 'unknown', model };
  // Query parameters (`offline/echo?ttft_ms=50`) would make a series per setting: the name is enough.
  return { provider: reference.provider, model: reference.name };
}

/**
 * Creates the metrics of one process.
 *
 * @example
 * const metrics = createSessionMetrics({ countSessions: () => store.countSessions() });
 * const store = withEventObserver(store, (events) => metrics.observe(events));
 * app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'content-type': metrics.contentType }));
 */
export function createSessionMetrics(options: SessionMetricsOptions): SessionMetrics {
  const registry = new Registry();
  const labels = ['provider', 'model'] as const;
  const sessions = new Gauge({
    name: 'conclave_sessions',
    help: 'Sessions in the store by status (deleted sessions are not counted).',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await options.countSessions();
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  void sessions;
  const calls = new Counter({ name: 'conclave_model_calls_total', help: 'Model call attempts that completed, by provider and model.', labelNames: labels, registers: [registry] });
  const errors = new Counter({ name: 'conclave_model_errors_total', help: 'Model call attempts that failed, by provider, model and error code.', labelNames: [...labels, 'code'] as const, registers: [registry] });
  const tokens = new Counter({ name: 'conclave_model_tokens_total', help: 'Tokens of completed model calls, by direction (input — cached included —, output, cache_read, cache_write).', labelNames: [...labels, 'direction'] as const, registers: [registry] });
  const cost = new Counter({ name: 'conclave_model_cost_usd_total', help: 'Cost in USD of completed model calls at list prices (simulated models cost 0).', labelNames: labels, registers: [registry] });
  const ttft = new Histogram({ name: 'conclave_model_time_to_first_token_seconds', help: 'Time from sending a model request to its first output.', labelNames: labels, buckets: latencyBuckets, registers: [registry] });
  const duration = new Histogram({ name: 'conclave_model_call_duration_seconds', help: 'Time from sending a model request to its last output.', labelNames: labels, buckets: latencyBuckets, registers: [registry] });
  const toolCalls = new Counter({ name: 'conclave_tool_calls_total', help: 'Tool calls that finished, by tool and outcome (ok, error).', labelNames: ['tool', 'outcome'] as const, registers: [registry] });
  const sessionErrors = new Counter({ name: 'conclave_session_errors_total', help: 'session.error events, by error code.', labelNames: ['code'] as const, registers: [registry] });
  const requests = new Counter({ name: 'conclave_http_requests_total', help: 'HTTP requests answered, by method, route and status.', labelNames: ['method', 'route', 'status'] as const, registers: [registry] });
  const requestSeconds = new Histogram({ name: 'conclave_http_request_duration_seconds', help: 'Time to answer an HTTP request (event streams excluded).', labelNames: ['method', 'route'] as const, buckets: requestBuckets, registers: [registry] });
  if (options.queueDepth !== undefined) {
    const queueDepth = options.queueDepth;
    // One read of the queue serves both gauges of a scrape.
    let reading: Promise<QueueDepth> | undefined;
    const read = (): Promise<QueueDepth> => {
      reading ??= queueDepth().finally(() => setImmediate(() => (reading = undefined)));
      return reading;
    };
    new Gauge({
      name: 'conclave_queue_jobs',
      help: 'Session jobs in the worker queue, by state.',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const depth = await read();
        for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) this.set({ state }, depth[state]);
      },
    });
    new Gauge({
      name: 'conclave_queue_workers',
      help: 'Workers connected to the session queue.',
      registers: [registry],
      async collect() {
        this.set((await read()).workers);
      },
    });
  }

  return {
    registry,
    contentType: registry.contentType,
    observe(events) {
      for (const event of events) {
        if (event.type === 'command.completed') {
          const data = event.data as CommandCompletedData;
          if (data.model === undefined) continue;
          const series = providerOf(data.model);
          calls.inc(series);
          if (data.usage !== undefined) {
            tokens.inc({ ...series, direction: 'input' }, data.usage.inputTokens);
            tokens.inc({ ...series, direction: 'output' }, data.usage.outputTokens);
            if (data.usage.cachedInputTokens !== undefined) tokens.inc({ ...series, direction: 'cache_read' }, data.usage.cachedInputTokens);
            if (data.usage.cacheWriteInputTokens !== undefined) tokens.inc({ ...series, direction: 'cache_write' }, data.usage.cacheWriteInputTokens);
          }
          if (data.cost !== undefined && data.cost.usd > 0) cost.inc(series, data.cost.usd);
          if (data.timeToFirstTokenMs !== undefined) ttft.observe(series, data.timeToFirstTokenMs / 1000);
          duration.observe(series, data.latencyMs / 1000);
        } else if (event.type === 'command.failed') {
          const data = event.data as CommandFailedData;
          if (data.model === undefined) continue;
          errors.inc({ ...providerOf(data.model), code: data.error.code });
        } else if (event.type === 'agent.tool_result') {
          toolCalls.inc({ tool: typeof event.data['tool'] === 'string' ? event.data['tool'] : 'unknown', outcome: event.data['isError'] === true ? 'error' : 'ok' });
        } else if (event.type === 'session.error') {
          const error = event.data['error'] as { code?: unknown } | undefined;
          sessionErrors.inc({ code: typeof error?.code === 'string' ? error.code : 'unknown' });
        }
      }
    },
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      if (seconds !== undefined) requestSeconds.observe({ method, route }, seconds);
    },
    render: () => registry.metrics(),
  };
}
