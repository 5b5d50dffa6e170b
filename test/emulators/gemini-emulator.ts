// A local emulator of the Gemini API's content-generation wire protocol, for tests that drive the
// official `@google/genai` SDK over real HTTP. It serves `POST /{version}/models/{model}:generateContent`
// (one JSON `GenerateContentResponse`) and `:streamGenerateContent?alt=sse` (SSE `data:` frames, one
// text token per frame, then the function calls; the last frame carries `finishReason` and
// `usageMetadata`, as Gemini sends them). Each request takes the next scripted `EmulatorReply`:
// pacing (`ttftMs`, `tokensPerSecond`) and every failure kind — HTTP errors with Google's
// `{ error: { code, message, status } }` body and `retry-after`, a reset socket, a cut stream, a
// frame that is not JSON, and silence before the headers or after some frames. Requests are recorded (path with model and query, headers, parsed body).
// Pacing follows `emulator-pacing.ts`: headers go out at once and frame `i` (every frame carries a
// token or the function calls) at arrival + `ttftMs` + `i / tokensPerSecond`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sleepFor, sleepUntil, tokenSchedule } from './emulator-pacing.js';
import type { EmulatorFailure, EmulatorReply, RecordedRequest, WireEmulator } from './emulator-script.js';

const defaultReply: EmulatorReply = { text: 'Hello from the Gemini emulator.' };
const routePattern = /^\/(v1|v1beta|v1alpha)\/models\/([^/:?]+):(generateContent|streamGenerateContent)(\?.*)?$/;

/** Google's canonical status names for the HTTP statuses an emulator can be told to send. */
const googleStatusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  529: 'UNAVAILABLE',
};

type GeminiPart = { text: string } | { functionCall: { name: string; args: Record<string, unknown> } };

interface GeminiFrame {
  candidates: Array<{ content: { role: 'model'; parts: GeminiPart[] }; finishReason?: string; index: 0 }>;
  usageMetadata?: { promptTokenCount: number; candidatesTokenCount: number; totalTokenCount: number; cachedContentTokenCount?: number };
  modelVersion: string;
}

function splitTokens(text: string): string[] {
  return text.match(/\s*\S+\s*|\s+/g) ?? [];
}

function countWords(value: unknown): number {
  if (typeof value === 'string') return splitTokens(value).length;
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + countWords(item), 0);
  if (value !== null && typeof value === 'object') {
    return Object.values(value as Record<string, unknown>).reduce<number>((sum, item) => sum + countWords(item), 0);
  }
  return 0;
}

/** The frames of one reply, in order; the last carries the finish reason and the usage. */
function framesOf(reply: EmulatorReply, model: string, requestBody: unknown): GeminiFrame[] {
  const tokens = splitTokens(reply.text ?? '');
  const partsPerFrame: GeminiPart[][] = tokens.map((token) => [{ text: token }]);
  if (reply.toolCalls !== undefined && reply.toolCalls.length > 0) {
    partsPerFrame.push(reply.toolCalls.map((call) => ({ functionCall: { name: call.name, args: call.input } })));
  }
  if (partsPerFrame.length === 0) partsPerFrame.push([{ text: '' }]);
  const body = requestBody as { contents?: unknown; systemInstruction?: unknown } | undefined;
  const promptTokenCount = reply.usage?.inputTokens ?? countWords([body?.contents, body?.systemInstruction]);
  const candidatesTokenCount = reply.usage?.outputTokens ?? tokens.length;
  return partsPerFrame.map((parts, index) => {
    const frame: GeminiFrame = { candidates: [{ content: { role: 'model', parts }, index: 0 }], modelVersion: model };
    if (index === partsPerFrame.length - 1) {
      frame.candidates[0]!.finishReason = reply.finishReason ?? 'STOP';
      frame.usageMetadata = { promptTokenCount, candidatesTokenCount, totalTokenCount: promptTokenCount + candidatesTokenCount };
      // Gemini's implicit cache: the part of the prompt it served from cache.
      if (reply.usage?.cacheReadTokens !== undefined) frame.usageMetadata.cachedContentTokenCount = reply.usage.cacheReadTokens;
    }
    return frame;
  });
}

/** All frames of a reply folded into the one response of the non-streaming endpoint. */
function mergeFrames(frames: GeminiFrame[]): GeminiFrame {
  const last = frames[frames.length - 1]!;
  const parts: GeminiPart[] = [];
  for (const frame of frames) {
    for (const part of frame.candidates[0]!.content.parts) {
      const previous = parts[parts.length - 1];
      if ('text' in part && previous !== undefined && 'text' in previous) previous.text += part.text;
      else parts.push({ ...part });
    }
  }
  return { ...last, candidates: [{ ...last.candidates[0]!, content: { role: 'model', parts } }] };
}

function sendStatusFailure(response: ServerResponse, failure: Extract<EmulatorFailure, { kind: 'status' }>): void {
  const status = googleStatusNames[failure.status] ?? 'UNKNOWN';
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
  if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
  const message = failure.message ?? `emulated HTTP ${failure.status}`;
  response.writeHead(failure.status, headers);
  response.end(JSON.stringify({ error: { code: failure.status, message, status } }));
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export interface GeminiEmulator extends WireEmulator {
  /** Replies still waiting for a request. */
  readonly pending: number;
}

/**
 * Starts the emulator on 127.0.0.1 with a free port. Hand `baseUrl` to the SDK as `httpOptions.baseUrl`.
 *
 * @example
 * const emulator = await startGeminiEmulator();
 * emulator.enqueue({ text: 'Hi there', finishReason: 'STOP', usage: { inputTokens: 3, outputTokens: 2 } });
 * const ai = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: emulator.baseUrl } });
 * // … ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hello' })
 * await emulator.close();
 */
export async function startGeminiEmulator(): Promise<GeminiEmulator> {
  const queue: EmulatorReply[] = [];
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
    const body = await readBody(request);
    requests.push({ method: request.method ?? 'GET', path: request.url ?? '', headers: { ...request.headers }, body });
    const route = routePattern.exec(request.url ?? '');
    if (request.method !== 'POST' || route === null) {
      sendStatusFailure(response, { kind: 'status', status: 400, message: `no route for ${request.method} ${request.url}` });
      return;
    }
    const model = route[2]!;
    const streaming = route[3] === 'streamGenerateContent';
    const reply = queue.shift() ?? defaultReply;
    const failure = reply.fail;
    if (failure?.kind === 'status') return sendStatusFailure(response, failure);
    if (failure?.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    // No headers, ever: the connection stays open until the client gives up or the emulator closes.
    if (failure?.kind === 'stall' && failure.afterChunks === undefined) return;

    let closed = false;
    response.on('close', () => {
      closed = true;
    });
    const frames = framesOf(reply, model, body);
    const schedule = tokenSchedule(reply, receivedAt);

    if (!streaming) {
      await sleepUntil(schedule.firstTokenAt);
      if (closed) return;
      const json = JSON.stringify(mergeFrames(frames));
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      if (failure?.kind === 'cut') {
        response.write(json.slice(0, Math.floor(json.length / 2)));
        response.socket?.destroy();
      } else if (failure?.kind === 'malformed') {
        response.end(json.slice(0, Math.floor(json.length / 2)));
      } else {
        response.end(json);
      }
      return;
    }

    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    // Headers go out before the first frame, so that a cut after zero frames is a cut stream, not a reset.
    response.flushHeaders();
    for (let index = 0; index < frames.length; index += 1) {
      if (closed) return;
      if ((failure?.kind === 'cut' || failure?.kind === 'malformed') && index === failure.afterChunks) break;
      if (failure?.kind === 'stall' && index === failure.afterChunks) return; // silence, the connection open
      await schedule.untilToken(index);
      if (closed) return;
      response.write(`data: ${JSON.stringify(frames[index])}\r\n\r\n`);
    }
    if (failure?.kind === 'cut') {
      // Let the frames already written reach the client before the connection drops.
      await sleepFor(20);
      response.socket?.destroy();
      return;
    }
    if (failure?.kind === 'malformed') response.write('data: {"candidates": [{"content": {"parts": [{"text": "unterminated\r\n\r\n');
    response.end();
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    get pending() {
      return queue.length;
    },
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
