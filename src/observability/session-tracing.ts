/**
 * OpenTelemetry traces of sessions, following the GenAI semantic conventions, built from the events
 * sessions store: a span per session turn (`invoke_agent <topology>`), per topology step (one agent's
 * turn at a step, with its tool rounds), per model call attempt (`chat <model>`: provider, request and
 * response model, token usage, finish reasons, error type) and per tool call (`execute_tool <tool>`).
 * A turn started by an HTTP request is a child of that request's server span (the context is taken
 * when the turn's first event is appended, inside the request's async context).
 *
 * Off unless the standard variables ask for it (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_TRACES_EXPORTER=otlp|console`; `OTEL_SDK_DISABLED=true`
 * or `OTEL_TRACES_EXPORTER=none` turn it off): then none of the OpenTelemetry SDK is even loaded.
 * Protocols: `http/protobuf` (the default) and `http/json`. Message content is recorded only with
 * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, and it is the stored (redacted) text.
 */
import type { Context, Span, Tracer } from '@opentelemetry/api';
import type { CommandCompletedData, CommandFailedData, SessionEvent } from '../protocol/index.js';
import { parseModelRef } from '../protocol/model-ref.js';
import { ConclaveError } from '../protocol/errors.js';

/** What a process that traces sessions needs. */
export interface SessionTracing {
  /** The tracer, for HTTP server spans. */
  readonly tracer: Tracer;
  /** The active context, taken at append time (see `withEventObserver`). */
  captureContext(): Context;
  /** Turns stored events into spans. */
  observe(events: readonly SessionEvent[], appendContext: Context | undefined): void;
  /** Ends what is open and sends every span not yet exported. */
  shutdown(): Promise<void>;
}

type Environment = Record<string, string | undefined>;

/** Whether the OTEL_* variables ask for traces. */
export function tracingRequested(env: Environment): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporter = env['OTEL_TRACES_EXPORTER']?.trim().toLowerCase();
  if (exporter === 'none') return false;
  if (exporter !== undefined && exporter !== '') return true;
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
}

/** The GenAI conventions' provider names where they define one; conclave's own name otherwise. */
const providerNames: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'gcp.gemini',
  ollama: 'ollama',
  mistral: 'mistral_ai',
  groq: 'groq',
  deepseek: 'deepseek',
  xai: 'x_ai',
  offline: 'conclave.offline',
};

function modelAttributes(model: string | undefined): Record<string, string> {
  if (model === undefined) return {};
  const reference = parseModelRef(model);
  if (reference === undefined) return { 'gen_ai.request.model': model };
  return { 'gen_ai.provider.name': providerNames[reference.provider] ?? reference.provider, 'gen_ai.request.model': reference.name };
}

/** The step a command belongs to: its id up to its last `/generate:` segment (tool calls hang below it). */
function stepKeyOf(commandId: string): string {
  const at = commandId.lastIndexOf('/generate:');
  return at === -1 ? commandId : commandId.slice(0, at);
}

/** The open span of a call, no longer open once taken. */
function takeCall(state: SessionSpans, commandId: string): Span | undefined {
  const span = state.calls.get(commandId);
  state.calls.delete(commandId);
  return span;
}

interface SessionSpans {
  topology: string;
  turn?: Span;
  turnContext?: Context;
  steps: Map<string, { span: Span; context: Context }>;
  calls: Map<string, Span>;
}

/**
 * Starts tracing when the environment asks for it; undefined otherwise (nothing is loaded).
 * Throws `invalid_argument` for a protocol it cannot export with.
 *
 * @example
 * const tracing = await startSessionTracing(process.env, { serviceName: 'conclave', version: '0.1.0' });
 * const store = tracing === undefined ? base : withEventObserver(base, tracing.observe, { captureContext: tracing.captureContext });
 */
export async function startSessionTracing(env: Environment, service: { serviceName: string; version: string }): Promise<SessionTracing | undefined> {
  if (!tracingRequested(env)) return undefined;
  const exporterName = env['OTEL_TRACES_EXPORTER']?.trim().toLowerCase() || 'otlp';
  if (exporterName !== 'otlp' && exporterName !== 'console') {
    throw new ConclaveError('invalid_argument', `OTEL_TRACES_EXPORTER=${exporterName} is not supported`, { hint: 'use otlp (with OTEL_EXPORTER_OTLP_ENDPOINT), console, or none' });
  }
  const protocol = (env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'] ?? 'http/protobuf').trim();
  if (exporterName === 'otlp' && protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new ConclaveError('invalid_argument', `OTLP protocol "${protocol}" is not supported`, { hint: 'set OTEL_EXPORTER_OTLP_PROTOCOL to http/protobuf (the default) or http/json' });
  }
  const api = await import('@opentelemetry/api');
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor, ConsoleSpanExporter } = await import('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes, detectResources, envDetector } = await import('@opentelemetry/resources');
  const exporter =
    exporterName === 'console'
      ? new ConsoleSpanExporter()
      : protocol === 'http/json'
        ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
        : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  const resource = resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME']?.trim() || service.serviceName, 'service.version': service.version }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  const tracer = provider.getTracer('conclave', service.version);
  const captureContent = env['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT']?.trim().toLowerCase() === 'true';
  const sessions = new Map<string, SessionSpans>();
  const { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace } = api;

  const stateOf = (sessionId: string): SessionSpans => {
    let state = sessions.get(sessionId);
    if (state === undefined) {
      state = { topology: 'session', steps: new Map(), calls: new Map() };
      sessions.set(sessionId, state);
    }
    return state;
  };

  const openTurn = (event: SessionEvent, state: SessionSpans, parent: Context | undefined): Context => {
    if (state.turn !== undefined && state.turnContext !== undefined) return state.turnContext;
    const span = tracer.startSpan(
      `invoke_agent ${state.topology}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: new Date(event.at),
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': state.topology, 'gen_ai.conversation.id': event.sessionId, 'conclave.session.id': event.sessionId },
      },
      parent ?? ROOT_CONTEXT,
    );
    state.turn = span;
    state.turnContext = trace.setSpan(parent ?? ROOT_CONTEXT, span);
    return state.turnContext;
  };

  const closeTurn = (event: SessionEvent, state: SessionSpans, stopReason: unknown): void => {
    const end = new Date(event.at);
    for (const span of state.calls.values()) span.end(end);
    for (const step of state.steps.values()) step.span.end(end);
    state.calls.clear();
    state.steps.clear();
    if (state.turn !== undefined) {
      if (typeof stopReason === 'string') state.turn.setAttribute('conclave.stop_reason', stopReason);
      if (stopReason === 'retries_exhausted') state.turn.setStatus({ code: SpanStatusCode.ERROR, message: stopReason });
      state.turn.end(end);
    }
    delete state.turn;
    delete state.turnContext;
  };

  const openStep = (event: SessionEvent, state: SessionSpans, commandId: string, parent: Context | undefined): Context => {
    const key = stepKeyOf(commandId);
    const open = state.steps.get(key);
    if (open !== undefined) return open.context;
    const turnContext = openTurn(event, state, parent);
    const step = event.data['step'] as { topology?: string; agent?: string; phase?: string; round?: number } | undefined;
    const input = event.data['input'] as { agent?: unknown } | undefined;
    const agent = step?.agent ?? (typeof input?.agent === 'string' ? input.agent : typeof event.data['agent'] === 'string' ? event.data['agent'] : undefined);
    const attributes: Record<string, string | number> = { 'conclave.command.path': key };
    if (agent !== undefined) attributes['gen_ai.agent.name'] = agent;
    if (step?.phase !== undefined) attributes['conclave.step.phase'] = step.phase;
    if (step?.round !== undefined) attributes['conclave.step.round'] = step.round;
    if (step?.topology !== undefined) attributes['conclave.topology'] = step.topology;
    const span = tracer.startSpan(`step ${step?.phase ?? 'agent'}${agent !== undefined ? ` ${agent}` : ''}`, { startTime: new Date(event.at), attributes }, turnContext);
    const context = trace.setSpan(turnContext, span);
    state.steps.set(key, { span, context });
    return context;
  };

  const observeOne = (event: SessionEvent, appendContext: Context | undefined): void => {
    const state = stateOf(event.sessionId);
    switch (event.type) {
      case 'session.created':
        if (typeof event.data['topology'] === 'string') state.topology = event.data['topology'];
        return;
      case 'session.status_running':
        openTurn(event, state, appendContext);
        return;
      case 'session.status_idle':
        closeTurn(event, state, event.data['stopReason']);
        return;
      case 'session.status_terminated':
      case 'session.deleted':
        closeTurn(event, state, 'terminated');
        sessions.delete(event.sessionId);
        return;
      case 'command.started': {
        const commandId = String(event.data['commandId']);
        const stepContext = openStep(event, state, commandId, appendContext);
        const kind = event.data['kind'];
        if (kind === 'tool.execute') {
          const input = event.data['input'] as { tool?: string; toolCallId?: string } | undefined;
          const tool = input?.tool ?? 'tool';
          const span = tracer.startSpan(
            `execute_tool ${tool}`,
            { startTime: new Date(event.at), attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, ...(input?.toolCallId !== undefined ? { 'gen_ai.tool.call.id': input.toolCallId } : {}), 'conclave.command.id': commandId } },
            stepContext,
          );
          state.calls.set(commandId, span);
          return;
        }
        const input = event.data['input'] as { model?: unknown } | undefined;
        const model = typeof input?.model === 'string' ? input.model : undefined;
        const described = modelAttributes(model);
        const attributes = { 'gen_ai.operation.name': 'chat', ...described, 'conclave.command.id': commandId, 'conclave.attempt': Number(event.data['attempt'] ?? 1) };
        const name = `chat ${described['gen_ai.request.model'] ?? 'model'}`;
        state.calls.get(commandId)?.end(new Date(event.at));
        state.calls.set(commandId, tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: new Date(event.at), attributes }, stepContext));
        return;
      }
      case 'command.completed': {
        const data = event.data as CommandCompletedData;
        const span = takeCall(state, data.commandId);
        if (span === undefined) return;
        if (data.kind !== 'tool.execute') {
          if (data.model !== undefined) span.setAttributes(modelAttributes(data.model));
          if (typeof data.output['model'] === 'string') span.setAttribute('gen_ai.response.model', data.output['model']);
          if (data.usage !== undefined) {
            span.setAttribute('gen_ai.usage.input_tokens', data.usage.inputTokens);
            span.setAttribute('gen_ai.usage.output_tokens', data.usage.outputTokens);
            if (data.usage.cachedInputTokens !== undefined) span.setAttribute('gen_ai.usage.cache_read.input_tokens', data.usage.cachedInputTokens);
            if (data.usage.cacheWriteInputTokens !== undefined) span.setAttribute('gen_ai.usage.cache_creation.input_tokens', data.usage.cacheWriteInputTokens);
          }
          const finish = data.output['finishReason'];
          if (typeof finish === 'string') span.setAttribute('gen_ai.response.finish_reasons', [finish]);
          if (data.cost !== undefined) span.setAttribute('conclave.cost.usd', data.cost.usd);
          if (data.timeToFirstTokenMs !== undefined) span.setAttribute('conclave.time_to_first_token_ms', data.timeToFirstTokenMs);
          if (captureContent && typeof data.output['text'] === 'string') {
            span.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: data.output['text'] }] }]));
          }
        } else if (data.output['isError'] === true) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'the tool reported an error' });
          span.setAttribute('error.type', 'tool_error');
        }
        span.end(new Date(event.at));
        return;
      }
      case 'command.failed': {
        const data = event.data as CommandFailedData;
        const span = takeCall(state, data.commandId);
        if (span === undefined) return;
        span.setStatus({ code: SpanStatusCode.ERROR, message: data.error.message });
        span.setAttribute('error.type', data.error.code);
        span.setAttribute('conclave.will_retry', data.willRetry);
        span.end(new Date(event.at));
        return;
      }
      case 'agent.message': {
        const commandId = event.data['commandId'];
        if (typeof commandId !== 'string') return;
        const key = stepKeyOf(commandId);
        const step = state.steps.get(key);
        if (step === undefined) return;
        state.steps.delete(key);
        if (captureContent && typeof event.data['text'] === 'string') step.span.setAttribute('conclave.answer', event.data['text']);
        step.span.end(new Date(event.at));
        return;
      }
      default:
        return;
    }
  };

  return {
    tracer,
    captureContext: () => api.context.active(),
    observe(events, appendContext) {
      for (const event of events) observeOne(event, appendContext);
    },
    async shutdown() {
      const now = new Date();
      for (const state of sessions.values()) {
        for (const span of state.calls.values()) span.end(now);
        for (const step of state.steps.values()) step.span.end(now);
        state.turn?.end(now);
      }
      sessions.clear();
      await provider.shutdown();
    },
  };
}
