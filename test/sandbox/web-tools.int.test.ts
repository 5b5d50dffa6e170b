// web_fetch and web_search against a local HTTP server (HTML, a redirect, a big body, a binary file
// and a SearXNG-shaped JSON endpoint), run through real drivers: unisolated (host network), and
// bubblewrap with network on (the jail shares the host's loopback) and off (the clear error, and the
// server sees nothing). Domain rules must refuse before any request leaves.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sandbox, SandboxDriver } from '../../src/protocol/index.js';
import { createBubblewrapDriver, createUnisolatedDriver, type WebToolOptions } from '../../src/sandbox/index.js';
import { describeWithBubblewrap } from './bubblewrap-gate.js';

const limits = { wallTimeMs: 20_000, cpuSeconds: 10, memoryBytes: 512 * 1024 * 1024, processes: 64, outputBytes: 512 * 1024 };
const signal = new AbortController().signal;

const page = `<!doctype html><html><head><title>Test &amp; page</title><style>body { color: red }</style>
<script>document.write("<p>not text</p>")</script></head>
<body><h1>Welcome</h1><!-- a comment <p>hidden</p> -->
<p>Fish &amp; chips &#8212; <a href="/menu">the menu</a>.</p>
<ul><li>one</li><li>two</li></ul><pre>  kept
    indented</pre></body></html>`;

const requests: string[] = [];
let server: Server;
let base: string;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'conclave-web-'));
  // As root, bubblewrap's jail runs as the sandbox user, which must be able to reach the workspaces.
  chmodSync(root, 0o755);
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(`${url.pathname}${url.search}`);
    if (url.pathname === '/page.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (url.pathname === '/redirect') {
      response.writeHead(302, { location: '/page.html' }).end('moved');
    } else if (url.pathname === '/big') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(300 * 1024));
    } else if (url.pathname === '/binary') {
      response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    } else if (url.pathname === '/searx/search' && url.searchParams.get('format') === 'json') {
      const query = url.searchParams.get('q') ?? '';
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          query,
          results: [
            { title: `About ${query}`, url: 'https://example.org/a', content: 'First   snippet\nwith lines', engine: 'x' },
            { title: 'Second', url: 'https://example.org/b', content: null },
            { title: 'Third', url: 'https://example.org/c', content: 'third' },
          ],
        }),
      );
    } else if (url.pathname === '/nojson/search') {
      response.writeHead(403, { 'content-type': 'text/html' }).end('Forbidden');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

let sessionCount = 0;
async function provision(driver: (web: WebToolOptions) => SandboxDriver, web: WebToolOptions, network: boolean): Promise<Sandbox> {
  sessionCount += 1;
  return driver(web).provision({ sessionId: `web-${sessionCount}`, network, limits });
}

const expectedPageText = (url: string): string =>
  [
    'HTTP/1.1 200 OK',
    'Content-Type: text/html; charset=utf-8',
    '',
    'Test & page',
    '',
    'Welcome',
    '',
    `Fish & chips — the menu (${url}/menu).`,
    '',
    '- one',
    '',
    '- two',
    '',
    '  kept',
    '    indented',
  ].join('\n');

/** The cases every driver with network passes. */
function webToolCases(driver: (web: WebToolOptions) => SandboxDriver): void {
  let sandbox: Sandbox;
  const run = (name: string, input: Record<string, unknown>): Promise<string> => sandbox.execute(name, input, { signal });

  beforeAll(async () => {
    sandbox = await provision(driver, { searxngUrl: `${base}/searx` }, true);
  });
  afterAll(() => sandbox.dispose());

  it('web_fetch returns the status, the content type and HTML as readable text', async () => {
    expect(await run('web_fetch', { url: `${base}/page.html` })).toBe(expectedPageText(base));
  });

  it('web_fetch reports a redirect with its absolute Location and does not follow it', async () => {
    requests.length = 0;
    expect(await run('web_fetch', { url: `${base}/redirect` })).toBe(
      `HTTP/1.1 302 Found\nLocation: ${base}/page.html\n\nThe redirect was not followed; to follow it, call web_fetch again with the Location URL.`,
    );
    expect(requests).toEqual(['/redirect']);
  });

  it('web_fetch cuts content at the default cap and at max_bytes, with a marker', async () => {
    const cut = await run('web_fetch', { url: `${base}/big` });
    expect(cut).toBe(`HTTP/1.1 200 OK\nContent-Type: text/plain\n\n${'x'.repeat(100 * 1024)}\n[content truncated at 102400 bytes; pass a larger max_bytes to read more]`);
    expect(await run('web_fetch', { url: `${base}/big`, max_bytes: 10 })).toBe(
      'HTTP/1.1 200 OK\nContent-Type: text/plain\n\nxxxxxxxxxx\n[content truncated at 10 bytes; pass a larger max_bytes to read more]',
    );
  });

  it('web_fetch shows error statuses with their body and describes binary content without showing it', async () => {
    expect(await run('web_fetch', { url: `${base}/missing` })).toBe('HTTP/1.1 404 Not Found\nContent-Type: text/plain\n\nnot here');
    expect(await run('web_fetch', { url: `${base}/binary` })).toBe('HTTP/1.1 200 OK\nContent-Type: image/png\n\n(8 bytes of image/png, not shown: web_fetch only returns text)');
  });

  it('web_fetch refuses other schemes and bad URLs before running anything', async () => {
    expect(await run('web_fetch', { url: 'file:///etc/passwd' })).toBe('Error: web_fetch only fetches http and https URLs, not file:');
    expect(await run('web_fetch', { url: 'not a url' })).toBe('Error: "not a url" is not a valid absolute URL');
    expect(await run('web_fetch', { url: 'http://user:secret@127.0.0.1/' })).toBe('Error: web_fetch does not send credentials; remove user:password@ from the URL');
  });

  it('web_search queries the SearXNG JSON API and formats the results', async () => {
    requests.length = 0;
    expect(await run('web_search', { query: 'bubble wrap & more', max_results: 2 })).toBe(
      [
        'Results for "bubble wrap & more":',
        '',
        '1. About bubble wrap & more',
        '   https://example.org/a',
        '   First snippet with lines',
        '',
        '2. Second',
        '   https://example.org/b',
      ].join('\n'),
    );
    expect(requests).toEqual(['/searx/search?q=bubble+wrap+%26+more&format=json']);
  });
}

describe('web tools (unisolated driver)', () => {
  const driver = (web: WebToolOptions): SandboxDriver => createUnisolatedDriver({ workspaceRoot: join(root, 'unisolated'), web });
  webToolCases(driver);

  it('allowed and blocked domains refuse before any request is made', async () => {
    const sandbox = await provision(driver, { allowedDomains: ['localhost'], blockedDomains: ['private.localhost'] }, true);
    const port = new URL(base).port;
    requests.length = 0;
    expect(await sandbox.execute('web_fetch', { url: `${base}/page.html` }, { signal })).toBe(
      "Error: 127.0.0.1 is not among the domains this session may fetch (localhost); web_fetch did not fetch it",
    );
    expect(await sandbox.execute('web_fetch', { url: `http://a.PRIVATE.localhost.:${port}/page.html` }, { signal })).toBe(
      'Error: a.private.localhost is blocked for this session (blocked domain private.localhost); web_fetch did not fetch it',
    );
    expect(requests).toEqual([]);
    expect(await sandbox.execute('web_fetch', { url: `http://localhost:${port}/missing` }, { signal })).toBe('HTTP/1.1 404 Not Found\nContent-Type: text/plain\n\nnot here');
    expect(requests).toEqual(['/missing']);
    await sandbox.dispose();
  });

  it('web_search without a backend says none is configured, and takes one from CONCLAVE_SEARXNG_URL', async () => {
    vi.stubEnv('CONCLAVE_SEARXNG_URL', '');
    const without = await provision(driver, {}, true);
    expect(await without.execute('web_search', { query: 'x' }, { signal })).toBe(
      'Error: web_search: no search backend is configured on this server (set CONCLAVE_SEARXNG_URL to the URL of a SearXNG instance with its JSON format enabled)',
    );
    await without.dispose();
    vi.stubEnv('CONCLAVE_SEARXNG_URL', `${base}/searx/`);
    const fromEnvironment = await provision(driver, {}, true);
    expect(await fromEnvironment.execute('web_search', { query: 'env', max_results: 1 }, { signal })).toBe(
      'Results for "env":\n\n1. About env\n   https://example.org/a\n   First snippet with lines',
    );
    await fromEnvironment.dispose();
  });

  it('web_search leaves out results from domains the session may not fetch', async () => {
    const sandbox = await provision(driver, { searxngUrl: `${base}/searx`, blockedDomains: ['example.org'] }, true);
    expect(await sandbox.execute('web_search', { query: 'x' }, { signal })).toBe('No results for "x" (results from domains this session may not fetch are left out)');
    await sandbox.dispose();
    const allowed = await provision(driver, { searxngUrl: `${base}/searx`, allowedDomains: ['example.org'], blockedDomains: [] }, true);
    expect(await allowed.execute('web_search', { query: 'x', max_results: 1 }, { signal })).toBe('Results for "x":\n\n1. About x\n   https://example.org/a\n   First snippet with lines');
    await allowed.dispose();
  });

  it('web_search explains a backend that refuses JSON', async () => {
    const sandbox = await provision(driver, { searxngUrl: `${base}/nojson` }, true);
    expect(await sandbox.execute('web_search', { query: 'x' }, { signal })).toBe(
      'Error: web_search: the search backend answered HTTP/1.1 403 Forbidden (a SearXNG instance answers 403 when its JSON format is off: add json to search.formats in its settings.yml)',
    );
    await sandbox.dispose();
  });

  it('refuses a search backend URL with credentials or another scheme when the driver is created', () => {
    expect(() => createUnisolatedDriver({ web: { searxngUrl: 'http://user:pw@127.0.0.1/' } })).toThrow(/may not contain credentials/);
    expect(() => createUnisolatedDriver({ web: { searxngUrl: 'ftp://127.0.0.1/' } })).toThrow(/must be http or https/);
    expect(() => createUnisolatedDriver({ web: { blockedDomains: ['https://example.com/'] } })).toThrow(/is not a domain/);
  });
});

describeWithBubblewrap('web tools (bubblewrap)', () => {
  const driver = (web: WebToolOptions): SandboxDriver => createBubblewrapDriver({ workspaceRoot: join(root, 'bubblewrap'), web });

  describe('with network', () => {
    webToolCases(driver);
  });

  it('without network, both tools fail in the jail with a clear error and nothing reaches the server', async () => {
    const sandbox = await provision(driver, { searxngUrl: `${base}/searx` }, false);
    requests.length = 0;
    const fetched = await sandbox.execute('web_fetch', { url: `${base}/page.html` }, { signal });
    expect(fetched).toMatch(new RegExp(`^Error: could not fetch ${base}/page.html: curl: \\(7\\) .+ — the sandbox has no network unless the session allows it \\(environment.network: true in the document\\)$`));
    const named = await sandbox.execute('web_fetch', { url: 'https://example.com/' }, { signal });
    expect(named).toMatch(/^Error: could not fetch https:\/\/example.com\/: curl: \(6\) .+ — the sandbox has no network unless the session allows it/);
    const searched = await sandbox.execute('web_search', { query: 'x' }, { signal });
    expect(searched).toMatch(/^Error: web_search could not reach the search backend: curl: \(7\) .+ — the sandbox has no network unless the session allows it/);
    expect(requests).toEqual([]);
    await sandbox.dispose();
  });
});
