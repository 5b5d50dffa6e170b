/**
 * The contract between the kernel and everything that plugs into it. Types and zod schemas, plus a
 * few tiny helpers (ids, errors) that both sides need. A change here is a breaking change.
 */
export * from './agents.js';
export * from './commands.js';
export * from './errors.js';
export * from './environment.js';
export * from './events.js';
export * from './files.js';
export * from './ids.js';
export * from './linear-regex.js';
export * from './messages.js';
export * from './model-ref.js';
export * from './outcome.js';
export * from './provider.js';
export * from './registry.js';
export * from './host-tool.js';
export * from './resources.js';
export * from './retry.js';
export * from './runtime-settings.js';
export * from './sandbox.js';
export * from './store.js';
export * from './topology.js';
