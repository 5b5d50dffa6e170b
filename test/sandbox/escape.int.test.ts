// The escape suite: every way out of a bubblewrap jail an agent is likely to try, each asserting
// containment — the host file still unread and unchanged, the connection never made, the process
// count bounded as the host sees it — not merely that nothing crashed. Small limits keep it fast.
// Nothing here is timed: which limit ended a command is read from its result (a wall-time kill says
// so, a refused connection or a memory error reads differently), and a command that a limit should
// have ended but did not runs into a wall-time limit or the test's own timeout.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import type { Sandbox } from '../../src/protocol/index.js';
import { createBubblewrapDriver } from '../../src/sandbox/index.js';
import { describeWithBubblewrap } from './bubblewrap-gate.js';

const limits = { wallTimeMs: 2_000, cpuSeconds: 1, memoryBytes: 64 * 1024 * 1024, processes: 32, outputBytes: 64 * 1024 };
const runningAsRoot = process.getuid?.() === 0;
const sandboxUserId = runningAsRoot ? 65534 : (process.getuid?.() ?? -1);
const signal = new AbortController().signal;

describeWithBubblewrap('bubblewrap escape suite', () => {
  let hostDirectory: string;
  let hostFiles: string;
  let canary: string;
  let sessionNumber = 0;
  const open: Sandbox[] = [];

  beforeAll(() => {
    hostDirectory = mkdtempSync(join(tmpdir(), 'conclave-escape-'));
    chmodSync(hostDirectory, 0o711); // the sandbox user has to get through to the workspaces
    // World-readable and world-writable on purpose: only the jail may stand in the way.
    hostFiles = mkdtempSync(join(tmpdir(), 'conclave-escape-host-'));
    chmodSync(hostFiles, 0o777);
    canary = join(hostFiles, 'canary.txt');
    writeFileSync(canary, 'host secret\n');
    chmodSync(canary, 0o666);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((sandbox) => sandbox.dispose()));
  });

  afterAll(() => {
    rmSync(hostDirectory, { recursive: true, force: true });
    rmSync(hostFiles, { recursive: true, force: true });
  });

  const workspaceRoot = (): string => join(hostDirectory, 'workspaces');
  const provision = async (network = false, sandboxLimits = limits): Promise<{ sandbox: Sandbox; directory: string }> => {
    const sessionId = `escape-${++sessionNumber}`;
    const sandbox = await createBubblewrapDriver({ workspaceRoot: workspaceRoot() }).provision({ sessionId, network, limits: sandboxLimits });
    open.push(sandbox);
    return { sandbox, directory: join(workspaceRoot(), sessionId) };
  };
  const bash = (sandbox: Sandbox, command: string): Promise<string> => sandbox.execute('bash', { command }, { signal });
  const tool = (sandbox: Sandbox, name: string, input: Record<string, unknown>): Promise<string> => sandbox.execute(name, input, { signal });
  const hostFilesUnchanged = (): void => {
    expect(readdirSync(hostFiles)).toEqual(['canary.txt']);
    expect(readFileSync(canary, 'utf8')).toBe('host secret\n');
  };

  it('cannot read a host file outside the workspace, by any tool', async () => {
    const { sandbox } = await provision();
    expect(await bash(sandbox, `cat ${canary}`)).toMatch(/^Error: command failed\ncat: .*No such file or directory/);
    expect(await bash(sandbox, `ls ${hostFiles}`)).toMatch(/^Error: command failed\nls: .*No such file or directory/);
    expect(await tool(sandbox, 'read_file', { path: canary })).toBe(`Error: could not read ${canary}: no such file: ${canary}`);
    expect(await tool(sandbox, 'grep', { pattern: 'secret', path: hostFiles })).toBe(`Error: grep failed: no such file or directory: ${hostFiles}`);
    expect(await tool(sandbox, 'list_files', { pattern: '*', path: hostFiles })).toBe(`Error: could not list files: no such directory: ${hostFiles}`);
    expect(await bash(sandbox, 'cat /etc/shadow /etc/passwd /root/.bashrc 2>&1; ls /home /root /var /sys 2>&1; true')).not.toMatch(/root:|secret/);
  });

  it('cannot write outside the workspace: not the system, not a host directory by its path, not through ../', async () => {
    const { sandbox, directory } = await provision();
    // A host directory outside /tmp (which is the jail's own tmpfs) and outside the workspace.
    const hostDirectoryFile = join('/var/tmp', `conclave-escape-planted-${process.pid}.txt`);
    for (const command of ['echo x > /usr/x', 'echo x > /etc/x', 'echo x > /x', 'echo x > ../x', 'mkdir ../escape', `echo x > ${join(hostFiles, 'planted.txt')}`, `echo x > ${canary}`, `echo x > ${hostDirectoryFile}`]) {
      expect(await bash(sandbox, command), command).toMatch(/^Error: command failed\n.*(Read-only file system|No such file or directory)/);
    }
    expect(await tool(sandbox, 'write_file', { path: '../x', content: 'x' })).toBe('Error: could not write ../x: ../x: Read-only file system');
    expect(await tool(sandbox, 'write_file', { path: '/usr/lib/x', content: 'x' })).toBe('Error: could not write /usr/lib/x: /usr/lib/x: Read-only file system');
    expect(await tool(sandbox, 'write_file', { path: hostDirectoryFile, content: 'x' })).toMatch(/^Error: could not write .*: mkdir: cannot create directory .*: Read-only file system$/);
    // The jail's /tmp is its own, emptied after every call: a host /tmp path made there reaches nothing.
    const planted = join(hostFiles, 'planted.txt');
    expect(await tool(sandbox, 'write_file', { path: planted, content: 'x' })).toBe(`Wrote 1 bytes to ${planted}`);
    expect(await bash(sandbox, `cat ${planted}`)).toMatch(/No such file or directory/);
    expect(existsSync('/usr/x') || existsSync('/x') || existsSync('/usr/lib/x') || existsSync(hostDirectoryFile)).toBe(false);
    expect(readdirSync(workspaceRoot())).toEqual([directory.split('/').at(-1)]);
    hostFilesUnchanged();
  });

  it('cannot reach a server on the host loopback', async () => {
    let connections = 0;
    const server: Server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const { sandbox } = await provision();
      // Refused at once: a connection left hanging would end at the wall-time limit and say so.
      expect(await bash(sandbox, `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`)).toMatch(/^Error: command failed\n.*Connection refused/);
      expect(connections).toBe(0);
      const { sandbox: networked } = await provision(true);
      expect(await bash(networked, `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`)).toBe('connected\n');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('cannot reach an outside address or resolve a name, and fails fast instead of hanging', async () => {
    const { sandbox } = await provision();
    // Failing fast is the error itself: a connect or a lookup left waiting would be killed at the
    // 2 s wall-time limit (well before a resolver's own timeouts) and read "command timed out".
    expect(await bash(sandbox, 'exec 3<>/dev/tcp/1.1.1.1/80 && echo connected')).toMatch(/^Error: command failed\n.*Network is unreachable/);
    expect(await bash(sandbox, 'getent hosts example.com')).toMatch(/^Error: command failed\n\[exit code 2\]$/);
    expect(await bash(sandbox, 'ls /sys/class/net 2>&1; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "')).toMatch(/No such file or directory\nlo\n$/);
  });

  it('contains a fork bomb with the process limit and the wall time; the host is fine afterwards', async () => {
    const { sandbox } = await provision();
    let largest = 0;
    const sampler = setInterval(() => {
      largest = Math.max(largest, largestSandboxPidNamespace(sandboxUserId));
    }, 100);
    const result = await bash(sandbox, ':(){ :|:& };:; sleep 30');
    clearInterval(sampler);
    expect(result).toMatch(/^Error: command timed out after 2000 ms \(the wall-time limit\) and was killed/);
    expect(largest).toBeGreaterThan(limits.processes / 2);
    expect(largest).toBeLessThanOrEqual(limits.processes);
    // The kill takes the whole pid namespace: its processes go as the kernel reaps them (looked for
    // until they have, not after a guessed pause). Left alive they would sleep on for 30 s.
    await vi.waitFor(() => expect(largestSandboxPidNamespace(sandboxUserId)).toBeLessThan(limits.processes / 2), { timeout: 10_000, interval: 50 });
    expect(spawnSync('true').status).toBe(0);
    expect(await bash(sandbox, 'echo alive')).toBe('alive\n');
  });

  it('kills a memory bomb with the memory limit', async () => {
    // A wall-time limit far above what filling 64 MiB takes even on a busy machine, so the memory
    // limit is what ends it; a wall-time kill would read "command timed out".
    const { sandbox } = await provision(false, { ...limits, wallTimeMs: 60_000 });
    expect(await bash(sandbox, 'head -c 4G /dev/zero | tail')).toMatch(/^Error: command failed\ntail: memory exhausted\n\[exit code 1\]$/);
  });

  const withPython = existsSync('/usr/bin/python3') ? it : (title: string, test: () => Promise<void>) => it.skip(`${title} (skipped: no /usr/bin/python3 here)`, test);
  withPython('kills a Python memory bomb with the memory limit', async () => {
    const { sandbox } = await provision();
    expect(await bash(sandbox, 'python3 -c "b = bytearray(512 * 1024 * 1024)"')).toMatch(/^Error: command failed\n(.|\n)*MemoryError/);
  });

  it('kills an endless loop at the CPU-time limit', async () => {
    // A wall-time limit far above the CPU limit, so that on a busy machine (where 1 s of CPU takes
    // more than 2 s of wall time) the CPU limit is still what ends the loop; the result names it.
    const { sandbox } = await provision(false, { ...limits, wallTimeMs: 60_000 });
    expect(await bash(sandbox, 'while :; do :; done')).toBe('Error: command failed\n[exit code 152: killed by SIGXCPU, the CPU-time limit of 1 s]');
  });

  it('cuts a 1 GB output flood at the output limit, at once, without the memory of the caller growing', async () => {
    // At once: the cap kills the command, flood and all. Read to its end (or left to finish after
    // the cap), it would go on to the minute's sleep, past this 60 s wall-time limit and the
    // test's 30 s timeout.
    const { sandbox } = await provision(false, { ...limits, wallTimeMs: 60_000 });
    const before = process.memoryUsage().rss;
    const result = await bash(sandbox, 'yes | head -c 1G; sleep 60');
    expect(Buffer.byteLength(result)).toBe(limits.outputBytes + `\n[output truncated at ${limits.outputBytes} bytes]`.length);
    expect(result.endsWith(`y\n\n[output truncated at ${limits.outputBytes} bytes]`)).toBe(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("cannot see the host's environment or its processes", async () => {
    process.env['CONCLAVE_ESCAPE_CANARY'] = 'escape-environment-canary';
    try {
      const { sandbox } = await provision();
      const environment = await bash(sandbox, "env; for file in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $file; done");
      expect(environment).not.toContain('escape-environment-canary');
      expect(environment.split('\n').filter((line) => line.includes('=')).map((line) => line.split('=')[0]).sort()).toEqual(
        expect.arrayContaining(['HOME', 'LANG', 'PATH', 'TERM']),
      );
      expect(await bash(sandbox, 'env | cut -d= -f1 | sort -u | tr "\\n" " "')).toBe('HOME LANG PATH PWD SHLVL TERM _ ');
      const pids = (await bash(sandbox, 'ls /proc | grep -E "^[0-9]+$"')).trim().split('\n').map(Number);
      expect(pids.length).toBeLessThan(6);
      expect(pids).not.toContain(process.pid);
      expect(await bash(sandbox, `ls /proc/${process.pid}`)).toMatch(/^Error: command failed\nls: .*No such file or directory/);
    } finally {
      delete process.env['CONCLAVE_ESCAPE_CANARY'];
    }
  });

  it('cannot read through a symbolic link pointing out of the workspace, and dispose does not follow it', async () => {
    const { sandbox, directory } = await provision();
    expect(await bash(sandbox, 'ln -s /etc/shadow x && cat x')).toMatch(/^Error: command failed\ncat: x: No such file or directory/);
    expect(await bash(sandbox, `ln -s ${canary} y && ln -s ${hostFiles} z && echo linked`)).toBe('linked\n');
    expect(await tool(sandbox, 'read_file', { path: 'y' })).toBe('Error: could not read y: no such file: y');
    expect(await tool(sandbox, 'write_file', { path: 'y', content: 'overwritten' })).toMatch(/^Error: could not write y: .*No such file or directory/);
    expect(await tool(sandbox, 'edit_file', { path: 'y', old_string: 'host', new_string: 'jail' })).toBe('Error: could not read y: no such file: y');
    expect(await tool(sandbox, 'grep', { pattern: 'secret', path: 'z' })).toBe('Error: grep failed: no such file or directory: z');
    expect(readlinkSync(join(directory, 'y'))).toBe(canary);
    await sandbox.dispose();
    expect(existsSync(directory)).toBe(false);
    hostFilesUnchanged();
  });

  it('gains no privilege: unprivileged uid, no capabilities, setuid binaries and namespaces refused', async () => {
    const { sandbox, directory } = await provision();
    expect(await bash(sandbox, 'id -u; id -g')).toBe(`${sandboxUserId}\n${runningAsRoot ? 65534 : process.getgid?.()}\n`);
    expect(await bash(sandbox, 'grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)" /proc/self/status')).toBe(
      'CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n',
    );
    expect(await bash(sandbox, '/usr/bin/su -c "id -u" root; echo "exit $?"; id -u')).toMatch(new RegExp(`exit [1-9]\\d*\\n${sandboxUserId}\\n$`));
    expect(await bash(sandbox, 'mkdir -p m && mount -t tmpfs none m')).toMatch(/^Error: command failed\n/);
    expect(await bash(sandbox, 'unshare -r id -u')).toMatch(/^Error: command failed\nunshare: unshare failed/);
    expect(await bash(sandbox, 'unshare -U -n true')).toMatch(/^Error: command failed\nunshare: unshare failed/);
    if (runningAsRoot) {
      // A setuid-root binary in the workspace (as a seed might carry) runs without its setuid.
      copyFileSync('/usr/bin/id', join(directory, 'id-setuid'));
      chownSync(join(directory, 'id-setuid'), 0, 0);
      chmodSync(join(directory, 'id-setuid'), 0o4755);
      expect(await bash(sandbox, './id-setuid')).toMatch(/^uid=65534 gid=65534 groups=65534\n$/);
    }
  });

  it('sees only its own /dev, no /sys, and a read-only root', async () => {
    const { sandbox } = await provision();
    expect(await bash(sandbox, 'ls /dev | tr "\\n" " "')).toBe('core fd full null ptmx pts random shm stderr stdin stdout tty urandom zero ');
    expect(await bash(sandbox, 'ls /')).toMatch(/^bin\ndev\netc\n(lib\n)*(lib64\n)?mnt\nproc\n(sbin\n)?tmp\nusr\nworkspace\n$/);
    expect(await bash(sandbox, 'echo x > /dev/evil')).toMatch(/Read-only file system/);
    // /mnt holds only the link of session resources into the workspace; nothing else can be written there.
    expect(await bash(sandbox, 'ls /mnt; readlink /mnt/session')).toBe('session\n/workspace/mnt/session\n');
    expect(await bash(sandbox, 'echo x > /mnt/evil')).toMatch(/Read-only file system/);
    expect(await bash(sandbox, 'head -c 100M /dev/zero > /tmp/fill')).toMatch(/^Error: command failed\n.*No space left on device/);
  });
});

/** The largest number of processes of `userId` sharing one pid namespace, as the host sees them. */
function largestSandboxPidNamespace(userId: number): number {
  const sizes = new Map<string, number>();
  const ownNamespace = readlinkSync('/proc/self/ns/pid');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (uid !== String(userId)) continue;
      const namespace = readlinkSync(`/proc/${entry}/ns/pid`);
      if (namespace === ownNamespace) continue;
      sizes.set(namespace, (sizes.get(namespace) ?? 0) + 1);
    } catch {
      // The process ended while we looked.
    }
  }
  return Math.max(0, ...sizes.values());
}
