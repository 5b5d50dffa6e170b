// Limited networking through real bubblewrap jails, a real socat bridge and the real egress proxy:
// curl reaches an allowed local server through the proxy, a server that is not allowed answers the
// proxy's 403 with its reason, a connection that ignores the proxy finds no network, CONNECT to a
// host off the list is refused, and disposing the sandbox closes the proxy; web_fetch's own domain
// lists hold web_fetch alone, on top of the sandbox's network. Without socat the limited mode
// refuses to start rather than handing out the host's network.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/protocol/index.js';
import { createBubblewrapDriver, createUnisolatedDriver } from '../../src/sandbox/index.js';
import { describeWithBubblewrap } from './bubblewrap-gate.js';

const limits = { wallTimeMs: 20_000, cpuSeconds: 10, memoryBytes: 512 * 1024 * 1024, processes: 64, outputBytes: 256 * 1024 };
const signal = new AbortController().signal;

let root: string;
let allowedServer: Server;
let otherServer: Server;
let allowedPort: number;
let otherPort: number;
const otherRequests: string[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function egressDirectories(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('conclave-egress-'));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'conclave-limited-'));
  chmodSync(root, 0o755);
  allowedServer = createServer((request, response) => {
    if (request.url === '/big') response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(3 * 1024 * 1024, 7));
    else response.writeHead(200, { 'content-type': 'text/plain' }).end(`allowed ${request.method} ${request.url}`);
  });
  otherServer = createServer((request, response) => {
    otherRequests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'text/plain' }).end('other');
  });
  allowedPort = await listen(allowedServer);
  otherPort = await listen(otherServer);
});

afterAll(async () => {
  await new Promise((resolve) => allowedServer.close(resolve));
  await new Promise((resolve) => otherServer.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

describeWithBubblewrap('limited networking in a bubblewrap sandbox', () => {
  let sandbox: Sandbox;
  const bash = (command: string): Promise<string> => sandbox.execute('bash', { command }, { signal });

  beforeAll(async () => {
    const driver = createBubblewrapDriver({ workspaceRoot: join(root, 'workspaces'), defaultLimits: limits });
    sandbox = await driver.provision({ sessionId: 'limited-1', network: { allowedHosts: [`127.0.0.1:${allowedPort}`, '*.example.com'], blockedHosts: ['blocked.example.com'] } });
  });

  afterAll(async () => {
    await sandbox.dispose();
  });

  it('reaches an allowed host through the proxy, with curl as it is', async () => {
    const output = await bash(`curl -sS http://127.0.0.1:${allowedPort}/hello; echo; echo "proxy=$http_proxy"`);
    expect(output).toContain('allowed GET /hello');
    expect(output).toContain('proxy=http://127.0.0.1:3128');
  });

  it('tunnels CONNECT to an allowed host', async () => {
    expect(await bash(`curl -sS --proxytunnel http://127.0.0.1:${allowedPort}/tunnel`)).toContain('allowed GET /tunnel');
  });

  it('carries large bodies whole, forwarded and tunnelled', async () => {
    const output = await bash(`curl -sS http://127.0.0.1:${allowedPort}/big | wc -c; curl -sS --proxytunnel http://127.0.0.1:${allowedPort}/big | wc -c`);
    expect(output.trim().split(/\s+/)).toEqual([String(3 * 1024 * 1024), String(3 * 1024 * 1024)]);
  });

  it('answers a host that is not allowed with a 403 naming it, and the host sees nothing', async () => {
    const output = await bash(`curl -sS -o - -w '\\nstatus=%{http_code}' http://127.0.0.1:${otherPort}/secret`);
    expect(output).toContain('status=403');
    expect(output).toContain(`conclave egress proxy refused the request: 127.0.0.1:${otherPort} is not on this sandbox's allowed hosts`);
    expect(otherRequests).toEqual([]);
  });

  it('refuses a blocked host even when a wildcard allows it', async () => {
    const output = await bash(`curl -sS -o - -w '\\nstatus=%{http_code}' http://blocked.example.com/`);
    expect(output).toContain('status=403');
    expect(output).toContain('blocked.example.com:80 is blocked for this sandbox');
  });

  it('refuses HTTPS CONNECT to a host that is not allowed', async () => {
    const output = await bash('curl -sS https://not-allowed.test/ 2>&1; echo "exit=$?"');
    expect(output).toMatch(/CONNECT tunnel failed, response 403|Received HTTP code 403 from proxy after CONNECT/);
    expect(output).not.toContain('exit=0');
  });

  it('has no network for a program that ignores the proxy', async () => {
    const output = await bash(`exec 3<>/dev/tcp/127.0.0.1/${allowedPort} && echo connected || echo refused; curl -sS --noproxy '*' http://127.0.0.1:${allowedPort}/direct 2>&1; echo "exit=$?"`);
    expect(output).toContain('refused');
    expect(output).not.toContain('connected');
    expect(output).not.toContain('allowed GET /direct');
    expect(output).toContain('exit=7');
  });

  it('lets web_fetch through to an allowed host only, saying which hosts are allowed', async () => {
    expect(await sandbox.execute('web_fetch', { url: `http://127.0.0.1:${allowedPort}/page` }, { signal })).toContain('allowed GET /page');
    const refused = await sandbox.execute('web_fetch', { url: 'https://not-allowed.test/' }, { signal });
    expect(refused).toMatch(/^Error: could not fetch https:\/\/not-allowed\.test\/: curl: \(56\)/);
    expect(refused).toContain("the sandbox's network is limited to these hosts");
  });
});

describeWithBubblewrap("web_fetch's own domain lists", () => {
  const provision = (sessionId: string, spec: Omit<Parameters<ReturnType<typeof createBubblewrapDriver>['provision']>[0], 'sessionId'>): Promise<Sandbox> =>
    createBubblewrapDriver({ workspaceRoot: join(root, 'workspaces'), defaultLimits: limits }).provision({ sessionId, ...spec });

  it("hold web_fetch, and only web_fetch, to them in a sandbox with the host's network", async () => {
    const sandbox = await provision('web-1', { network: true, webFetch: { allowedDomains: ['127.0.0.1'] } });
    try {
      expect(await sandbox.execute('web_fetch', { url: `http://127.0.0.1:${allowedPort}/web` }, { signal })).toContain('allowed GET /web');
      const refused = await sandbox.execute('web_fetch', { url: `http://127.0.0.2:${allowedPort}/web` }, { signal });
      expect(refused).toContain('403');
      expect(refused).toContain(`127.0.0.2:${allowedPort} is not on web_fetch's allowed hosts (127.0.0.1)`);
      // bash keeps the sandbox's network: the lists are web_fetch's.
      expect(await sandbox.execute('bash', { command: `curl -sS http://127.0.0.1:${otherPort}/bash` }, { signal })).toContain('other');
    } finally {
      await sandbox.dispose();
    }
  });

  it("apply on top of the sandbox's allow-list: a host must pass both", async () => {
    const sandbox = await provision('web-2', { network: { allowedHosts: [`127.0.0.1:${allowedPort}`, `127.0.0.1:${otherPort}`] }, webFetch: { blockedDomains: ['127.0.0.1'] } });
    try {
      const blocked = await sandbox.execute('web_fetch', { url: `http://127.0.0.1:${allowedPort}/web` }, { signal });
      expect(blocked).toContain(`127.0.0.1:${allowedPort} is blocked for web_fetch`);
      expect(await sandbox.execute('bash', { command: `curl -sS http://127.0.0.1:${allowedPort}/bash` }, { signal })).toContain('allowed GET /bash');
    } finally {
      await sandbox.dispose();
    }
    const narrow = await provision('web-3', { network: { allowedHosts: [`127.0.0.1:${allowedPort}`] }, webFetch: { allowedDomains: ['127.0.0.1'] } });
    try {
      expect(await narrow.execute('web_fetch', { url: `http://127.0.0.1:${allowedPort}/web` }, { signal })).toContain('allowed GET /web');
      expect(await narrow.execute('web_fetch', { url: `http://127.0.0.1:${otherPort}/web` }, { signal })).toContain(`127.0.0.1:${otherPort} is not on this sandbox's allowed hosts`);
    } finally {
      await narrow.dispose();
    }
  });

  it('widen nothing in a sandbox without network', async () => {
    const sandbox = await provision('web-4', { network: false, webFetch: { allowedDomains: ['127.0.0.1'] } });
    try {
      const output = await sandbox.execute('web_fetch', { url: `http://127.0.0.1:${allowedPort}/web` }, { signal });
      expect(output).toMatch(/^Error: could not fetch/);
      expect(output).not.toContain('allowed GET');
    } finally {
      await sandbox.dispose();
    }
  });
});

describeWithBubblewrap('limited networking: lifetime and prerequisites', () => {
  it('closes the proxy and removes its socket when the sandbox is disposed', async () => {
    const before = new Set(egressDirectories());
    const driver = createBubblewrapDriver({ workspaceRoot: join(root, 'workspaces'), defaultLimits: limits });
    const sandbox = await driver.provision({ sessionId: 'limited-2', network: { allowedHosts: [`127.0.0.1:${allowedPort}`] } });
    const created = egressDirectories().filter((name) => !before.has(name));
    expect(created).toHaveLength(1);
    const socketPath = join(tmpdir(), created[0] as string, 'proxy.sock');
    expect(existsSync(socketPath)).toBe(true);
    expect(await sandbox.execute('bash', { command: `curl -sS http://127.0.0.1:${allowedPort}/once` }, { signal })).toContain('allowed GET /once');
    await sandbox.dispose();
    expect(existsSync(socketPath)).toBe(false);
    await expect(
      new Promise((resolve, reject) => {
        const socket = connect(socketPath, () => resolve('connected'));
        socket.on('error', reject);
      }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses limited networking with sandbox_unavailable, naming socat, when socat is missing', async () => {
    const before = new Set(egressDirectories());
    const driver = createBubblewrapDriver({ workspaceRoot: join(root, 'workspaces'), socatPath: join(root, 'missing', 'socat') });
    const provisioning = driver.provision({ sessionId: 'limited-3', network: { allowedHosts: ['example.com'] } });
    await expect(provisioning).rejects.toMatchObject({ code: 'sandbox_unavailable', message: expect.stringContaining('needs socat') });
    await expect(provisioning).rejects.toMatchObject({ hint: expect.stringContaining('apt-get install socat') });
    expect(egressDirectories().filter((name) => !before.has(name))).toEqual([]);
  });
});

describe('limited networking without a jail', () => {
  it('is refused by the unisolated driver, which could not enforce it', async () => {
    const driver = createUnisolatedDriver({ workspaceRoot: join(root, 'unisolated') });
    await expect(driver.provision({ sessionId: 'limited-4', network: { allowedHosts: ['example.com'] } })).rejects.toMatchObject({ code: 'sandbox_unavailable', message: expect.stringContaining('cannot limit the network') });
  });
});
