// Session tools over a sandbox driver: provisioned on the first call only, reused, replaced after a
// crash (the crash is the failing call's error result), and a missing sandbox stops the session.
import { describe, expect, it } from 'vitest';
import { createSandboxTools } from '../../src/kernel/index.js';
import { ConclaveError, type Sandbox, type SandboxDriver } from '../../src/protocol/index.js';

function fakeDriver(behaviour: (sandboxNumber: number, command: string) => string): SandboxDriver & { provisioned: number; disposed: number } {
  const driver = {
    specificationVersion: 'v1' as const,
    name: 'fake',
    isolated: true,
    provisioned: 0,
    disposed: 0,
    async provision(): Promise<Sandbox> {
      driver.provisioned += 1;
      const number = driver.provisioned;
      return {
        id: `sandbox-${number}`,
        execute: async (_name, input) => behaviour(number, String(input['command'])),
        dispose: async () => {
          driver.disposed += 1;
        },
      };
    },
  };
  return driver;
}

const signal = new AbortController().signal;
const bash = { name: 'bash', inputSchema: { type: 'object' } };
const call = (command: string) => ({ toolCallId: command, toolName: 'bash', input: { command } });

describe('createSandboxTools', () => {
  it('provisions on the first call, reuses the sandbox, and replaces it after a crash', async () => {
    const driver = fakeDriver((number, command) => {
      if (command === 'crash') throw new ConclaveError('sandbox_failed', 'the jail died');
      return `ran ${command} in sandbox ${number}`;
    });
    const tools = createSandboxTools({ driver, spec: { sessionId: 's1', network: false }, definitions: [bash] });
    expect(await tools.definitionsFor(['bash', 'unknown'])).toEqual([bash]);
    expect(driver.provisioned).toBe(0);
    expect(await tools.execute(call('ls'), signal)).toEqual({ output: 'ran ls in sandbox 1', isError: false });
    expect(await tools.execute(call('pwd'), signal)).toEqual({ output: 'ran pwd in sandbox 1', isError: false });
    expect(await tools.execute(call('crash'), signal)).toEqual({ output: 'Error: the jail died', isError: true });
    expect(driver.disposed).toBe(1);
    expect(await tools.execute(call('ls'), signal)).toEqual({ output: 'ran ls in sandbox 2', isError: false });
    await tools.dispose();
    expect(driver.disposed).toBe(2);
  });

  it('answers an unknown tool with an error naming the tools', async () => {
    const tools = createSandboxTools({ driver: fakeDriver(() => 'x'), spec: { sessionId: 's', network: false }, definitions: [bash] });
    expect(await tools.execute({ toolCallId: 'c', toolName: 'rm_rf', input: {} }, signal)).toEqual({ output: 'Error: unknown tool "rm_rf"; the tools are bash', isError: true });
  });

  it('stops the session when no sandbox can exist here', async () => {
    const driver: SandboxDriver = {
      specificationVersion: 'v1',
      name: 'bubblewrap',
      isolated: true,
      provision: async () => {
        throw new ConclaveError('sandbox_unavailable', 'bubblewrap is not installed', { hint: 'apt-get install bubblewrap' });
      },
    };
    const tools = createSandboxTools({ driver, spec: { sessionId: 's', network: false }, definitions: [bash] });
    await expect(tools.execute(call('ls'), signal)).rejects.toMatchObject({ code: 'sandbox_unavailable' });
  });
});
