// A session's workspace, as the CLI wires it: created by the first tool call, kept across turns,
// removed when the session is deleted. Uses the unisolated driver, chosen by name in the document.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { Kernel } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createSessionToolsFactory, removeSessionWorkspace } from '../../src/presets/session-tools.js';
import { createMemoryStore } from '../../src/store/index.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-workspace-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('session workspaces', () => {
  it('persist across turns and go with the session (through a document tool)', async () => {
    const script = join(directory, 'script.yaml');
    await writeFile(script, ['- round: 0', '  tool_calls: [{ name: log_turn, input: { file: turns.log } }]', '- text: logged'].join('\n'));
    const registry = createDefaultRegistry();
    const document = parseTopologyDocument(
      [
        'topology: pipeline',
        'task: Log this turn.',
        'environment: { driver: unisolated }',
        // The document's own tool: a command template, its input shell-quoted into it.
        'tools: [{ name: log_turn, description: Append a line and count them, input_schema: { type: object, properties: { file: { type: string } }, required: [file] }, command: "date +%N >> {{file}}; wc -l < {{file}}" }]',
        'agents:',
        `  - { name: logger, model: "offline/scripted?script=${script}", tools: [log_turn] }`,
      ].join('\n'),
      { registry },
    );
    const workspaceRoot = join(directory, 'workspaces');
    const store = createMemoryStore();
    const kernel = new Kernel({
      store,
      registry,
      sessionTools: createSessionToolsFactory({ workspaceRoot }),
      onSessionDeleted: (sessionId) => removeSessionWorkspace(sessionId, { workspaceRoot }),
    });
    const first = await kernel.run(document);
    expect(first.answer).toBe('logged');
    await kernel.send(first.sessionId, { text: 'Log this turn too.' });
    const second = await kernel.start(first.sessionId);
    expect(second.turns).toBe(2);
    const events = await store.read(first.sessionId);
    const counts = events.filter((event) => event.type === 'command.completed' && event.data['kind'] === 'tool.execute').map((event) => String((event.data['output'] as { result: string }).result).trim());
    expect(counts).toEqual(['1', '2']);
    expect(await readdir(join(workspaceRoot, first.sessionId))).toEqual(['turns.log']);

    await kernel.delete(first.sessionId);
    expect(existsSync(join(workspaceRoot, first.sessionId))).toBe(false);
  });
});
