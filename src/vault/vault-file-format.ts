/**
 * The on-disk shape of the vault file, parsed with zod at the edge so that a hand-edited or foreign
 * file is a clear error, not a crash. Only ciphertext, IVs, tags, names and dates are stored; the
 * key is never written anywhere, and the salt is not secret.
 *
 * ```json
 * { "format": "conclave-vault", "version": 1, "cipher": "aes-256-gcm",
 *   "kdf": { "algorithm": "scrypt", "salt": "…", "N": 32768, "r": 8, "p": 1 },
 *   "check": { "iv": "…", "data": "…", "tag": "…" },
 *   "secrets": { "OPENAI_API_KEY": { "iv": "…", "data": "…", "tag": "…", "updatedAt": "2025-…Z" } } }
 * ```
 */
import { z } from 'zod';
import { vaultEntryNamePattern } from './secret-name.js';

const sealedValueSchema = z.object({ iv: z.string().min(1), data: z.string(), tag: z.string().min(1) });

const scryptCostSchema = z
  .number()
  .int()
  .min(2 ** 10)
  .max(2 ** 20)
  .refine((value) => (value & (value - 1)) === 0, 'N must be a power of two');

export const vaultDocumentSchema = z.object({
  format: z.literal('conclave-vault'),
  version: z.literal(1),
  cipher: z.literal('aes-256-gcm'),
  kdf: z.object({
    algorithm: z.literal('scrypt'),
    salt: z.string().min(16),
    N: scryptCostSchema,
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
  }),
  /** A known plaintext sealed with the key: tells a wrong passphrase from a tampered entry. */
  check: sealedValueSchema,
  secrets: z.record(z.string().regex(vaultEntryNamePattern), sealedValueSchema.extend({ updatedAt: z.string().min(1) })),
});

export type VaultDocument = z.infer<typeof vaultDocumentSchema>;

/** What the check value decrypts to. */
export const checkPlaintext = 'conclave-vault';

/**
 * Associated data of the check value: bound to the salt, so a check copied from another file fails.
 *
 * @example
 * checkAssociatedData(document.kdf.salt) // → 'conclave-vault:v1:check:<salt>'
 */
export function checkAssociatedData(salt: string): string {
  return `conclave-vault:v1:check:${salt}`;
}

/**
 * Associated data of a secret: its name and date, so neither can be changed without the key.
 *
 * @example
 * secretAssociatedData('OPENAI_API_KEY', '2025-01-01T00:00:00.000Z')
 */
export function secretAssociatedData(name: string, updatedAt: string): string {
  return `conclave-vault:v1:secret:${name}:${updatedAt}`;
}
