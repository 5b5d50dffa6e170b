/**
 * A local emulator of OpenAI's Chat Completions wire protocol (`POST /v1/chat/completions`), so the
 * official SDK can be tested over real HTTP: non-streaming JSON, `stream: true` server-sent events
 * ending in `data: [DONE]`, the `stream_options.include_usage` usage chunk, tool call deltas split
 * into `index` / `id` / `function.name` / `arguments` fragments, and every scripted failure of
 * `emulator-script.ts` (error bodies in OpenAI's `{ error: { message, type, code } }` shape, with a
 * `retry-after` header; silence before the headers or after some chunks). Every request is recorded
 * before its reply is decided.
 *
 * Pacing follows `emulator-pacing.ts`: headers and the opening `role` chunk go out at once, content
 * chunk `i` at arrival + `ttftMs` + `i / tokensPerSecond`, the finish and usage chunks right after
 * the last one.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { EmulatorFailure, EmulatorReply, RecordedRequest, WireEmulator } from './emulator-script.js';
import { sleepFor, sleepUntil, tokenSchedule, type TokenSchedule } from './emulator-pacing.js';

/** An OpenAI-specific reply: `rawChunks` are sent as-is as `data:` lines (then `[DONE]`), to test edge validation. */
export interface OpenAIEmulatorReply extends EmulatorReply {
  rawChunks?: unknown[];
}

export interface OpenAIEmulator extends WireEmulator {
  enqueue(...replies: OpenAIEmulatorReply[]): void;
}

const defaultReply: OpenAIEmulatorReply = { text: 'Hello from the OpenAI emulator.' };

const errorTypes: Record<number, { type: string; code: string }> = {
  400: { type: 'invalid_request_error', code: 'invalid_request' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
  500: { type: 'server_error', code: 'internal_error' },
  503: { type: 'server_error', code: 'overloaded' },
  529: { type: 'server_error', code: 'overloaded' },
};

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    request.on('data', (piece: Buffer) => pieces.push(piece));
    request.on('end', () => resolve(Buffer.concat(pieces).toString('utf8')));
    request.on('error', reject);
  });
}

/** Words with their trailing spaces, so that joining the pieces gives the text back. */
function splitWords(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Splits a string into pieces of at most `size` characters (tool call arguments arrive in fragments). */
function splitFragments(text: string, size: number): string[] {
  const fragments: string[] = [];
  for (let start = 0; start < text.length; start += size) fragments.push(text.slice(start, start + size));
  return fragments.length === 0 ? [''] : fragments;
}

function countPromptTokens(body: unknown): number {
  const messages = (body as { messages?: Array<{ content?: unknown }> } | undefined)?.messages ?? [];
  return messages.reduce((total, message) => total + (typeof message.content === 'string' ? splitWords(message.content).length : 0), 0);
}

function usageOf(reply: OpenAIEmulatorReply, body: unknown, completionChunks: number): Record<string, unknown> {
  const inputTokens = reply.usage?.inputTokens ?? countPromptTokens(body);
  const outputTokens = reply.usage?.outputTokens ?? completionChunks;
  const usage: Record<string, unknown> = { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
  if (reply.usage?.cacheReadTokens !== undefined) usage['prompt_tokens_details'] = { cached_tokens: reply.usage.cacheReadTokens };
  return usage;
}

function finishReasonOf(reply: OpenAIEmulatorReply): string {
  return reply.finishReason ?? ((reply.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop');
}

function sendError(response: ServerResponse, failure: Extract<EmulatorFailure, { kind: 'status' }>): void {
  const { type, code } = errorTypes[failure.status] ?? { type: 'server_error', code: 'error' };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
  response.writeHead(failure.status, headers);
  response.end(JSON.stringify({ error: { message: failure.message ?? `emulated HTTP ${failure.status}`, type, param: null, code } }));
}

/** One delta of a streamed reply; `token` marks the ones that carry content and are paced. */
interface PacedDelta {
  delta: Record<string, unknown>;
  token: boolean;
}

/**
 * The delta chunks of a streamed reply, before the finish and usage chunks. The opening role chunk
 * and each tool call's header carry no content: they go out without a token gap of their own.
 */
function deltaChunks(reply: OpenAIEmulatorReply): PacedDelta[] {
  const deltas: PacedDelta[] = [{ delta: { role: 'assistant', content: '' }, token: false }];
  for (const word of splitWords(reply.text ?? '')) deltas.push({ delta: { content: word }, token: true });
  for (const [index, call] of (reply.toolCalls ?? []).entries()) {
    deltas.push({ delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, token: false });
    for (const fragment of splitFragments(JSON.stringify(call.input), 8)) {
      deltas.push({ delta: { tool_calls: [{ index, function: { arguments: fragment } }] }, token: true });
    }
  }
  return deltas;
}

function completionJson(reply: OpenAIEmulatorReply, body: unknown, model: string, created: number): Record<string, unknown> {
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.input) },
  }));
  const message = { role: 'assistant', content: reply.text ?? null, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) };
  return {
    id: 'chatcmpl-emulated',
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(reply) }],
    usage: usageOf(reply, body, splitWords(reply.text ?? '').length),
  };
}

async function streamReply(
  request: IncomingMessage,
  response: ServerResponse,
  reply: OpenAIEmulatorReply,
  body: Record<string, unknown>,
  schedule: TokenSchedule,
): Promise<void> {
  let closed = false;
  response.on('close', () => {
    closed = true;
  });
  const model = typeof body.model === 'string' ? body.model : 'emulated-model';
  const created = Math.floor(Date.now() / 1000);
  const base = { id: 'chatcmpl-emulated', object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_emulated' };
  const delta = (deltaValue: Record<string, unknown>, finishReason: string | null = null): unknown => ({
    ...base,
    choices: [{ index: 0, delta: deltaValue, logprobs: null, finish_reason: finishReason }],
  });

  // Raw chunks are all paced as tokens; the finish and usage chunks follow the last token at once.
  const deltas = deltaChunks(reply);
  const chunks: Array<{ data: unknown; token: boolean }> = reply.rawChunks?.map((data) => ({ data, token: true })) ?? [
    ...deltas.map((value) => ({ data: delta(value.delta), token: value.token })),
    { data: delta({}, finishReasonOf(reply)), token: false },
  ];
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  if (reply.rawChunks === undefined && includeUsage) {
    chunks.push({ data: { ...base, choices: [], usage: usageOf(reply, body, deltas.length - 1) }, token: false });
  }
  const hasTokens = chunks.some((chunk) => chunk.token);

  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  response.flushHeaders();
  const fail = reply.fail;
  let tokensSent = 0;
  for (const [index, chunk] of chunks.entries()) {
    if (closed) return;
    if ((fail?.kind === 'cut' || fail?.kind === 'malformed') && index === fail.afterChunks) break;
    if (fail?.kind === 'stall' && index === fail.afterChunks) return; // silence, the connection open
    if (chunk.token) {
      await schedule.untilToken(tokensSent);
      tokensSent += 1;
    } else if (!hasTokens && index > 0) {
      // A reply without a single token still finishes no earlier than its time to first token.
      await sleepUntil(schedule.firstTokenAt);
    }
    if (closed) return;
    response.write(`data: ${JSON.stringify(chunk.data)}\n\n`);
  }
  if (fail?.kind === 'cut') {
    // Give the last chunks a moment to leave, then drop the connection without a terminating chunk.
    await sleepFor(20);
    request.socket.destroy();
    return;
  }
  if (fail?.kind === 'malformed') {
    response.write('data: {"id": "chatcmpl-emulated", "choices": [ this is not json\n\n');
  } else {
    response.write('data: [DONE]\n\n');
  }
  response.end();
}

/**
 * Starts an OpenAI Chat Completions emulator on 127.0.0.1 with a free port. Its `baseUrl` ends in
 * `/v1`, as the SDK's `baseURL` expects.
 *
 * @example
 * const emulator = await startOpenAIEmulator();
 * emulator.enqueue({ text: 'Hi there', usage: { inputTokens: 3, outputTokens: 2 } });
 * const client = new OpenAI({ baseURL: emulator.baseUrl, apiKey: 'test', maxRetries: 0 });
 * // … stream a completion, then inspect emulator.requests[0].body
 * await emulator.close();
 */
export async function startOpenAIEmulator(): Promise<OpenAIEmulator> {
  const queue: OpenAIEmulatorReply[] = [];
  const requests: RecordedRequest[] = [];
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
    const text = await readBody(request);
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Kept as the raw text in the recording; answered with a 400 below.
    }
    requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', headers: { ...request.headers }, body });

    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `unknown route ${request.method} ${request.url}`, type: 'invalid_request_error', code: 'not_found' } }));
      return;
    }
    if (body === null || typeof body !== 'object') {
      sendError(response, { kind: 'status', status: 400, message: 'the request body is not a JSON object' });
      return;
    }
    const reply = queue.shift() ?? defaultReply;
    const schedule = tokenSchedule(reply, receivedAt);
    const fail = reply.fail;
    if (fail?.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    // No headers, ever: the connection stays open until the client gives up or the emulator closes.
    if (fail?.kind === 'stall' && fail.afterChunks === undefined) return;
    if (fail?.kind === 'status') {
      await sleepUntil(schedule.firstTokenAt);
      sendError(response, fail);
      return;
    }
    const record = body as Record<string, unknown>;
    if (record.stream === true) {
      await streamReply(request, response, reply, record, schedule);
      return;
    }
    await sleepUntil(schedule.firstTokenAt);
    const model = typeof record.model === 'string' ? record.model : 'emulated-model';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(completionJson(reply, body, model, Math.floor(Date.now() / 1000))));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error), type: 'server_error', code: 'emulator_failure' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    get openResponses() {
      return openResponses;
    },
    get unfinishedResponses() {
      return unfinishedResponses;
    },
    enqueue(...replies: OpenAIEmulatorReply[]): void {
      queue.push(...replies);
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
