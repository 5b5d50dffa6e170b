// The offline `scripted` model: replies and tool calls come from a YAML script, chosen by the last
// user message and the tool round; tool calls are made only while tools are offered.
import { describe, expect, it } from 'vitest';
import { createOfflineAdapter, offlineProvider } from '../../providers/offline/offline-provider.js';
import type { GenerateRequest, Message, StreamPart } from '../../src/protocol/index.js';

const script = 'test/fixtures/scripted-coder.yaml';
const tools = [{ name: 'write_file', inputSchema: {} }, { name: 'bash', inputSchema: {} }];

async function generate(request: GenerateRequest): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of createOfflineAdapter().generate(request, { signal: new AbortController().signal, attempt: 1 })) parts.push(part);
  return parts;
}

describe('offline/scripted', () => {
  it('replays the script round by round, with tool calls', async () => {
    const messages: Message[] = [{ role: 'user', content: 'Please write hello.txt' }];
    const first = await generate({ model: `scripted?script=${script}`, messages, tools });
    expect(first).toContainEqual({ type: 'text-delta', delta: 'I will write the file.' });
    expect(first).toContainEqual({ type: 'tool-call', toolCallId: 'call_0_0', toolName: 'write_file', input: { path: 'hello.txt', content: 'hi\n' } });
    expect(first.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });

    messages.push({ role: 'assistant', content: 'I will write the file.', toolCalls: [{ toolCallId: 'call_0_0', toolName: 'write_file', input: {} }] }, { role: 'tool', toolCallId: 'call_0_0', toolName: 'write_file', content: 'ok' });
    const second = await generate({ model: `scripted?script=${script}`, messages, tools });
    expect(second).toContainEqual({ type: 'tool-call', toolCallId: 'call_1_0', toolName: 'bash', input: { command: 'cat hello.txt' } });

    messages.push({ role: 'assistant', content: '', toolCalls: [{ toolCallId: 'call_1_0', toolName: 'bash', input: {} }] }, { role: 'tool', toolCallId: 'call_1_0', toolName: 'bash', content: 'hi' });
    const third = await generate({ model: `scripted?script=${script}`, messages, tools });
    expect(third).toContainEqual({ type: 'text-delta', delta: 'Wrote hello.txt.' });
    expect(third.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('makes no tool call when no tools are offered, and answers JSON requests from the script', async () => {
    const parts = await generate({ model: `scripted?script=${script}`, messages: [{ role: 'user', content: 'Please write hello.txt' }] });
    expect(parts.some((part) => part.type === 'tool-call')).toBe(false);
    const critic = await generate({ model: `scripted?script=${script}`, messages: [{ role: 'user', content: 'Review this' }], responseFormat: { type: 'json' } });
    expect(critic).toContainEqual({ type: 'text-delta', delta: '{"verdict": "approve", "feedback": "fine"}' });
  });

  it('needs a script, and says when the file is missing', async () => {
    expect(offlineProvider.validateModel('scripted')).toContain('needs script=');
    const parts = await generate({ model: 'scripted?script=nowhere.yaml', messages: [{ role: 'user', content: 'hi' }] });
    expect(parts).toContainEqual({ type: 'text-delta', delta: expect.stringContaining('script "nowhere.yaml" not found') });
  });
});
