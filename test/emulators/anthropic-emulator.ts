/**
 * A local emulator of Anthropic's Messages API (`POST /v1/messages`), so the Anthropic adapter is
 * tested through the official SDK over real HTTP. It answers with non-stream JSON or, for
 * `stream: true`, with the real server-sent event sequence: `message_start` (input usage),
 * `content_block_start`, `ping`, `content_block_delta` (`text_delta` about one per word,
 * `input_json_delta` with `partial_json` fragments), `content_block_stop`, `message_delta`
 * (stop reason, output usage) and `message_stop`, each framed as `event: <type>\ndata: <json>\n\n`.
 *
 * Replies follow the shared `EmulatorReply` script: time to first token, tokens per second, and
 * every failure kind (an HTTP status with Anthropic's error body and `retry-after`, a reset socket,
 * a stream cut after some events, a malformed event, silence before the headers or after some events). Every request is recorded before any failure.
 * Pacing follows `emulator-pacing.ts`: the events that carry no content (`message_start`,
 * `content_block_start`, `ping`) go out at once, delta `i` at arrival + `ttftMs` + `i / tokensPerSecond`,
 * and the closing events right after the last delta.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sleepUntil, tokenSchedule } from './emulator-pacing.js';
import type { EmulatorReply, RecordedRequest, WireEmulator } from './emulator-script.js';

/** Anthropic's error `type` for each status the script can ask for. */
const errorTypeByStatus: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  503: 'api_error',
  529: 'overloaded_error',
};

const defaultReply: EmulatorReply = { text: 'Hello from the Anthropic emulator.' };

/** Characters per `input_json_delta` fragment, small so that tool inputs arrive in several pieces. */
const jsonFragmentLength = 7;

interface ContentBlock {
  start: Record<string, unknown>;
  deltas: Array<Record<string, unknown>>;
}

export interface AnthropicEmulator extends WireEmulator {
  /** Number of requests that were cut, reset or otherwise closed by the emulator. */
  readonly failuresSent: number;
}

/** Splits text into word-sized tokens that keep their trailing whitespace. */
function splitWords(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function splitFragments(json: string): string[] {
  const fragments = [''];
  for (let index = 0; index < json.length; index += jsonFragmentLength) fragments.push(json.slice(index, index + jsonFragmentLength));
  return fragments;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A rough token count of the request, used when the script gives no usage. */
function estimateInputTokens(body: unknown): number {
  return Math.max(1, splitWords(JSON.stringify((body as { messages?: unknown } | null)?.messages ?? '')).length);
}

function contentBlocksOf(reply: EmulatorReply): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  if (reply.text !== undefined && reply.text !== '') {
    blocks.push({
      start: { type: 'text', text: '' },
      deltas: splitWords(reply.text).map((word) => ({ type: 'text_delta', text: word })),
    });
  }
  for (const call of reply.toolCalls ?? []) {
    blocks.push({
      start: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      deltas: splitFragments(JSON.stringify(call.input)).map((fragment) => ({ type: 'input_json_delta', partial_json: fragment })),
    });
  }
  return blocks;
}

function stopReasonOf(reply: EmulatorReply): string {
  return reply.finishReason ?? ((reply.toolCalls?.length ?? 0) > 0 ? 'tool_use' : 'end_turn');
}

function messageId(sequence: number): string {
  return `msg_emulated_${String(sequence).padStart(6, '0')}`;
}

/**
 * Starts the emulator on 127.0.0.1 with a free port.
 *
 * @example
 * const emulator = await startAnthropicEmulator();
 * emulator.enqueue({ text: 'Hi there', usage: { inputTokens: 3, outputTokens: 2 } });
 * const client = new Anthropic({ baseURL: emulator.baseUrl, apiKey: 'test-key', maxRetries: 0 });
 * // … client.messages.create({ …, stream: true }) …
 * await emulator.close();
 */
export async function startAnthropicEmulator(): Promise<AnthropicEmulator> {
  const queue: EmulatorReply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let failuresSent = 0;
  let openResponses = 0;
  let unfinishedResponses = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // The reply's clock starts when the request arrives, before its body is read.
    const receivedAt = performance.now();
    openResponses += 1;
    response.on('close', () => {
      openResponses -= 1;
      if (!response.writableFinished) unfinishedResponses += 1;
    });
    const raw = await readBody(request);
    const body = parseJson(raw);
    requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', headers: { ...request.headers }, body });

    if (request.method !== 'POST' || !(request.url ?? '').startsWith('/v1/messages')) {
      sendError(response, 404, `no route for ${request.method ?? '?'} ${request.url ?? '?'}`);
      return;
    }
    const reply = queue.shift() ?? defaultReply;
    const fail = reply.fail;
    if (fail?.kind === 'reset') {
      failuresSent += 1;
      request.socket.destroy();
      return;
    }
    if (fail?.kind === 'stall' && fail.afterChunks === undefined) {
      // No headers, ever: the connection stays open until the client gives up or the emulator closes.
      failuresSent += 1;
      return;
    }
    if (fail?.kind === 'status') {
      failuresSent += 1;
      const headers: Record<string, string> = {};
      if (fail.retryAfterSeconds !== undefined) headers['retry-after'] = String(fail.retryAfterSeconds);
      sendError(response, fail.status, fail.message ?? `scripted ${fail.status}`, headers);
      return;
    }

    const sequence = requests.length;
    const model = typeof (body as { model?: unknown }).model === 'string' ? (body as { model: string }).model : 'claude-emulated';
    const blocks = contentBlocksOf(reply);
    // Anthropic's `input_tokens` counts only what came after the last cache breakpoint.
    const cacheRead = reply.usage?.cacheReadTokens ?? 0;
    const cacheWrite = reply.usage?.cacheWriteTokens ?? 0;
    const inputTokens = (reply.usage?.inputTokens ?? estimateInputTokens(body)) - cacheRead - cacheWrite;
    const outputTokens = reply.usage?.outputTokens ?? blocks.reduce((sum, block) => sum + block.deltas.length, 0);
    const stopReason = stopReasonOf(reply);
    const schedule = tokenSchedule(reply, receivedAt);

    if ((body as { stream?: unknown }).stream !== true) {
      await sleepUntil(schedule.firstTokenAt);
      sendJson(response, 200, {
        id: messageId(sequence),
        type: 'message',
        role: 'assistant',
        model,
        content: [
          ...(reply.text !== undefined && reply.text !== '' ? [{ type: 'text', text: reply.text }] : []),
          ...(reply.toolCalls ?? []).map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.input })),
        ],
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead },
      });
      return;
    }

    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_emulated_${sequence}` });
    let closed = false;
    response.on('close', () => {
      closed = true;
    });
    let framesSent = 0;
    let tokensSent = 0;

    /** Writes one frame, or fails as scripted; false when the stream must stop. */
    const send = (type: string, data: Record<string, unknown>): boolean => {
      if (closed) return false;
      if (fail?.kind === 'stall' && framesSent >= (fail.afterChunks ?? 0)) {
        // Silence with the connection open (the headers go out even when no frame has).
        failuresSent += 1;
        closed = true;
        response.flushHeaders();
        return false;
      }
      if ((fail?.kind === 'cut' || fail?.kind === 'malformed') && framesSent >= fail.afterChunks) {
        failuresSent += 1;
        closed = true;
        if (fail.kind === 'cut') {
          // Let the frames already written reach the client, then drop the connection mid-body.
          const socket = response.socket;
          response.write('', () => socket?.destroy());
        } else {
          response.end(`event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\n\n`);
        }
        return false;
      }
      response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      framesSent += 1;
      return true;
    };

    const started = send('message_start', {
      message: {
        id: messageId(sequence),
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead },
      },
    });
    if (!started) return;
    for (const [index, block] of blocks.entries()) {
      if (!send('content_block_start', { index, content_block: block.start })) return;
      if (index === 0 && !send('ping', {})) return;
      for (const delta of block.deltas) {
        await schedule.untilToken(tokensSent);
        tokensSent += 1;
        if (!send('content_block_delta', { index, delta })) return;
      }
      if (!send('content_block_stop', { index })) return;
    }
    if (blocks.length === 0 && !send('ping', {})) return;
    // A reply without a single delta still finishes no earlier than its time to first token.
    if (tokensSent === 0) await sleepUntil(schedule.firstTokenAt);
    if (!send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } })) return;
    if (!send('message_stop', {})) return;
    response.end();
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, `emulator failure: ${String(error)}`);
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    get failuresSent() {
      return failuresSent;
    },
    get openResponses() {
      return openResponses;
    },
    get unfinishedResponses() {
      return unfinishedResponses;
    },
    enqueue(...replies: EmulatorReply[]) {
      queue.push(...replies);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, { type: 'error', error: { type: errorTypeByStatus[status] ?? 'api_error', message } }, headers);
}
