/**
 * What a secret may be called. Names look like environment variables (`OPENAI_API_KEY`) because the
 * environment is the first place a secret is looked up: one spelling works in both places.
 */
import { ConclaveError, type ErrorLocation } from '../protocol/index.js';

/** Upper-case letters, digits and `_`, not starting with a digit — an environment variable name. */
export const secretNamePattern = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Throws `invalid_argument` unless `name` is a valid secret name; returns it otherwise.
 *
 * @example
 * assertSecretName('OPENAI_API_KEY')  // → 'OPENAI_API_KEY'
 * assertSecretName('openai-key')      // throws invalid_argument
 */
export function assertSecretName(name: string, location?: ErrorLocation): string {
  if (secretNamePattern.test(name)) return name;
  const suggestion = name.toUpperCase().replace(/[^A-Z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
  throw new ConclaveError('invalid_argument', `invalid secret name ${JSON.stringify(name)}: use upper-case letters, digits and "_", not starting with a digit`, {
    ...(location !== undefined ? { location } : {}),
    ...(secretNamePattern.test(suggestion) ? { hint: `did you mean ${suggestion}?` } : {}),
  });
}
