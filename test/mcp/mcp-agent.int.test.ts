// An agent using an MCP server's tool through the kernel, as `conclave run` wires it: the tool is
// offered as `<server>__<tool>`, the call goes to the server over stdio, and it is journaled as a
// `tool.execute` command like a built-in tool.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { Kernel } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createSessionToolsFactory } from '../../src/presets/session-tools.js';
import { createMemoryStore } from '../../src/store/index.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixturePath = fileURLToPath(new URL('./fixtures/echo-server.ts', import.meta.url));
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-mcp-agent-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('an agent with MCP tools', () => {
  it('calls the server tool and journals it like a built-in', async () => {
    const script = join(directory, 'script.yaml');
    await writeFile(script, ['- round: 0', '  tool_calls: [{ name: echo__echo, input: { text: hello over mcp } }]', '- text: the server answered'].join('\n'));
    const registry = createDefaultRegistry();
    const document = parseTopologyDocument(
      [
        'topology: pipeline',
        'task: Say hello through the echo server.',
        'mcp_servers:',
        `  - { name: echo, command: ${JSON.stringify(process.execPath)}, args: [--import, tsx, ${JSON.stringify(fixturePath)}], cwd: ${JSON.stringify(repositoryRoot)} }`,
        'agents:',
        `  - { name: caller, model: "offline/scripted?script=${script}", tools: [echo__echo] }`,
      ].join('\n'),
      { registry },
    );
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry, sessionTools: createSessionToolsFactory({ workspaceRoot: join(directory, 'workspaces') }) });
    const result = await kernel.run(document);
    expect(result.answer).toBe('the server answered');
    const events = await store.read(result.sessionId);
    const tool = events.find((event) => event.type === 'command.completed' && event.data['kind'] === 'tool.execute');
    expect(tool?.data['output']).toEqual({ result: expect.stringContaining('hello over mcp'), isError: false });
    const started = events.find((event) => event.type === 'command.started' && event.data['kind'] === 'tool.execute');
    expect(started?.data['input']).toMatchObject({ tool: 'echo__echo', input: { text: 'hello over mcp' } });
  }, 30_000);
});
