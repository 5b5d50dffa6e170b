/**
 * The credential vault: secrets by name (`${secret:NAME}`), resolved from the environment or the
 * encrypted vault file only where a provider or connection needs them, and redacted everywhere else.
 */
export { assertSecretName, assertVaultEntryName, secretNamePattern, vaultEntryNamePattern, workspaceSecretEntry } from './secret-name.js';
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
  type SecretScopeOption,
  type SecretSources,
} from './secret-resolver.js';
export { createRedactor, minimumRedactedLength, redactionMarker, type NamedSecret, type Redactor } from './redactor.js';
export { createStreamRedactor, type StreamRedactor } from './stream-redactor.js';
export { knownSecretsFromEnvironment, providerKeyVariables } from './environment-secrets.js';
