/**
 * Keeps resolved secrets out of what a connection reports. The SDK and `fetch` put the URL they
 * were given into their error messages, and a server may print its environment on stderr, so every
 * message built from them passes through here: the resolved URL becomes the URL as written, and
 * header values and secret values become a marker.
 */
import { describeMcpEndpoint, type McpEndpoint } from './mcp-server-config.js';

/** A sensitive string and what to show instead. */
export interface Redaction {
  value: string;
  replacement: string;
}

/** Shorter values are left alone: replacing every "on" or "1" would shred the message. */
const minimumRedactedLength = 4;

const secretReference = /\$\{secret:[^}]*\}/g;

/** The marker shown in place of a secret value. */
export const redactionMarker = '[redacted]';

/** A value in the spellings it may appear in: as is, URL-encoded, JSON-escaped. */
function spellings(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])];
}

/**
 * Everything to hide for an endpoint whose values were resolved: each secret (looked up by
 * resolving its reference alone), every header value, and the resolved URL (shown as written, without credentials or query).
 *
 * @example
 * const redactions = await collectRedactions(endpoint, resolved, resolve);
 * redactText(error.message, redactions);
 */
export async function collectRedactions(
  endpoint: McpEndpoint,
  resolved: { url?: string; headers?: Record<string, string> },
  resolve: (value: string) => string | Promise<string>,
): Promise<Redaction[]> {
  const written = endpoint.transport === 'stdio' ? Object.values(endpoint.env) : [endpoint.url, ...Object.values(endpoint.headers)];
  const references = new Set(written.flatMap((value) => value.match(secretReference) ?? []));
  const secrets = await Promise.all([...references].map((reference) => resolve(reference)));
  const redactions: Redaction[] = [...secrets, ...Object.values(resolved.headers ?? {})].flatMap((value) =>
    spellings(value).map((spelling) => ({ value: spelling, replacement: redactionMarker })),
  );
  if (resolved.url !== undefined && endpoint.transport === 'http' && resolved.url !== endpoint.url) {
    const href = URL.canParse(resolved.url) ? new URL(resolved.url).href : resolved.url;
    for (const spelling of new Set([resolved.url, href])) redactions.push({ value: spelling, replacement: describeMcpEndpoint(endpoint) });
  }
  return redactions.filter((redaction) => redaction.value.length >= minimumRedactedLength);
}

/**
 * `text` with every redacted value replaced, longest first (a URL before the secret inside it).
 *
 * @example
 * redactText('fetch failed: https://x.test/?k=abcd1234', [{ value: 'abcd1234', replacement: '[redacted]' }])
 * // → 'fetch failed: https://x.test/?k=[redacted]'
 */
export function redactText(text: string, redactions: readonly Redaction[]): string {
  let result = text;
  for (const { value, replacement } of [...redactions].sort((left, right) => right.value.length - left.value.length)) {
    result = result.split(value).join(replacement);
  }
  return result;
}
