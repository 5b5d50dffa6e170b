// An emulator of Ollama's `POST /api/chat` on 127.0.0.1: NDJSON streaming (one chat chunk per line,
// then a `done: true` line with `done_reason` and token counts) and the non-streamed JSON answer,
// driven by the shared `EmulatorReply` script — time to first token, tokens per second, tool calls,
// and every failure kind: status errors with Ollama's `{ "error": … }` body and `retry-after`, a
// reset socket, a stream cut after some lines, a line that is not JSON, and silence before the
// headers or after some lines. Requests are recorded.
// Pacing follows `emulator-pacing.ts`: headers go out at once, content line `i` (a token or the tool
// calls) at arrival + `ttftMs` + `i / tokensPerSecond`, and the `done` line right after the last one.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sleepUntil, tokenSchedule, type TokenSchedule } from './emulator-pacing.js';
import type { EmulatorReply, RecordedRequest, WireEmulator } from './emulator-script.js';

const defaultText = 'Hello from the Ollama emulator.';

const statusMessages: Record<number, string> = {
  400: 'invalid request',
  401: 'unauthorized',
  429: 'too many requests, please retry later',
  500: 'llama runner process has terminated',
  503: 'server busy, please try again. maximum pending requests exceeded',
  529: 'overloaded',
};

/** Word-ish pieces of a text, each keeping its trailing space, so joined they give the text back. */
function splitIntoTokens(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
}

function countWords(value: unknown): number {
  return (JSON.stringify(value ?? '').match(/[A-Za-z0-9]+/g) ?? []).length;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

interface ChatPlan {
  model: string;
  reply: EmulatorReply;
  tokens: string[];
  toolCalls: Array<{ id: string; function: { index: number; name: string; arguments: Record<string, unknown> } }>;
  usage: { inputTokens: number; outputTokens: number };
}

function planChat(body: unknown, reply: EmulatorReply): ChatPlan {
  const record = (typeof body === 'object' && body !== null ? body : {}) as { model?: unknown; messages?: unknown };
  const text = reply.text ?? (reply.toolCalls !== undefined && reply.toolCalls.length > 0 ? '' : defaultText);
  const tokens = splitIntoTokens(text);
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({ id: call.id, function: { index, name: call.name, arguments: call.input } }));
  return {
    model: typeof record.model === 'string' ? record.model : 'unknown',
    reply,
    tokens,
    toolCalls,
    usage: reply.usage ?? { inputTokens: countWords(record.messages), outputTokens: tokens.length + toolCalls.length },
  };
}

function contentLine(plan: ChatPlan, content: string, toolCalls?: ChatPlan['toolCalls']): string {
  const message = { role: 'assistant', content, ...(toolCalls !== undefined ? { tool_calls: toolCalls } : {}) };
  return JSON.stringify({ model: plan.model, created_at: new Date().toISOString(), message, done: false });
}

function doneFields(plan: ChatPlan): Record<string, unknown> {
  return {
    done: true,
    done_reason: plan.reply.finishReason ?? 'stop',
    total_duration: 1_000_000,
    load_duration: 100_000,
    prompt_eval_count: plan.usage.inputTokens,
    prompt_eval_duration: 200_000,
    eval_count: plan.usage.outputTokens,
    eval_duration: 700_000,
  };
}

/** Every NDJSON line of a streamed answer: one per token, one with the tool calls, the done line. */
function streamLines(plan: ChatPlan): string[] {
  const lines = plan.tokens.map((token) => contentLine(plan, token));
  if (plan.toolCalls.length > 0) lines.push(contentLine(plan, '', plan.toolCalls));
  lines.push(JSON.stringify({ model: plan.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '' }, ...doneFields(plan) }));
  return lines;
}

function write(response: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed) resolve();
    else response.write(data, () => resolve());
  });
}

async function sendStream(response: ServerResponse, plan: ChatPlan, schedule: TokenSchedule): Promise<void> {
  const lines = streamLines(plan);
  // Every line but the last (`done`) carries a token or the tool calls, and is paced.
  const contentLines = lines.length - 1;
  const fail = plan.reply.fail;
  const stopAt = fail?.kind === 'cut' || fail?.kind === 'malformed' || fail?.kind === 'stall' ? Math.min(fail.afterChunks ?? 0, lines.length) : lines.length;
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  response.flushHeaders();
  for (let index = 0; index < stopAt; index += 1) {
    await (index < contentLines ? schedule.untilToken(index) : sleepUntil(schedule.firstTokenAt));
    if (response.destroyed) return;
    await write(response, `${lines[index]}\n`);
  }
  if (fail?.kind === 'stall') return; // silence, the connection open
  if (fail?.kind === 'cut') {
    response.socket?.destroy();
  } else if (fail?.kind === 'malformed') {
    await write(response, `{"model":"${plan.model}","message":{"role":"assistant","content":\n`);
    response.end();
  } else {
    response.end();
  }
}

async function sendJson(response: ServerResponse, plan: ChatPlan): Promise<void> {
  const message = { role: 'assistant', content: plan.tokens.join(''), ...(plan.toolCalls.length > 0 ? { tool_calls: plan.toolCalls } : {}) };
  const text = JSON.stringify({ model: plan.model, created_at: new Date().toISOString(), message, ...doneFields(plan) });
  const fail = plan.reply.fail;
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  if (fail?.kind === 'cut') {
    await write(response, text.slice(0, Math.floor(text.length / 2)));
    response.socket?.destroy();
  } else if (fail?.kind === 'malformed') {
    response.end(text.slice(0, Math.floor(text.length / 2)));
  } else {
    response.end(text);
  }
}

async function handleChat(request: IncomingMessage, response: ServerResponse, body: unknown, reply: EmulatorReply, receivedAt: number): Promise<void> {
  const fail = reply.fail;
  if (fail?.kind === 'reset') {
    request.socket.destroy();
    return;
  }
  // No headers, ever: the connection stays open until the client gives up or the emulator closes.
  if (fail?.kind === 'stall' && fail.afterChunks === undefined) return;
  if (fail?.kind === 'status') {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (fail.retryAfterSeconds !== undefined) headers['retry-after'] = String(fail.retryAfterSeconds);
    response.writeHead(fail.status, headers);
    response.end(JSON.stringify({ error: fail.message ?? statusMessages[fail.status] ?? 'error' }));
    return;
  }
  const plan = planChat(body, reply);
  const schedule = tokenSchedule(reply, receivedAt);
  const streamed = (body as { stream?: unknown } | undefined)?.stream !== false; // Ollama streams by default
  if (streamed) {
    await sendStream(response, plan, schedule);
    return;
  }
  await sleepUntil(schedule.firstTokenAt);
  if (response.destroyed) return;
  await sendJson(response, plan);
}

/**
 * Starts an Ollama emulator on a free port of 127.0.0.1.
 *
 * @example
 * const emulator = await createOllamaEmulator();
 * emulator.enqueue({ text: 'Hi there.', usage: { inputTokens: 5, outputTokens: 2 } });
 * const client = new Ollama({ host: emulator.baseUrl });
 * // … then: await emulator.close();
 */
export async function createOllamaEmulator(): Promise<WireEmulator> {
  const queue: EmulatorReply[] = [];
  const requests: RecordedRequest[] = [];
  let openResponses = 0;
  let unfinishedResponses = 0;
  const server = createServer((request, response) => {
    // The reply's clock starts when the request arrives, before its body is read.
    const receivedAt = performance.now();
    openResponses += 1;
    response.on('close', () => {
      openResponses -= 1;
      if (!response.writableFinished) unfinishedResponses += 1;
    });
    void (async () => {
      const body = await readBody(request);
      const path = request.url ?? '/';
      requests.push({ method: request.method ?? 'GET', path, headers: { ...request.headers }, body });
      if (request.method === 'POST' && path === '/api/chat') {
        await handleChat(request, response, body, queue.shift() ?? {}, receivedAt);
      } else if (request.method === 'GET' && path === '/') {
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Ollama is running');
      } else {
        response.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: '404 page not found' }));
      }
    })().catch(() => {
      if (!response.destroyed) response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    get openResponses() {
      return openResponses;
    },
    get unfinishedResponses() {
      return unfinishedResponses;
    },
    enqueue(...replies: EmulatorReply[]): void {
      queue.push(...replies);
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
    },
  };
}
