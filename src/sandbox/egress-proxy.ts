/**
 * The egress proxy of one limited sandbox, run in the conclave process: an HTTP forward proxy (plain
 * `http://` requests in absolute form) with CONNECT for everything else (HTTPS), listening on a Unix
 * socket that the jail reaches through a bridge on its own loopback — the jail itself has no network.
 * Every request is checked before a byte leaves the host: the target against the sandbox's lists,
 * then the addresses the proxy resolved itself (egress-rules.ts), and the connection goes to exactly
 * the address that was checked, so a name cannot be rebound between the check and the connect. A
 * refusal is a 403 with a plain-text reason naming the host. Connections are capped, and `close`
 * ends every one of them.
 */
import { lookup } from 'node:dns/promises';
import { chmod, chown, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkEgressAddresses, checkEgressTarget, type EgressDecision, type EgressRules } from './egress-rules.js';

export interface EgressProxyOptions {
  /** Where the proxy listens (a Unix socket path; an old socket there is replaced). */
  socketPath: string;
  /** The lists; a target must pass every set (the environment's, and web_fetch's for its own proxy). */
  rules: readonly EgressRules[];
  /** Most client connections open at once; past it a connection gets a 503 (default 64). */
  maxConnections?: number;
  /** The user the socket belongs to (the jail's user, when conclave runs as root). */
  socketOwner?: { userId: number; groupId: number };
  /** Resolves a host name to its addresses (default: the system resolver, every address). */
  resolveHost?: (host: string) => Promise<string[]>;
}

export interface EgressProxy {
  readonly socketPath: string;
  /** Client connections open now. */
  connectionCount(): number;
  /** Stops listening and ends every connection, client and upstream alike; idempotent. */
  close(): Promise<void>;
}

const defaultMaxConnections = 64;
/** Headers that belong to one hop and are not passed on. */
const hopHeaders = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

async function systemResolve(host: string): Promise<string[]> {
  const results = await lookup(host, { all: true, verbatim: true });
  return results.map((result) => result.address);
}

function passHeaders(headers: IncomingMessage['headers']): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !hopHeaders.has(name)) kept[name] = value;
  return kept;
}

function plainResponse(status: number, reason: string, body: string): string {
  const text = `${body}\n`;
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`;
}

function refusalText(reason: string): string {
  return `conclave egress proxy refused the request: ${reason}`;
}

/**
 * Starts a proxy on `socketPath` for the given lists.
 *
 * @example
 * const proxy = await startEgressProxy({ socketPath: '/tmp/conclave-egress-x/proxy.sock', rules: [{ allowedHosts: ['*.example.com', '127.0.0.1:8080'], blockedHosts: [] }] });
 * // … curl --proxy http://127.0.0.1:3128 in the jail, bridged to the socket …
 * await proxy.close();
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const ruleSets: EgressRules[] = options.rules.map((rules) => ({
    ...rules,
    allowedHosts: rules.allowedHosts?.map((host) => host.toLowerCase()),
    blockedHosts: rules.blockedHosts.map((host) => host.toLowerCase()),
  }));
  const maxConnections = options.maxConnections ?? defaultMaxConnections;
  const resolveHost = options.resolveHost ?? systemResolve;
  const clients = new Set<Socket>();
  const upstreams = new Set<Duplex>();
  let closing: Promise<void> | undefined;

  /** The address to connect to for a target, or the refusal. */
  const decide = async (host: string, port: number): Promise<{ address: string } | Extract<EgressDecision, { allowed: false }>> => {
    for (const rules of ruleSets) {
      const target = checkEgressTarget(host, port, rules);
      if (!target.allowed) return target;
    }
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    let addresses: string[];
    try {
      addresses = isIP(bare) !== 0 ? [bare] : await resolveHost(bare);
    } catch (error) {
      return { allowed: false, reason: `${host}:${port} could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    for (const rules of ruleSets) {
      const checked = checkEgressAddresses(host, port, addresses, rules);
      if (!checked.allowed) return checked;
    }
    // Every address passed; IPv4 first, as most local servers (and `localhost` ones) listen there.
    return { address: addresses.find((address) => isIP(address) === 4) ?? (addresses[0] as string) };
  };

  const track = <Stream extends Duplex>(stream: Stream): Stream => {
    upstreams.add(stream);
    stream.once('close', () => upstreams.delete(stream));
    if (closing !== undefined) stream.destroy();
    return stream;
  };

  const forward = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // A client gone mid-request must not become an unhandled stream error in the conclave process.
    request.on('error', () => response.destroy());
    let url: URL;
    try {
      url = new URL(request.url ?? '');
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('conclave egress proxy: send requests in absolute form (http://host/path), or use CONNECT\n');
      return;
    }
    if (url.protocol !== 'http:') {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`conclave egress proxy: only http:// is forwarded; use CONNECT for ${url.protocol}\n`);
      return;
    }
    const port = url.port === '' ? 80 : Number(url.port);
    const decision = await decide(url.hostname, port);
    if (!('address' in decision)) {
      response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(`${refusalText(decision.reason)}\n`);
      return;
    }
    const upstream = httpRequest({ host: decision.address, port, method: request.method, path: `${url.pathname}${url.search}`, headers: { ...passHeaders(request.headers), host: url.host }, agent: false, setHost: false });
    upstream.on('socket', (socket) => track(socket));
    upstream.on('response', (answer) => {
      answer.on('error', () => response.destroy());
      response.writeHead(answer.statusCode ?? 502, passHeaders(answer.headers));
      answer.pipe(response);
    });
    response.on('close', () => upstream.destroy());
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(`conclave egress proxy: ${url.host} failed: ${error.message}\n`);
      else response.destroy();
    });
    request.pipe(upstream);
  };

  const tunnel = async (request: IncomingMessage, client: Duplex, head: Buffer): Promise<void> => {
    // The upstream socket, once there is one: a client that goes away takes it along.
    const link: { upstream?: Duplex } = {};
    client.on('error', () => link.upstream?.destroy());
    client.on('close', () => link.upstream?.destroy());
    let target: URL;
    try {
      target = new URL(`http://${request.url ?? ''}`);
    } catch {
      client.end(plainResponse(400, 'Bad Request', `conclave egress proxy: ${JSON.stringify(request.url)} is not host:port`));
      return;
    }
    const port = target.port === '' ? 443 : Number(target.port);
    const decision = await decide(target.hostname, port);
    if (!('address' in decision)) {
      client.end(plainResponse(403, 'Forbidden', refusalText(decision.reason)));
      return;
    }
    if (client.destroyed) return;
    const socket = track(connect({ host: decision.address, port }));
    link.upstream = socket;
    let established = false;
    socket.once('connect', () => {
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) socket.write(head);
      socket.pipe(client);
      client.pipe(socket);
    });
    socket.on('error', (error) => {
      if (!established && client.writable) client.end(plainResponse(502, 'Bad Gateway', `conclave egress proxy: ${target.host} failed: ${error.message}`));
      else client.destroy();
    });
  };

  const server = createServer((request, response) => {
    forward(request, response).catch((error: unknown) => response.destroy(error as Error));
  });
  server.on('connect', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    tunnel(request, client, head).catch(() => client.destroy());
  });
  server.on('connection', (socket: Socket) => {
    if (closing !== undefined || clients.size >= maxConnections) {
      socket.end(plainResponse(503, 'Service Unavailable', `conclave egress proxy: at most ${maxConnections} connections at once`));
      return;
    }
    clients.add(socket);
    socket.once('close', () => clients.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await rm(options.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(options.socketPath, 0o600);
  if (options.socketOwner !== undefined) await chown(options.socketPath, options.socketOwner.userId, options.socketOwner.groupId);

  return {
    socketPath: options.socketPath,
    connectionCount: () => clients.size,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const stream of upstreams) stream.destroy();
        for (const socket of clients) socket.destroy();
        await closed;
        await rm(options.socketPath, { force: true });
      })();
      return closing;
    },
  };
}
