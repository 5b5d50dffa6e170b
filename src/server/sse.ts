/**
 * Server-sent events for hono routes. Both HTTP APIs stream a session's events this way: headers
 * flushed at once (the Anthropic SDK times out only until headers arrive, and proxies must not
 * buffer), `: ping` comments to keep idle connections open, frames that always carry an `event:`
 * line (the SDK drops frames without one), and an abort signal that tells the producer the client
 * has gone. Frames are written by hand rather than with `streamSSE` so the `id:` line comes first.
 */
import type { Context } from 'hono';
import { stream as honoStream } from 'hono/streaming';

/** One SSE frame. `data` that is not a string is sent as JSON. */
export interface SseFrame {
  event: string;
  data: unknown;
  /** Sent as `id:`; clients resume with it in `Last-Event-ID`. */
  id?: string | number;
}

/** What a stream's producer writes to. */
export interface SseSink {
  /** Writes one frame; resolves once it is handed to the connection (a no-op after the client left). */
  send(frame: SseFrame): Promise<void>;
  /** Writes a `: <text>` comment line, which clients ignore. */
  comment(text: string): Promise<void>;
  /** Aborted when the client disconnects; the producer should then return. */
  readonly closed: AbortSignal;
}

export interface SseStreamOptions {
  /** Interval of `: ping` comments; 0 or less sends none. */
  heartbeatMs: number;
  /** The frame sent when `run` throws, before the stream ends. Defaults to a Managed-Agents-style `error` frame. */
  errorFrame?: (error: unknown) => SseFrame;
}

/**
 * The frame for a producer that failed: `event: error` with the Managed Agents error shape, which
 * the Anthropic SDK turns into an `APIError`.
 *
 * @example
 * defaultErrorFrame(new Error('store closed'))
 * // → { event: 'error', data: { type: 'error', error: { type: 'api_error', message: 'store closed' } } }
 */
export function defaultErrorFrame(error: unknown): SseFrame {
  const message = error instanceof Error ? error.message : String(error);
  return { event: 'error', data: { type: 'error', error: { type: 'api_error', message } } };
}

function assertSingleLine(field: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new TypeError(`SSE ${field} must not contain a line break: ${JSON.stringify(value)}`);
}

/**
 * The text of one frame: `id:` (when given), `event:`, one `data:` line per line of data, and the
 * blank line that ends the frame.
 *
 * @example
 * formatSseFrame({ event: 'agent.message', data: { type: 'agent.message' }, id: 7 })
 * // → 'id: 7\nevent: agent.message\ndata: {"type":"agent.message"}\n\n'
 */
export function formatSseFrame(frame: SseFrame): string {
  assertSingleLine('event', frame.event);
  const text = typeof frame.data === 'string' ? frame.data : (JSON.stringify(frame.data) ?? 'null');
  let out = '';
  if (frame.id !== undefined) {
    assertSingleLine('id', String(frame.id));
    out += `id: ${frame.id}\n`;
  }
  out += `event: ${frame.event}\n`;
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/**
 * Answers the request with an event stream fed by `run`. The stream ends when `run` resolves (or,
 * after an error frame, when it throws); `sink.closed` aborts when the client goes away first.
 *
 * @example
 * app.get('/v1/sessions/:id/events/stream', (c) =>
 *   openSseStream(c, async (sink) => {
 *     for await (const event of follow(c.req.param('id'), sink.closed)) {
 *       await sink.send({ event: event.type, data: event, id: event.seq });
 *     }
 *   }, { heartbeatMs: 15_000 }),
 * );
 */
export function openSseStream(c: Context, run: (sink: SseSink) => Promise<void>, options: SseStreamOptions): Response {
  c.header('content-type', 'text/event-stream');
  c.header('cache-control', 'no-cache');
  c.header('connection', 'keep-alive');
  c.header('x-accel-buffering', 'no');
  return honoStream(c, async (api) => {
    const disconnected = new AbortController();
    const abort = (): void => disconnected.abort(new Error('the client closed the event stream'));
    // Either can come first: the response body is cancelled, or the request signal aborts.
    api.onAbort(abort);
    const requestSignal = c.req.raw.signal;
    if (requestSignal.aborted) abort();
    else requestSignal.addEventListener('abort', abort, { once: true });

    const write = async (text: string): Promise<void> => {
      if (!disconnected.signal.aborted) await api.write(text);
    };
    const sink: SseSink = {
      send: (frame) => write(formatSseFrame(frame)),
      comment: (text) => write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`),
      closed: disconnected.signal,
    };
    const heartbeat = options.heartbeatMs > 0 ? setInterval(() => void sink.comment('ping'), options.heartbeatMs) : undefined;
    try {
      await sink.comment('connected');
      await run(sink);
    } catch (error) {
      await sink.send((options.errorFrame ?? defaultErrorFrame)(error));
    } finally {
      if (heartbeat !== undefined) clearInterval(heartbeat);
      requestSignal.removeEventListener('abort', abort);
    }
  });
}
