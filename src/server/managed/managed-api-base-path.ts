/**
 * Where the Managed-Agents-compatible API is mounted: the SDK's `baseURL` is the server URL plus
 * `/anthropic`, and it adds `/v1/…` itself.
 */

/** The path prefix of the Managed-Agents-compatible API (the SDK's `baseURL` is the server URL plus it). */
export const managedApiPrefix = '/anthropic';

/** Where the Managed route tables are mounted. */
export const managedApiBasePath = `${managedApiPrefix}/v1`;
