/**
 * The OAuth 2.0 refresh-token exchange (RFC 6749 §6) for `mcp_oauth` vault credentials: a form POST
 * to the credential's token endpoint with `grant_type=refresh_token`, the client authenticated as
 * the credential says (`none`: `client_id` in the body; `client_secret_basic`: HTTP Basic;
 * `client_secret_post`: `client_id` and `client_secret` in the body), plus `scope` and the RFC 8707
 * `resource` when set. Failures name the endpoint, the status and the OAuth `error` code only —
 * never a token, a secret or the response body, which may echo them.
 */
import { ConclaveError } from '../protocol/index.js';

/** The public refresh settings of a credential (what the API returns). */
export interface OAuthRefreshSettings {
  client_id: string;
  token_endpoint: string;
  token_endpoint_auth: { type: 'none' | 'client_secret_basic' | 'client_secret_post' };
  resource?: string | null;
  scope?: string | null;
}

/** What a successful exchange gives. */
export interface RefreshedTokens {
  accessToken: string;
  /** A new refresh token when the server rotates them. */
  refreshToken?: string;
  /** RFC 3339, from `expires_in`; null when the server does not say. */
  expiresAt: string | null;
}

/** The longest wait for the token endpoint. */
export const refreshTimeoutMs = 15_000;

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they go into Basic credentials. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/**
 * Exchanges `refreshToken` for a new access token at the settings' token endpoint.
 *
 * @example
 * const tokens = await exchangeRefreshToken(auth.refresh, { refreshToken, clientSecret });
 * tokens.accessToken // → the new access token
 */
export async function exchangeRefreshToken(
  settings: OAuthRefreshSettings,
  secrets: { refreshToken: string; clientSecret?: string },
  options: { fetch?: typeof fetch; now?: () => number } = {},
): Promise<RefreshedTokens> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: secrets.refreshToken });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const method = settings.token_endpoint_auth.type;
  if (method === 'client_secret_basic') {
    headers['authorization'] = `Basic ${Buffer.from(`${formEncode(settings.client_id)}:${formEncode(secrets.clientSecret ?? '')}`).toString('base64')}`;
  } else {
    body.set('client_id', settings.client_id);
    if (method === 'client_secret_post') body.set('client_secret', secrets.clientSecret ?? '');
  }
  if (typeof settings.scope === 'string' && settings.scope !== '') body.set('scope', settings.scope);
  if (typeof settings.resource === 'string' && settings.resource !== '') body.set('resource', settings.resource);
  const where = `the token endpoint ${settings.token_endpoint.replace(/[?#].*$/, '')}`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(settings.token_endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(refreshTimeoutMs), redirect: 'error' });
  } catch (error) {
    throw new ConclaveError('secret_not_found', `refreshing the access token failed: ${where} could not be reached`, { cause: error });
  }
  const payload = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok || typeof payload?.['access_token'] !== 'string' || payload['access_token'] === '') {
    const code = typeof payload?.['error'] === 'string' && /^[\w.-]{1,64}$/.test(payload['error']) ? ` (${payload['error']})` : '';
    throw new ConclaveError('secret_not_found', `refreshing the access token failed: ${where} answered ${response.status}${code}`, {
      hint: 'the end user may need to authorize again: update the credential with a new access_token (and refresh_token)',
    });
  }
  const expiresIn = payload['expires_in'];
  const now = (options.now ?? Date.now)();
  return {
    accessToken: payload['access_token'],
    ...(typeof payload['refresh_token'] === 'string' && payload['refresh_token'] !== '' ? { refreshToken: payload['refresh_token'] } : {}),
    expiresAt: typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(now + expiresIn * 1000).toISOString() : null,
  };
}
