// What a test asks of a wire-protocol emulator for its next request. Every emulator (Anthropic
// Messages, OpenAI Chat Completions, Gemini, Ollama) implements the same control surface, so the
// one provider conformance suite drives all of them.

export type EmulatorFailure =
  | { kind: 'status'; status: 400 | 401 | 429 | 500 | 503 | 529; retryAfterSeconds?: number; message?: string }
  | { kind: 'reset' } // close the socket before any response
  | { kind: 'cut'; afterChunks: number } // stream some chunks, then destroy the connection
  | { kind: 'malformed'; afterChunks: number } // stream some chunks, then one that is not valid JSON
  // Accept the request and go silent, keeping the connection open: without `afterChunks`, before
  // any header; with it, after the headers and that many chunks (streaming replies).
  | { kind: 'stall'; afterChunks?: number };

export interface EmulatorReply {
  text?: string;
  toolCalls?: Array<{ id: string; name: string; input: Record<string, unknown> }>;
  /**
   * Token counts to report. `inputTokens` is the whole prompt; the cache counts are the parts of it
   * read from and written to the prompt cache, each reported in the provider's own fields.
   */
  usage?: { inputTokens: number; outputTokens: number; cacheReadTokens?: number; cacheWriteTokens?: number };
  /** Provider-native finish reason to send (e.g. 'max_tokens', 'length', 'MAX_TOKENS'). */
  finishReason?: string;
  ttftMs?: number;
  tokensPerSecond?: number;
  /** Applied before anything else is sent (or after `afterChunks` for cut/malformed). */
  fail?: EmulatorFailure;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface WireEmulator {
  /** Base URL to hand to the SDK (`baseURL` / `host`). */
  readonly baseUrl: string;
  /** Replies for the next requests, in order; when empty, a default text reply. */
  enqueue(...replies: EmulatorReply[]): void;
  readonly requests: RecordedRequest[];
  /** Responses whose connection is still open (a client that gives up on a silent server closes its own). */
  readonly openResponses: number;
  /**
   * Responses whose connection closed before the emulator had sent all of them: the client hung up,
   * or a scripted failure (reset, cut, stall) cut them.
   */
  readonly unfinishedResponses: number;
  close(): Promise<void>;
}
