/**
 * `web_fetch` and `web_search`. Both run `curl` inside the session's sandbox, like every other tool,
 * so they reach exactly what the sandbox's network reaches: with no network, a fetch fails there
 * and says so — there is no path around the jail; with limited networking, curl goes through the
 * sandbox's egress proxy (the jail's proxy variables) and a host off its allow-list is refused there.
 * When the session gives `web_fetch` domain lists of its own, its curl runs in a jail whose only way
 * out is a proxy enforcing those lists and the sandbox's (`egress: 'web_fetch'`); `web_search`
 * reaches its backend under the sandbox's rules alone. The URL travels as a positional parameter, never
 * spliced into the script; `-q` keeps a `.curlrc` the model wrote in the workspace (its HOME) from
 * changing anything. Redirects are never followed: the model gets the Location and fetches it with
 * a new call, which checks the URL again. Bodies are capped by the run's output cap, which stops
 * curl as soon as the cap is reached.
 */
import { z } from 'zod';
import { webFetchToolDefinition, webSearchToolDefinition } from './builtin-tools.js';
import { decodeOutput } from './format-tool-result.js';
import { htmlToText } from './html-to-text.js';
import { compileInputSchema } from './input-validation.js';
import { defineSandboxTool, type SandboxTool, type ToolContext } from './sandbox-tool.js';
import { refuseUrl, searchBackendVariable, type ResolvedWebToolOptions } from './web-tool-options.js';

/** Bytes of content `web_fetch` returns unless the model asks for another amount. */
export const defaultFetchBytes = 100 * 1024;
/** Longest a fetch may take, within the sandbox's wall-time limit. */
const fetchTimeMs = 30_000;
/** Room for the response headers on top of the content cap. */
const headerBytes = 64 * 1024;
/** Results `web_search` shows unless the model asks for another number, and at most. */
const defaultSearchResults = 5;
const maximumSearchResults = 20;
/** Characters of one result's snippet. */
const snippetCharacters = 500;

const userAgent = 'Mozilla/5.0 (compatible; conclave-web-fetch/1)';

// `$1` the URL, `$2` curl's time limit in seconds, `$3` the Accept header. `-q` must come first.
const curlScript = `exec curl -q --silent --show-error --include --max-redirs 0 --proto =http,https --max-time "$2" --user-agent '${userAgent}' --header "Accept: $3" --url "$1"`;

/** curl exit codes that mean the host could not be reached at all. */
const unreachableExitCodes = new Set([5, 6, 7]);
const curlTimeoutExitCode = 28;

interface FetchedResponse {
  statusLine: string;
  status: number;
  headers: Map<string, string>;
  body: Buffer;
  /** The body went past the cap and was cut there. */
  truncated: boolean;
}

/**
 * Runs curl in the sandbox; an `Error: ` string when no response came back. `what` names the
 * request in errors ("could not fetch https://…").
 */
async function fetchInSandbox(url: string, options: { maxBytes: number; accept: string; what: string; egress?: 'web_fetch' }, context: ToolContext): Promise<FetchedResponse | string> {
  const wallTimeMs = Math.min(fetchTimeMs, context.limits.wallTimeMs);
  const curlSeconds = Math.max(0.5, (wallTimeMs - 1_000) / 1_000);
  const result = await context.run({
    script: curlScript,
    arguments: [url, String(curlSeconds), options.accept],
    wallTimeMs,
    outputBytes: headerBytes + options.maxBytes + 1,
    ...(options.egress !== undefined ? { egress: options.egress } : {}),
  });
  if (result.timedOut || result.exitCode === curlTimeoutExitCode) return `Error: ${options.what}: no complete answer within ${Math.round(curlSeconds * 10) / 10} s`;
  if (!result.outputTruncated && result.exitCode !== 0) {
    const curlMessage = decodeOutput(result.output)
      .split('\n')
      .reverse()
      .find((line) => line.startsWith('curl: ('));
    const message = curlMessage?.trim() ?? `curl exited with code ${result.exitCode}`;
    return `Error: ${options.what}: ${message}${networkHint(result.exitCode, message, context, options.egress)}`;
  }
  const response = parseResponse(result.output);
  if (response === undefined) return `Error: ${options.what}: the answer was not an HTTP response${result.outputTruncated ? ' (its headers are too large)' : ''}`;
  const truncated = result.outputTruncated || response.body.length > options.maxBytes;
  return { ...response, body: response.body.subarray(0, options.maxBytes), truncated };
}

/** Why a failed fetch may have failed, from the sandbox's network setting. */
function networkHint(exitCode: number, message: string, context: ToolContext, egress: 'web_fetch' | undefined): string {
  const refused = /CONNECT tunnel failed|response 403|\b403\b/.test(message) || unreachableExitCodes.has(exitCode);
  const domains = egress === 'web_fetch' && context.network !== false ? context.webFetch : undefined;
  if (refused && domains !== undefined) {
    const allowed = domains.allowedDomains === undefined ? '' : `; web_fetch may fetch hosts under: ${domains.allowedDomains.join(', ')}`;
    const blocked = (domains.blockedDomains ?? []).length === 0 ? '' : `; it may not fetch hosts under: ${(domains.blockedDomains ?? []).join(', ')}`;
    const sandbox = typeof context.network === 'object' ? `; the sandbox's network is limited to: ${context.network.allowedHosts.join(', ')}` : '';
    return ` — refused by web_fetch's egress proxy${allowed}${blocked}${sandbox}`;
  }
  if (typeof context.network === 'object') {
    if (!refused) return '';
    return ` — the sandbox's network is limited to these hosts: ${context.network.allowedHosts.join(', ')}`;
  }
  if (unreachableExitCodes.has(exitCode) && context.network !== true) return ' — the sandbox has no network unless the session allows it (environment.network: true in the document)';
  return '';
}

/** Index just past the blank line ending the header block that starts at `from`, or -1. */
function headerEnd(output: Buffer, from: number): number {
  const crlf = output.indexOf('\r\n\r\n', from);
  const lf = output.indexOf('\n\n', from);
  if (crlf === -1) return lf === -1 ? -1 : lf + 2;
  return lf !== -1 && lf < crlf ? lf + 2 : crlf + 4;
}

/** Splits curl's `--include` output into the final header block and the body (1xx blocks skipped). */
function parseResponse(output: Buffer): Omit<FetchedResponse, 'truncated'> | undefined {
  let start = 0;
  for (;;) {
    const end = headerEnd(output, start);
    if (end === -1) return undefined;
    const lines = output.subarray(start, end).toString('latin1').split(/\r?\n/);
    const statusLine = (lines[0] ?? '').trim();
    const statusMatch = /^HTTP\/[\d.]+ (\d{3})/.exec(statusLine);
    if (statusMatch === null) return undefined;
    const status = Number(statusMatch[1]);
    if (status >= 100 && status < 200) {
      start = end;
      continue;
    }
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return { statusLine, status, headers, body: output.subarray(end) };
  }
}

/** Whether a content type is text a model can read (HTML included). */
function isTextual(contentType: string): boolean {
  return /^text\/|[/+](?:json|xml|javascript|ecmascript|x-www-form-urlencoded|yaml|csv|markdown)\b/.test(contentType);
}

/** Decodes a body in the charset its content type names; UTF-8 when it names none or one Node lacks. */
function decodeBody(body: Buffer, contentType: string): string {
  const charset = /charset="?([\w.:-]+)/i.exec(contentType)?.[1];
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset).decode(body);
    } catch {
      // An unknown charset: read it as UTF-8.
    }
  }
  return body.toString('utf8');
}

/** The content of a fetched body as a model reads it. */
function readableContent(response: FetchedResponse, url: string): string {
  const contentType = (response.headers.get('content-type') ?? '').toLowerCase();
  if (response.body.length === 0) return '(empty body)';
  const textual = contentType === '' ? !response.body.subarray(0, 8192).includes(0) : isTextual(contentType);
  if (!textual) return `(${response.truncated ? 'at least ' : ''}${response.body.length} bytes of ${contentType || 'binary content'}, not shown: web_fetch only returns text)`;
  const text = decodeBody(response.body, contentType);
  return contentType.startsWith('text/html') || contentType.startsWith('application/xhtml') ? htmlToText(text, url) : text;
}

interface WebFetchInput {
  url: string;
  max_bytes?: number;
}

interface WebSearchInput {
  query: string;
  max_results?: number;
}

/**
 * The `web_fetch` tool.
 *
 * @example
 * await createWebFetchTool(resolveWebToolOptions()).run({ url: 'https://example.com/' }, context)
 * // → 'HTTP/2 200\nContent-Type: text/html; charset=UTF-8\n\nExample Domain\n…'
 */
export function createWebFetchTool(options: ResolvedWebToolOptions): SandboxTool {
  return defineSandboxTool<WebFetchInput>(webFetchToolDefinition, compileInputSchema('web_fetch', webFetchToolDefinition.inputSchema), async (input, context) => {
    const refusal = refuseUrl(input.url, options);
    if (refusal !== undefined) return refusal;
    const url = new URL(input.url).href;
    const maxBytes = Math.min(input.max_bytes ?? defaultFetchBytes, context.limits.outputBytes);
    const fetched = await fetchInSandbox(url, { maxBytes, accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8', what: `could not fetch ${url}`, egress: 'web_fetch' }, context);
    if (typeof fetched === 'string') return fetched;
    const contentType = fetched.headers.get('content-type');
    const head = [fetched.statusLine, ...(contentType === undefined ? [] : [`Content-Type: ${contentType}`])];
    const location = fetched.headers.get('location');
    if (fetched.status >= 300 && fetched.status < 400 && location !== undefined) {
      let target = location;
      try {
        target = new URL(location, url).href;
      } catch {
        // Not a URL: report it as the server wrote it.
      }
      return [...head, `Location: ${target}`, '', 'The redirect was not followed; to follow it, call web_fetch again with the Location URL.'].join('\n');
    }
    const marker = fetched.truncated ? `\n[content truncated at ${maxBytes} bytes; pass a larger max_bytes to read more]` : '';
    return `${head.join('\n')}\n\n${readableContent(fetched, url)}${marker}`;
  });
}

const searxngResponseSchema = z.object({
  results: z.array(z.object({ url: z.string(), title: z.string().optional(), content: z.string().nullish() })),
});

/** The SearXNG JSON API URL for a query. */
function searchUrl(base: URL, query: string): string {
  const directory = new URL(base.href);
  if (!directory.pathname.endsWith('/')) directory.pathname += '/';
  const url = new URL('search', directory);
  url.searchParams.set('q', query);
  url.searchParams.set('format', 'json');
  return url.href;
}

/**
 * The `web_search` tool: a query to the operator's SearXNG instance, fetched from inside the
 * sandbox (the domain rules do not apply to the backend, only to the results shown). Without a
 * configured backend every call is an `Error: ` result saying how to set one.
 *
 * @example
 * await createWebSearchTool(resolveWebToolOptions({ searxngUrl: 'http://127.0.0.1:8888' })).run({ query: 'bubblewrap' }, context)
 * // → 'Results for "bubblewrap":\n\n1. containers/bubblewrap\n   https://github.com/containers/bubblewrap\n   …'
 */
export function createWebSearchTool(options: ResolvedWebToolOptions): SandboxTool {
  return defineSandboxTool<WebSearchInput>(webSearchToolDefinition, compileInputSchema('web_search', webSearchToolDefinition.inputSchema), async (input, context) => {
    if (options.searxngUrl === undefined) {
      return `Error: web_search: no search backend is configured on this server (set ${searchBackendVariable} to the URL of a SearXNG instance with its JSON format enabled)`;
    }
    const maxBytes = context.limits.outputBytes;
    const fetched = await fetchInSandbox(searchUrl(options.searxngUrl, input.query), { maxBytes, accept: 'application/json', what: 'web_search could not reach the search backend' }, context);
    if (typeof fetched === 'string') return fetched;
    if (fetched.status !== 200) {
      const hint = fetched.status === 403 ? ' (a SearXNG instance answers 403 when its JSON format is off: add json to search.formats in its settings.yml)' : '';
      return `Error: web_search: the search backend answered ${fetched.statusLine}${hint}`;
    }
    if (fetched.truncated) return `Error: web_search: the search backend's answer is larger than ${maxBytes} bytes`;
    let parsed: z.infer<typeof searxngResponseSchema>;
    try {
      parsed = searxngResponseSchema.parse(JSON.parse(fetched.body.toString('utf8')));
    } catch {
      return 'Error: web_search: the search backend did not answer with SearXNG search results (JSON with a results list)';
    }
    // A result web_fetch would refuse (a blocked or not-allowed domain, another scheme) is not shown.
    const fetchable = parsed.results.filter((result) => refuseUrl(result.url, options) === undefined);
    const results = fetchable.slice(0, Math.min(input.max_results ?? defaultSearchResults, maximumSearchResults));
    if (results.length === 0) return `No results for ${JSON.stringify(input.query)}${fetchable.length < parsed.results.length ? ' (results from domains this session may not fetch are left out)' : ''}`;
    const entries = results.map((result, index) => {
      const snippet = (result.content ?? '').replace(/\s+/g, ' ').trim();
      const shown = snippet.length > snippetCharacters ? `${snippet.slice(0, snippetCharacters)}…` : snippet;
      return [`${index + 1}. ${result.title?.trim() || result.url}`, `   ${result.url}`, ...(shown === '' ? [] : [`   ${shown}`])].join('\n');
    });
    return `Results for ${JSON.stringify(input.query)}:\n\n${entries.join('\n\n')}`;
  });
}
