/**
 * The one conformance suite every sandbox driver runs (bubblewrap, unisolated). Each case is
 * behaviour the agent loop relies on: tools run in a workspace that persists across calls and goes
 * away on dispose, failures and limits come back as `Error: ` strings within the limit, an abort
 * ends a call at once, and a crashed call leaves the sandbox usable. Containment cases run only for
 * drivers whose capabilities claim that containment; the others are skipped with the reason.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox, SandboxDriver, SandboxSpec } from '../../src/protocol/index.js';

export interface SandboxDriverConformanceInit {
  name: string;
  /** A driver keeping its workspaces under `workspaceRoot`. */
  create(options: { workspaceRoot: string }): SandboxDriver;
  /** Releases anything `create` made beyond the workspaces (the suite removes those). */
  destroy?(driver: SandboxDriver): Promise<void>;
  capabilities: {
    /** Host files, environment and processes outside the workspace are invisible to tools. */
    isolated: boolean;
    /** Tools cannot open connections unless the spec allows network. */
    networkIsolated: boolean;
    /** The process-count limit binds (a fork bomb is contained). */
    processLimit: boolean;
    /** The workspace as tools see it (`pwd`), given its host directory. */
    workspacePath(hostDirectory: string): string;
  };
}

/** Small limits, so that every limit case ends in about two seconds at most. */
export const conformanceLimits = { wallTimeMs: 2_000, cpuSeconds: 1, memoryBytes: 64 * 1024 * 1024, processes: 32, outputBytes: 64 * 1024 };

/** The wall-time limit of the CPU-limit case: out of the CPU limit's way, under the 30 s test timeout. */
const cpuCaseWallTimeMs = 25_000;

const notIsolated = 'the driver does not isolate tools from the host (isolated: false)';

/**
 * Registers the sandbox driver conformance suite for one driver.
 *
 * @example
 * describeSandboxDriverConformance({
 *   name: 'unisolated',
 *   create: ({ workspaceRoot }) => createUnisolatedDriver({ workspaceRoot }),
 *   capabilities: { isolated: false, networkIsolated: false, processLimit: false, workspacePath: (directory) => directory },
 * });
 */
export function describeSandboxDriverConformance(init: SandboxDriverConformanceInit): void {
  describe(`sandbox driver conformance: ${init.name}`, () => {
    let hostDirectory: string;
    let workspaceRoot: string;
    let driver: SandboxDriver;
    let sessionNumber = 0;
    const open: Sandbox[] = [];
    const signal = new AbortController().signal;

    beforeAll(() => {
      hostDirectory = mkdtempSync(join(tmpdir(), `conclave-conformance-${init.name}-`));
      chmodSync(hostDirectory, 0o755);
      workspaceRoot = join(hostDirectory, 'workspaces');
      driver = init.create({ workspaceRoot });
    });

    afterEach(async () => {
      await Promise.all(open.splice(0).map((sandbox) => sandbox.dispose()));
    });

    afterAll(async () => {
      await init.destroy?.(driver);
      rmSync(hostDirectory, { recursive: true, force: true });
    });

    const newSessionId = (): string => `${init.name}-session-${++sessionNumber}`;
    const provision = async (spec: Partial<SandboxSpec> = {}): Promise<{ sandbox: Sandbox; sessionId: string; directory: string }> => {
      const sessionId = spec.sessionId ?? newSessionId();
      const sandbox = await driver.provision({ sessionId, network: false, limits: conformanceLimits, ...spec });
      open.push(sandbox);
      return { sandbox, sessionId, directory: join(workspaceRoot, sessionId) };
    };
    const bash = (sandbox: Sandbox, command: string, options: { signal?: AbortSignal } = {}): Promise<string> =>
      sandbox.execute('bash', { command }, { signal: options.signal ?? signal });
    const caseIf = (capable: boolean, reason: string) => (title: string, test: () => Promise<void>, timeoutMs?: number) => {
      if (capable) it(title, test, timeoutMs);
      else it.skip(`${title} (skipped: ${reason})`, test);
    };

    it('states its specification version, its name and whether it isolates', () => {
      expect(driver.specificationVersion).toBe('v1');
      expect(driver.name).toBe(init.name);
      expect(driver.isolated).toBe(init.capabilities.isolated);
    });

    it('runs bash in the workspace and returns its output', async () => {
      const { sandbox, directory } = await provision();
      expect(await bash(sandbox, 'pwd; echo "hello $HOME"')).toBe(`${init.capabilities.workspacePath(directory)}\nhello ${init.capabilities.workspacePath(directory)}\n`);
      expect(await bash(sandbox, 'true')).toBe('(no output)');
    });

    it('reports a failing command as an error with its output and an exit code footer', async () => {
      const { sandbox } = await provision();
      const result = await bash(sandbox, 'echo partial; echo broken >&2; exit 3');
      expect(result).toBe('Error: command failed\npartial\nbroken\n[exit code 3]');
    });

    it('keeps the workspace across calls and removes it on dispose', async () => {
      const { sandbox, directory } = await provision();
      expect(await sandbox.execute('write_file', { path: 'notes/a.txt', content: 'first\n' }, { signal })).toBe('Wrote 6 bytes to notes/a.txt');
      expect(await bash(sandbox, 'echo second >> notes/a.txt; cat notes/a.txt')).toBe('first\nsecond\n');
      expect(readFileSync(join(directory, 'notes/a.txt'), 'utf8')).toBe('first\nsecond\n');
      await sandbox.dispose();
      expect(existsSync(directory)).toBe(false);
      await expect(bash(sandbox, 'true')).rejects.toMatchObject({ code: 'sandbox_failed' });
    });

    it('keeps the workspace on dispose when the spec says so, and a new sandbox of the session finds it', async () => {
      const { sandbox, directory, sessionId } = await provision({ keepWorkspace: true });
      await bash(sandbox, 'echo kept > kept.txt');
      await sandbox.dispose();
      expect(readFileSync(join(directory, 'kept.txt'), 'utf8')).toBe('kept\n');
      const { sandbox: again } = await provision({ sessionId });
      expect(await bash(again, 'cat kept.txt')).toBe('kept\n');
    });

    it('seeds a new workspace by copying the seed directory', async () => {
      const seed = join(hostDirectory, 'seed');
      mkdirSync(join(seed, 'src'), { recursive: true });
      writeFileSync(join(seed, 'src', 'main.py'), 'print("hi")\n');
      const { sandbox } = await provision({ seedDirectory: seed });
      expect(await bash(sandbox, 'cat src/main.py && echo changed > src/main.py')).toBe('print("hi")\n');
      expect(readFileSync(join(seed, 'src', 'main.py'), 'utf8')).toBe('print("hi")\n');
      // Seeding from a directory that holds the workspaces themselves copies everything else.
      const { sandbox: fromAbove } = await provision({ seedDirectory: hostDirectory });
      expect(await bash(fromAbove, 'ls -A; cat seed/src/main.py')).toBe('seed\nprint("hi")\n');
    });

    it("keeps two sessions' workspaces apart", async () => {
      const first = await provision();
      const second = await provision();
      await bash(first.sandbox, 'echo mine > only-first.txt');
      expect(await bash(second.sandbox, 'ls -A')).toBe('(no output)');
      expect(await second.sandbox.execute('read_file', { path: 'only-first.txt' }, { signal })).toMatch(/^Error: .*no such file/);
      expect(readdirSync(second.directory)).toEqual([]);
    });

    it('runs the file tools against the workspace', async () => {
      const { sandbox } = await provision();
      const run = (name: string, input: Record<string, unknown>): Promise<string> => sandbox.execute(name, input, { signal });
      expect(await run('write_file', { path: 'src/app.ts', content: 'const a = 1;\nconst b = 2;\n' })).toBe('Wrote 26 bytes to src/app.ts');
      expect(await run('edit_file', { path: 'src/app.ts', old_string: 'const b = 2;', new_string: 'const b = 3;' })).toBe('Edited src/app.ts: replaced 1 occurrence');
      expect(await run('read_file', { path: 'src/app.ts' })).toBe('     1\tconst a = 1;\n     2\tconst b = 3;');
      expect(await run('list_files', { pattern: '**/*.ts' })).toBe('src/app.ts');
      expect(await run('grep', { pattern: 'b = [0-9]' })).toBe('src/app.ts:2:const b = 3;');
    });

    it('answers an unknown tool and invalid input with errors that name them', async () => {
      const { sandbox } = await provision();
      expect(await sandbox.execute('rm_rf', {}, { signal })).toBe('Error: unknown tool "rm_rf"; the tools are bash, read_file, write_file, edit_file, list_files, grep, web_fetch, web_search');
      expect(await sandbox.execute('read_file', { path: 7 }, { signal })).toMatch(/^Error: invalid input for tool "read_file": path: /);
      expect(await sandbox.execute('bash', {}, { signal })).toMatch(/^Error: invalid input for tool "bash": command: /);
    });

    it('runs command tools with every input shell-quoted, after checking it against the schema', async () => {
      const say = { name: 'say', description: 'Print a message.', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] }, command: 'printf "%s|" {{message}}' };
      const { sandbox } = await provision({ commandTools: [say] });
      const message = `it's "quoted"; echo injected $(id -u) \`id\` *`;
      expect(await sandbox.execute('say', { message }, { signal })).toBe(`${message}|`);
      expect(await sandbox.execute('say', { message: 3 }, { signal })).toMatch(/^Error: invalid input for tool "say": message: /);
    });

    it('stops a command at the wall-time limit and says so', async () => {
      const { sandbox } = await provision();
      const value = await bash(sandbox, 'echo started; sleep 30');
      expect(value).toBe(`Error: command timed out after ${conformanceLimits.wallTimeMs} ms (the wall-time limit) and was killed\nstarted`);
    });

    it('honours a shorter timeout_ms than the wall-time limit', async () => {
      const { sandbox } = await provision();
      const value = await sandbox.execute('bash', { command: 'sleep 30', timeout_ms: 300 }, { signal });
      expect(value).toMatch(/^Error: command timed out after 300 ms/);
    });

    it('stops an endless loop at the CPU-time limit', async () => {
      // CPU time is not wall time: on a busy machine the loop gets a fraction of a core, and its one
      // CPU second takes several wall seconds. So the wall-time limit must not race the CPU limit here
      // (it is kept under the test's timeout only so that a CPU limit that never binds fails with a
      // clear message), and the SIGXCPU exit, not the elapsed time, shows which limit ended the loop.
      const { sandbox } = await provision({ limits: { ...conformanceLimits, wallTimeMs: cpuCaseWallTimeMs } });
      expect(await bash(sandbox, 'while :; do :; done')).toMatch(/^Error: command failed\n\[exit code 152: killed by SIGXCPU, the CPU-time limit of 1 s\]$/);
    });

    it('cuts an output flood at the output limit with a marker, at once', async () => {
      const { sandbox } = await provision();
      const value = await bash(sandbox, 'yes | head -c 1G');
      expect(value).toBe(`${'y\n'.repeat(conformanceLimits.outputBytes / 2)}\n[output truncated at ${conformanceLimits.outputBytes} bytes]`);
    });

    it('makes allocations past the memory limit fail', async () => {
      // The memory limit, not the clock, must end it even on a busy machine: a long wall-time limit.
      const { sandbox } = await provision({ limits: { ...conformanceLimits, wallTimeMs: cpuCaseWallTimeMs } });
      expect(await bash(sandbox, 'head -c 1M /dev/zero | tail | wc -c')).toBe('1048576\n');
      const result = await bash(sandbox, 'head -c 256M /dev/zero | tail | wc -c; exit ${PIPESTATUS[1]}');
      expect(result).toMatch(/^Error: command failed\n(.|\n)*memory exhausted/);
    });

    it('ends a call at once when the caller aborts, with an aborted error', async () => {
      const { sandbox } = await provision();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      // Without the abort, `sleep 30` would outlast the test's timeout: the rejection is the proof.
      await expect(bash(sandbox, 'sleep 30', { signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
      expect(await bash(sandbox, 'echo still usable')).toBe('still usable\n');
    });

    it('stops processes a command left in the background when it ends', async () => {
      const { sandbox, directory } = await provision();
      expect(await bash(sandbox, '(sleep 0.5; echo late > late.txt) > /dev/null 2>&1 & echo started')).toBe('started\n');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(existsSync(join(directory, 'late.txt'))).toBe(false);
    });

    it('answers a tool whose process was killed with an error, and runs the next call', async () => {
      const { sandbox } = await provision();
      expect(await bash(sandbox, 'echo before; kill -KILL $$')).toBe('Error: command failed\nbefore\n[exit code 137: killed by SIGKILL]');
      expect(await bash(sandbox, 'echo after')).toBe('after\n');
    });

    const ifIsolated = caseIf(init.capabilities.isolated, notIsolated);

    ifIsolated('cannot read or write host files outside the workspace, even world-readable and world-writable ones', async () => {
      const hostFiles = mkdtempSync(join(tmpdir(), 'conclave-host-'));
      // A host directory outside /tmp (a bubblewrap jail's own tmpfs) and outside the workspace.
      const hostDirectoryFile = join('/var/tmp', `conclave-conformance-${init.name}-planted-${process.pid}.txt`);
      try {
        chmodSync(hostFiles, 0o777);
        const canary = join(hostFiles, 'canary.txt');
        writeFileSync(canary, 'host secret\n', { mode: 0o644 });
        chmodSync(canary, 0o666);
        const { sandbox } = await provision();
        expect(await bash(sandbox, `cat ${canary}`)).toMatch(/^Error: command failed\ncat: .*No such file or directory/);
        expect(await sandbox.execute('read_file', { path: canary }, { signal })).toMatch(/^Error: could not read .*no such file/);
        expect(await bash(sandbox, `echo overwritten > ${canary}`)).toMatch(/^Error: /);
        expect(await bash(sandbox, `echo new > ${hostDirectoryFile}`)).toMatch(/^Error: /);
        expect(await sandbox.execute('write_file', { path: hostDirectoryFile, content: 'x' }, { signal })).toMatch(/^Error: could not write/);
        // Whatever a write to the host's temporary directory does in the sandbox, it must not land there.
        await sandbox.execute('write_file', { path: join(hostFiles, 'planted.txt'), content: 'x' }, { signal });
        expect(readFileSync(canary, 'utf8')).toBe('host secret\n');
        expect(readdirSync(hostFiles)).toEqual(['canary.txt']);
        expect(existsSync(hostDirectoryFile)).toBe(false);
      } finally {
        rmSync(hostFiles, { recursive: true, force: true });
        rmSync(hostDirectoryFile, { force: true });
      }
    });

    ifIsolated("sees neither the host's environment nor its processes", async () => {
      process.env['CONCLAVE_CONFORMANCE_CANARY'] = 'host-environment-canary';
      try {
        const { sandbox } = await provision();
        const environment = await bash(sandbox, "env; cat /proc/1/environ | tr '\\0' '\\n'");
        expect(environment).not.toContain('host-environment-canary');
        const pids = (await bash(sandbox, 'ls /proc | grep -E "^[0-9]+$"')).trim().split('\n').map(Number);
        expect(pids).not.toContain(process.pid);
        expect(Math.max(...pids)).toBeLessThan(100);
      } finally {
        delete process.env['CONCLAVE_CONFORMANCE_CANARY'];
      }
    });

    caseIf(init.capabilities.networkIsolated, 'the driver does not isolate the network')('cannot connect to a server on the host loopback', async () => {
      const connections: number[] = [];
      const server: Server = createServer((socket) => {
        connections.push(1);
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const port = (server.address() as { port: number }).port;
        const value = await bash((await provision()).sandbox, `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`);
        expect(value).toMatch(/^Error: command failed\n(.|\n)*(Connection refused|Network is unreachable)/);
        expect(connections).toEqual([]);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    caseIf(init.capabilities.processLimit, 'the driver has no process-count limit')('contains a fork bomb within the process and wall-time limits', async () => {
      const { sandbox } = await provision();
      const value = await bash(sandbox, 'bomb() { bomb | bomb & }; bomb; sleep 30');
      expect(value).toMatch(/^Error: command timed out after 2000 ms/);
      expect(await bash(sandbox, 'echo alive')).toBe('alive\n');
    });
  });
}
