// The egress proxy on its own, over a real Unix socket to real local servers: forwarding and
// tunnelling to allowed hosts, 403s with reasons, a name rebound to 127.0.0.1 refused, the
// connection cap, and `close` ending open tunnels.
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEgressProxy, type EgressProxy } from '../../src/sandbox/index.js';

let directory: string;
let server: Server;
let port: number;
let proxy: EgressProxy | undefined;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-proxy-test-'));
  server = createServer((incoming, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${incoming.headers.host} ${incoming.url}`));
  port = await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(directory, { recursive: true, force: true });
});

/** A forward-proxy GET through the socket: status and body. */
function proxyGet(socketPath: string, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ socketPath, path: url, method: 'GET', headers: { host: new URL(url).host } }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject).end();
  });
}

/** Sends a CONNECT and returns the socket and the proxy's first answer. */
function proxyConnect(socketPath: string, target: string): Promise<{ socket: Socket; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    socket.once('data', (chunk) => resolve({ socket, answer: chunk.toString('utf8') }));
    socket.once('error', reject);
  });
}

describe('egress proxy', () => {
  it('forwards plain HTTP to an allowed host and refuses others with a 403 naming them', async () => {
    proxy = await startEgressProxy({ socketPath: join(directory, 'a.sock'), rules: [{ allowedHosts: [`127.0.0.1:${port}`], blockedHosts: [] }] });
    expect(await proxyGet(proxy.socketPath, `http://127.0.0.1:${port}/ok?x=1`)).toEqual({ status: 200, body: `hello 127.0.0.1:${port} /ok?x=1` });
    const refused = await proxyGet(proxy.socketPath, `http://127.0.0.1:${port + 1}/`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain(`127.0.0.1:${port + 1} is not on this sandbox's allowed hosts (127.0.0.1:${port})`);
  });

  it('tunnels CONNECT to an allowed host and refuses it to others', async () => {
    proxy = await startEgressProxy({ socketPath: join(directory, 'b.sock'), rules: [{ allowedHosts: [`127.0.0.1:${port}`], blockedHosts: [] }] });
    const open = await proxyConnect(proxy.socketPath, `127.0.0.1:${port}`);
    expect(open.answer).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    const reply = new Promise<string>((resolve) => open.socket.once('data', (chunk) => resolve(chunk.toString('utf8'))));
    open.socket.write(`GET /tunnelled HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(await reply).toContain(`hello 127.0.0.1:${port} /tunnelled`);
    open.socket.destroy();
    const refused = await proxyConnect(proxy.socketPath, 'example.net:443');
    expect(refused.answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(refused.answer).toContain("example.net:443 is not on this sandbox's allowed hosts");
    refused.socket.destroy();
  });

  it('refuses a wildcard-allowed name that resolves to 127.0.0.1 (DNS rebinding)', async () => {
    const looked: string[] = [];
    proxy = await startEgressProxy({
      socketPath: join(directory, 'c.sock'),
      rules: [{ allowedHosts: ['*.example.com'], blockedHosts: [] }],
      resolveHost: async (host) => {
        looked.push(host);
        return ['127.0.0.1'];
      },
    });
    const refused = await proxyGet(proxy.socketPath, `http://rebind.example.com:${port}/`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain(`rebind.example.com:${port} resolves to 127.0.0.1, a private or local address`);
    expect(looked).toEqual(['rebind.example.com']);
    const tunnel = await proxyConnect(proxy.socketPath, `rebind.example.com:${port}`);
    expect(tunnel.answer).toMatch(/^HTTP\/1\.1 403 /);
    tunnel.socket.destroy();
  });

  it('connects to the address it checked, for an exactly named host', async () => {
    proxy = await startEgressProxy({ socketPath: join(directory, 'd.sock'), rules: [{ allowedHosts: [`internal.test:${port}`], blockedHosts: [] }], resolveHost: async () => ['127.0.0.1'] });
    expect(await proxyGet(proxy.socketPath, `http://internal.test:${port}/pinned`)).toEqual({ status: 200, body: `hello internal.test:${port} /pinned` });
  });

  it('holds a target to every rule set it enforces (the sandbox\'s and web_fetch\'s)', async () => {
    proxy = await startEgressProxy({
      socketPath: join(directory, 'g.sock'),
      rules: [
        { allowedHosts: [`127.0.0.1:${port}`, 'localhost'], blockedHosts: [] },
        { allowedHosts: ['127.0.0.1'], blockedHosts: [], scope: 'web_fetch' },
      ],
    });
    expect((await proxyGet(proxy.socketPath, `http://127.0.0.1:${port}/both`)).status).toBe(200);
    const narrowed = await proxyGet(proxy.socketPath, `http://localhost:${port}/`);
    expect(narrowed.status).toBe(403);
    expect(narrowed.body).toContain(`localhost:${port} is not on web_fetch's allowed hosts (127.0.0.1)`);
  });

  it('caps concurrent connections with a 503', async () => {
    proxy = await startEgressProxy({ socketPath: join(directory, 'e.sock'), rules: [{ allowedHosts: [`127.0.0.1:${port}`], blockedHosts: [] }], maxConnections: 1 });
    const first = await proxyConnect(proxy.socketPath, `127.0.0.1:${port}`);
    expect(first.answer).toContain('200 Connection Established');
    const second = await new Promise<string>((resolve, reject) => {
      const socket = connect((proxy as EgressProxy).socketPath);
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toContain('at most 1 connections at once');
    first.socket.destroy();
  });

  it('ends open tunnels and stops listening on close', async () => {
    proxy = await startEgressProxy({ socketPath: join(directory, 'f.sock'), rules: [{ allowedHosts: [`127.0.0.1:${port}`], blockedHosts: [] }] });
    const open = await proxyConnect(proxy.socketPath, `127.0.0.1:${port}`);
    const ended = new Promise<void>((resolve) => open.socket.once('close', () => resolve()));
    expect(proxy.connectionCount()).toBe(1);
    await proxy.close();
    await ended;
    await expect(proxyGet(join(directory, 'f.sock'), `http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
