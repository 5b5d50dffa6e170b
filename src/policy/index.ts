/**
 * The trust model in one module: the server policy (what documents from API callers may use), how
 * it is loaded, and the check every face runs before such a document is journaled or run.
 */
export { assertDocumentAllowed, checkDocumentPolicy, isMcpServerReference, type PolicyRefusal } from './check-document-policy.js';
export { isHostAllowed, urlHost } from './host-allow-list.js';
export { loadServerPolicy, parseServerPolicy, policyFileVariable } from './load-server-policy.js';
export { defaultServerPolicy, rulesFor, serverPolicySchema, type ServerPolicy, type WorkspaceRules } from './server-policy.js';
export { sessionTrustFor } from './session-trust.js';
