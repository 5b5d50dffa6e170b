/**
 * Whether a URL's host is on an operator's allow-list. Entries are exact hosts (`api.example.com`),
 * subdomain wildcards (`*.example.com`: any subdomain, never the apex) and either with a port
 * (`10.0.0.5:8080`); an entry without a port allows any port. Only `http:` and `https:` URLs can
 * match, and a URL with credentials in it never does.
 */

/**
 * The host an allow-list would compare for `url` (`host` or `host:port`, lower case), or undefined
 * when the URL is not an http(s) URL without credentials.
 *
 * @example
 * urlHost('https://API.example.com:8443/v1') // → { host: 'api.example.com', port: '8443' }
 */
export function urlHost(url: string): { host: string; port: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (parsed.username !== '' || parsed.password !== '') return undefined;
  const port = parsed.port !== '' ? parsed.port : parsed.protocol === 'https:' ? '443' : '80';
  return { host: parsed.hostname.toLowerCase(), port };
}

function matchesEntry(host: string, port: string, entry: string): boolean {
  const portMatch = /^(.*?)(?::(\d{1,5}))?$/.exec(entry);
  const entryHost = (portMatch?.[1] ?? entry).toLowerCase();
  const entryPort = portMatch?.[2];
  if (entryPort !== undefined && entryPort !== port) return false;
  if (entryHost.startsWith('*.')) {
    const suffix = entryHost.slice(1);
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return host === entryHost;
}

/**
 * Whether `url` may be reached under `allowed`.
 *
 * @example
 * isHostAllowed('https://mcp.example.com/mcp', ['*.example.com']) // → true
 * isHostAllowed('http://127.0.0.1:8787/', ['*.example.com'])      // → false
 */
export function isHostAllowed(url: string, allowed: readonly string[]): boolean {
  const target = urlHost(url);
  if (target === undefined) return false;
  return allowed.some((entry) => matchesEntry(target.host, target.port, entry));
}
