/**
 * Per-document runtime settings shared by the document loader (which validates them) and the kernel
 * (which applies them): how to reach each provider — base URL, which environment variable holds its
 * key, concurrency and per-minute limits, price overrides — and call timeouts, which have defaults.
 * Keys themselves are never written in a document; `api_key_env` only names the variable.
 */
import { z } from 'zod';

const environmentVariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'name an environment variable (e.g. WORK_OPENAI_KEY), never the key itself');

export const modelPriceSchema = z.strictObject({
  input: z.number().min(0).describe('USD per million input tokens'),
  output: z.number().min(0).describe('USD per million output tokens'),
  cached_input: z.number().min(0).optional().describe('USD per million cached input tokens'),
  cache_write_input: z.number().min(0).optional().describe('USD per million input tokens written to the prompt cache'),
});

export const providerSettingsSchema = z.strictObject({
  compatible: z
    .string()
    .optional()
    .describe('Declare a new provider speaking this wire protocol (e.g. `openai`); then `base_url` is required.'),
  base_url: z.url().optional().describe('Where the provider (or a compatible server, proxy or emulator) listens.'),
  api_key: z
    .string()
    .regex(/^\$\{secret:[A-Z_][A-Z0-9_]*\}$/, 'api_key must be a ${secret:NAME} reference (the key itself never goes in a document)')
    .optional()
    .describe('The key as a secret reference, resolved from the environment or the vault when the session runs.'),
  api_key_env: environmentVariableName.optional().describe('Environment variable holding the key (default: the provider\'s standard one).'),
  concurrency: z.number().int().min(1).optional().describe('Most calls in flight to this provider at once, across sessions.'),
  requests_per_minute: z.number().positive().optional().describe('Most calls started per minute.'),
  tokens_per_minute: z.number().positive().optional().describe('Most tokens (input + output) per minute.'),
  prices: z.record(z.string(), modelPriceSchema).optional().describe('Price overrides by model id (without the provider prefix).'),
  cache: z.boolean().optional().describe('`false` sends no prompt-caching hints to this provider (default: cache the stable prefix).'),
});
export type ProviderDocumentSettings = z.infer<typeof providerSettingsSchema>;

export const providersSectionSchema = z.record(z.string(), providerSettingsSchema);
export type ProvidersSection = z.infer<typeof providersSectionSchema>;

export const timeoutsSchema = z.strictObject({
  first_token_ms: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Give up an attempt when no output has arrived after this long (covers connecting). Default 60000.'),
  idle_ms: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Give up an attempt whose stream, once output has started, stays silent this long between two parts. Default 60000.'),
  total_ms: z.number().int().positive().optional().describe('Give up an attempt that has not finished after this long. Default 600000.'),
});
export type CallTimeouts = z.infer<typeof timeoutsSchema>;

/**
 * The limits every provider call runs under when the document's `timeouts:` does not set them: a
 * provider that accepts a request and never answers would otherwise hold an attempt for the
 * socket's own default (about five minutes), for every attempt. The document overrides per field.
 */
export const defaultCallTimeouts: Readonly<Required<CallTimeouts>> = Object.freeze({
  first_token_ms: 60_000,
  idle_ms: 60_000,
  total_ms: 600_000,
});
