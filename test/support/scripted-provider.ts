// A provider for kernel tests: each call is answered by a function of the request, so a test can
// script replies, failures and hangs, and count exactly which calls reached the provider.
import { ConclaveError, type GenerateRequest, type ProviderAdapter, type ProviderModule, type StreamPart, type ToolCall } from '../../src/protocol/index.js';

export type ScriptedReply = string | ConclaveError | { hang: true } | { delayMs: number; text: string } | { text?: string; toolCalls: ToolCall[] };

export interface ScriptedCall {
  request: GenerateRequest;
  attempt: number;
  lastUserMessage: string;
  /** The call's abort signal, so a test can see that an interrupt reached the call itself. */
  signal: AbortSignal;
}

export interface ScriptedProvider {
  module: ProviderModule;
  calls: ScriptedCall[];
  /** Releases every hung call with an error. */
  releaseHung(): void;
}

export function createScriptedProvider(respond: (call: ScriptedCall) => ScriptedReply, name = 'script'): ScriptedProvider {
  const calls: ScriptedCall[] = [];
  const hung: Array<() => void> = [];
  const adapter: ProviderAdapter = {
    specificationVersion: 'v1',
    provider: name,
    simulated: true,
    price: () => ({ inputPerMillion: 1, outputPerMillion: 2 }),
    async *generate(request, options): AsyncIterable<StreamPart> {
      const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
      const call: ScriptedCall = { request, attempt: options.attempt, lastUserMessage: lastUser?.content ?? '', signal: options.signal };
      calls.push(call);
      const reply = respond(call);
      yield { type: 'stream-start', model: request.model, simulated: true };
      if (reply instanceof ConclaveError) {
        yield { type: 'error', error: reply.toJSON() };
        return;
      }
      if (typeof reply === 'object' && 'hang' in reply) {
        await new Promise<void>((resolve) => {
          hung.push(resolve);
          options.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        yield { type: 'error', error: new ConclaveError('provider_connection', 'released').toJSON() };
        return;
      }
      if (typeof reply === 'object' && 'toolCalls' in reply) {
        if (reply.text !== undefined && reply.text !== '') yield { type: 'text-delta', delta: reply.text };
        for (const toolCall of reply.toolCalls) yield { type: 'tool-call', ...toolCall };
        yield { type: 'usage', usage: { inputTokens: 10, outputTokens: 5 } };
        yield { type: 'finish', finishReason: 'tool-calls' };
        return;
      }
      let text = reply as string;
      if (typeof reply === 'object') {
        await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        text = reply.text;
      }
      yield { type: 'text-delta', delta: text };
      yield { type: 'usage', usage: { inputTokens: 10, outputTokens: text.split(/\s+/).length } };
      yield { type: 'finish', finishReason: 'stop' };
    },
  };
  return {
    calls,
    releaseHung: () => hung.splice(0).forEach((resolve) => resolve()),
    module: {
      specificationVersion: 'v1',
      name,
      description: 'scripted test provider',
      simulated: true,
      defaultModels: [],
      validateModel: () => undefined,
      create: () => adapter,
    },
  };
}
