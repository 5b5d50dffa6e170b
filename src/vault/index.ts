/**
 * The credential vault: secrets by name (`${secret:NAME}`), resolved from the environment or the
 * encrypted vault file only where a provider or connection needs them, and redacted everywhere else.
 */
export { assertSecretName, secretNamePattern } from './secret-name.js';
export {
  defaultVaultPath,
  minimumPassphraseLength,
  openVaultFile,
  resolveVaultPath,
  vaultKeyVariable,
  vaultPathVariable,
  type OpenVaultFileOptions,
  type VaultEntryInfo,
  type VaultFile,
} from './vault-file.js';
export {
  createSecretResolver,
  findSecretReferences,
  resolveSecret,
  substituteSecrets,
  type SecretLookup,
  type SecretReference,
  type SecretSources,
} from './secret-resolver.js';
export { createRedactor, minimumRedactedLength, redactionMarker, type NamedSecret, type Redactor } from './redactor.js';
