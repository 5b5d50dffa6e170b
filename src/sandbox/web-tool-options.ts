/**
 * What the operator and the session decide about `web_fetch` and `web_search`: the search backend
 * (a SearXNG instance, from the driver options or else `CONCLAVE_SEARXNG_URL`) and domain rules for
 * fetched URLs. The rules are checked before anything runs; they narrow what the sandbox's network
 * allows and never widen it — with no network, nothing is reached whatever they say.
 */
import { ConclaveError } from '../protocol/index.js';

/** The environment variable naming the SearXNG instance when the driver options give none. */
export const searchBackendVariable = 'CONCLAVE_SEARXNG_URL';

export interface WebToolOptions {
  /** Base URL of a SearXNG instance with its JSON format enabled (`https://searx.example.org`). */
  searxngUrl?: string;
  /** When given, `web_fetch` only fetches hosts under one of these domains (`example.com` also covers `docs.example.com`). */
  allowedDomains?: readonly string[];
  /** `web_fetch` never fetches hosts under these domains; checked before `allowedDomains`. */
  blockedDomains?: readonly string[];
}

/** The options with the backend checked and the domains normalized. */
export interface ResolvedWebToolOptions {
  searxngUrl: URL | undefined;
  allowedDomains: readonly string[] | undefined;
  blockedDomains: readonly string[];
}

/**
 * Lower-cases a domain or host name and drops a trailing dot and a leading `*.`, so that rules and
 * hosts compare as plain names; an IPv6 address loses its brackets and takes the URL standard's
 * spelling.
 *
 * @example
 * normalizeDomain('*.Example.COM.') // → 'example.com'
 * normalizeDomain('[0:0::1]') // → '::1'
 */
export function normalizeDomain(domain: string): string {
  let name = domain.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.includes(':') && /^[0-9a-f:.]+$/.test(name)) {
    try {
      return new URL(`http://[${name}]/`).hostname.slice(1, -1);
    } catch {
      return name;
    }
  }
  if (name.startsWith('*.')) name = name.slice(2);
  while (name.endsWith('.')) name = name.slice(0, -1);
  return name;
}

function checkDomains(domains: readonly string[] | undefined, path: string): string[] | undefined {
  if (domains === undefined) return undefined;
  return domains.map((domain, index) => {
    const name = normalizeDomain(domain);
    const address = name.includes(':') && /^[0-9a-f:.]+$/.test(name);
    if (name === '' || (!address && /[/:@?#\s[\]]/.test(name))) {
      throw new ConclaveError('invalid_argument', `${JSON.stringify(domain)} is not a domain; give a host name such as "example.com" (no scheme, port or path)`, {
        location: { path: `${path}.${index}` },
      });
    }
    return name;
  });
}

/**
 * Checks the options once, when a sandbox is provisioned; the backend falls back to
 * `CONCLAVE_SEARXNG_URL`. A backend URL must be http(s) and may not carry credentials (they would
 * travel into the sandbox); a bad one is `invalid_argument`.
 *
 * @example
 * resolveWebToolOptions({ blockedDomains: ['Tracker.example'] }, { CONCLAVE_SEARXNG_URL: 'http://127.0.0.1:8888' })
 * // → { searxngUrl: URL('http://127.0.0.1:8888/'), allowedDomains: undefined, blockedDomains: ['tracker.example'] }
 */
export function resolveWebToolOptions(options: WebToolOptions = {}, env: Record<string, string | undefined> = process.env): ResolvedWebToolOptions {
  const configured = options.searxngUrl ?? (env[searchBackendVariable]?.trim() || undefined);
  let searxngUrl: URL | undefined;
  if (configured !== undefined) {
    const where = options.searxngUrl !== undefined ? 'web.searxngUrl' : searchBackendVariable;
    try {
      searxngUrl = new URL(configured);
    } catch (error) {
      throw new ConclaveError('invalid_argument', `the search backend URL ${JSON.stringify(configured)} is not a URL`, { location: { path: where }, cause: error });
    }
    if (searxngUrl.protocol !== 'http:' && searxngUrl.protocol !== 'https:') {
      throw new ConclaveError('invalid_argument', `the search backend URL must be http or https, not ${searxngUrl.protocol}`, { location: { path: where } });
    }
    if (searxngUrl.username !== '' || searxngUrl.password !== '') {
      throw new ConclaveError('invalid_argument', 'the search backend URL may not contain credentials: it is used inside the sandbox', { location: { path: where } });
    }
  }
  return {
    searxngUrl,
    allowedDomains: checkDomains(options.allowedDomains, 'web.allowedDomains'),
    blockedDomains: checkDomains(options.blockedDomains, 'web.blockedDomains') ?? [],
  };
}

/** Whether `host` is `domain` or one of its subdomains. */
function isUnder(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/**
 * Why `web_fetch` may not fetch a URL (an `Error: ` result), or undefined when it may: only http
 * and https, no credentials in the URL, and the host allowed by the domain rules.
 *
 * @example
 * refuseUrl('file:///etc/passwd', options) // → 'Error: web_fetch only fetches http and https URLs, not file:'
 */
export function refuseUrl(text: string, options: ResolvedWebToolOptions): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `Error: ${JSON.stringify(text)} is not a valid absolute URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `Error: web_fetch only fetches http and https URLs, not ${url.protocol}`;
  if (url.username !== '' || url.password !== '') return 'Error: web_fetch does not send credentials; remove user:password@ from the URL';
  const host = normalizeDomain(url.hostname);
  const blocked = options.blockedDomains.find((domain) => isUnder(host, domain));
  if (blocked !== undefined) return `Error: ${host} is blocked for this session (blocked domain ${blocked}); web_fetch did not fetch it`;
  if (options.allowedDomains !== undefined && !options.allowedDomains.some((domain) => isUnder(host, domain))) {
    const allowed = options.allowedDomains.length === 0 ? 'none' : options.allowedDomains.join(', ');
    return `Error: ${host} is not among the domains this session may fetch (${allowed}); web_fetch did not fetch it`;
  }
  return undefined;
}
