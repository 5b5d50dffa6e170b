/**
 * The `fetch` handed to the Ollama SDK for one call. The SDK only offers `client.abort()` (every
 * stream of a client at once) and reads NDJSON leniently — it logs and drops a line that is not
 * JSON, and it forgets the `retry-after` header of an error response. This wrapper fixes all three
 * at the edge: it merges the call's AbortSignal into the SDK's own, records the response status and
 * retry headers, and passes an NDJSON body through line by line, failing the body stream with a
 * `MalformedOllamaLineError` at the first line that is not JSON and noting an `{ "error": … }` line
 * (Ollama's way of failing mid-stream) and whether the final `done` line arrived.
 */

/** What the wrapper learned about the call's HTTP exchange. */
export interface OllamaExchange {
  /** Set once response headers arrived. */
  response?: { status: number; retryAfter: string | null; retryAfterMs: string | null };
  /** Message of an `{ "error": … }` line inside a streamed body. */
  streamError?: string;
  /** Whether a line with `done: true` passed. */
  sawDone: boolean;
}

/** A streamed line that is not JSON; fails the body stream so the SDK cannot skip it. */
export class MalformedOllamaLineError extends Error {
  override readonly name = 'MalformedOllamaLineError';
  constructor(readonly line: string) {
    super(`Ollama sent a line that is not JSON: ${line.length > 120 ? `${line.slice(0, 120)}…` : line}`);
  }
}

function inspectLine(line: string, exchange: OllamaExchange): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new MalformedOllamaLineError(line);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new MalformedOllamaLineError(line);
  const record = parsed as Record<string, unknown>;
  if (typeof record['error'] === 'string') exchange.streamError = record['error'];
  if (record['done'] === true) exchange.sawDone = true;
}

/**
 * A pass-through for an NDJSON body that forwards only whole, valid lines.
 *
 * @example
 * const checked = response.body.pipeThrough(createNdjsonLineCheck(exchange));
 */
export function createNdjsonLineCheck(exchange: OllamaExchange): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = '';
  const forward = (text: string, controller: TransformStreamDefaultController<Uint8Array>, final: boolean): void => {
    const lines = text.split('\n');
    buffer = final ? '' : (lines.pop() ?? '');
    for (const line of lines) {
      if (line.trim() === '') continue;
      inspectLine(line, exchange);
      controller.enqueue(encoder.encode(`${line}\n`));
    }
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      forward(buffer + decoder.decode(chunk, { stream: true }), controller, false);
    },
    flush(controller) {
      forward(buffer + decoder.decode(), controller, true);
    },
  });
}

/**
 * Wraps `fetch` for one call: the call's signal aborts the request, and the exchange records the
 * status, retry headers and NDJSON checks.
 *
 * @example
 * const exchange: OllamaExchange = { sawDone: false };
 * const client = new Ollama({ host, fetch: createOllamaFetch(signal, exchange) });
 */
export function createOllamaFetch(signal: AbortSignal, exchange: OllamaExchange, baseFetch: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const merged = init?.signal ? AbortSignal.any([signal, init.signal]) : signal;
    const response = await baseFetch(input, { ...init, signal: merged });
    exchange.response = {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      retryAfterMs: response.headers.get('retry-after-ms'),
    };
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.ok || response.body === null || !contentType.includes('ndjson')) return response;
    return new Response(response.body.pipeThrough(createNdjsonLineCheck(exchange)), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
