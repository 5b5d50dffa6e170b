/**
 * The cryptography of the vault file, with node:crypto only. A 256-bit key is derived with scrypt
 * from the passphrase in CONCLAVE_VAULT_KEY and a random salt kept in the file; each secret is
 * sealed with AES-256-GCM under its own random 12-byte IV. The associated data names what is sealed
 * (the secret's name and date), so moving a sealed value to another name, or editing its date, fails
 * the auth tag just as editing the ciphertext does.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters, stored in the file so they can be raised later without breaking old files. */
export interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

/** One AES-256-GCM ciphertext with what is needed to open it (all base64). */
export interface SealedValue {
  iv: string;
  data: string;
  tag: string;
}

/** Cost for new files: 2^15 iterations of 8-block mixing, about 32 MiB and ~0.1 s per derivation. */
export const defaultScryptParameters: ScryptParameters = { N: 2 ** 15, r: 8, p: 1 };

const keyLength = 32;
const ivLength = 12;

/**
 * A fresh random salt for a new vault file (16 bytes, base64).
 *
 * @example
 * const salt = randomSalt(); // 'q3n1…=='
 */
export function randomSalt(): string {
  return randomBytes(16).toString('base64');
}

/**
 * Derives the 32-byte AES key from a passphrase and the file's salt.
 *
 * @example
 * const key = await deriveVaultKey('correct horse battery staple', salt, defaultScryptParameters);
 */
export function deriveVaultKey(passphrase: string, salt: string, parameters: ScryptParameters): Promise<Buffer> {
  // maxmem must exceed 128·N·r, which Node's 32 MiB default does not leave room for at N = 2^15.
  const options: ScryptOptions = { N: parameters.N, r: parameters.r, p: parameters.p, maxmem: 256 * parameters.N * parameters.r + 1024 * 1024 };
  return new Promise((resolvePromise, rejectPromise) => {
    scrypt(passphrase.normalize('NFC'), Buffer.from(salt, 'base64'), keyLength, options, (error, key) => (error === null ? resolvePromise(key) : rejectPromise(error)));
  });
}

/**
 * Encrypts `plaintext` under `key`, authenticating `associatedData` with it.
 *
 * @example
 * const sealed = sealValue(key, 'sk-…', 'conclave-vault:v1:secret:OPENAI_API_KEY');
 */
export function sealValue(key: Buffer, plaintext: string, associatedData: string): SealedValue {
  const iv = randomBytes(ivLength);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), data: data.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/**
 * Decrypts a sealed value; `undefined` when the key, the associated data or any byte is wrong
 * (GCM cannot tell those apart, so the caller decides what to say).
 *
 * @example
 * const value = openSealedValue(key, sealed, 'conclave-vault:v1:secret:OPENAI_API_KEY');
 */
export function openSealedValue(key: Buffer, sealed: SealedValue, associatedData: string): string | undefined {
  try {
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== ivLength || tag.length !== 16) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
