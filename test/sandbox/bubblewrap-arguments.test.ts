// The jail's command line, pinned: which namespaces, which mounts, in which order. A change here
// changes what tools can reach, so it should show up in review as a change to this test.
import { describe, expect, it } from 'vitest';
import { buildBubblewrapArguments, resolveSandboxLimits } from '../../src/sandbox/index.js';

const debianLayout = [
  { kind: 'symlink' as const, path: '/bin', target: 'usr/bin' },
  { kind: 'symlink' as const, path: '/lib', target: 'usr/lib' },
  { kind: 'bind' as const, path: '/lib64' },
];

describe('bubblewrap arguments', () => {
  it('jails with every namespace, no capabilities, a scrubbed environment, read-only system and a writable workspace', () => {
    expect(buildBubblewrapArguments({ workspaceDirectory: '/srv/ws/s1', network: false, scratchBytes: 64 * 1024 * 1024 }, debianLayout)).toEqual([
      '--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--hostname', 'conclave',
      '--clearenv', '--setenv', 'PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--setenv', 'HOME', '/workspace', '--setenv', 'LANG', 'C.UTF-8', '--setenv', 'TERM', 'dumb',
      '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--ro-bind', '/lib64', '/lib64',
      '--ro-bind-try', '/etc/ld.so.cache', '/etc/ld.so.cache', '--ro-bind-try', '/etc/alternatives', '/etc/alternatives',
      '--proc', '/proc', '--dev', '/dev', '--size', '67108864', '--tmpfs', '/dev/shm', '--size', '67108864', '--tmpfs', '/tmp',
      '--bind', '/srv/ws/s1', '/workspace', '--symlink', '/workspace/mnt/session', '/mnt/session', '--remount-ro', '/dev', '--remount-ro', '/', '--chdir', '/workspace',
    ]);
  });

  it('keeps the network namespace and binds name resolution and certificates only when the session has network', () => {
    const networked = buildBubblewrapArguments({ workspaceDirectory: '/w', network: true, scratchBytes: 1 << 20, readOnlyPaths: ['/opt/toolchain'] }, []);
    expect(networked.slice(0, 2)).toEqual(['--unshare-all', '--share-net']);
    expect(networked.join(' ')).toContain('--ro-bind-try /etc/resolv.conf /etc/resolv.conf');
    expect(networked.join(' ')).toContain('--ro-bind-try /etc/ssl /etc/ssl');
    expect(networked.join(' ')).toContain('--ro-bind-try /opt/toolchain /opt/toolchain');
    const offline = buildBubblewrapArguments({ workspaceDirectory: '/w', network: false, scratchBytes: 1 << 20 }, []);
    expect(offline).not.toContain('--share-net');
    expect(offline).not.toContain('/etc/resolv.conf');
  });

  it('keeps its own network namespace with limited networking, binding only the proxy socket directory and setting the proxy variables', () => {
    const limited = buildBubblewrapArguments({ workspaceDirectory: '/w', network: true, egressDirectory: '/tmp/conclave-egress-x', scratchBytes: 1 << 20 }, []);
    expect(limited).not.toContain('--share-net');
    const text = limited.join(' ');
    expect(text).toContain('--ro-bind /tmp/conclave-egress-x /run/conclave-egress');
    expect(text).toContain('--ro-bind-try /etc/ssl /etc/ssl');
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) expect(text).toContain(`--setenv ${name} http://127.0.0.1:3128`);
    expect(text).toContain('--setenv NO_PROXY  --setenv no_proxy ');
  });
});

describe('sandbox limits', () => {
  it('fills defaults and refuses limits that are not positive numbers', () => {
    expect(resolveSandboxLimits({ wallTimeMs: 2_000 })).toEqual({ wallTimeMs: 2_000, cpuSeconds: 30, memoryBytes: 1024 ** 3, processes: 256, outputBytes: 1024 ** 2, fileBytes: 1024 ** 3 });
    expect(() => resolveSandboxLimits({ memoryBytes: 0 })).toThrow(expect.objectContaining({ code: 'invalid_argument', message: 'sandbox limit memoryBytes must be a positive number, got 0' }));
  });
});
