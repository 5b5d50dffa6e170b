/**
 * conclave as a library: `import { Conclave } from 'conclave'`. Everything a program needs to run
 * topology documents, read their journals, and plug in its own topologies, providers and tools —
 * no deep imports. The CLI (`conclave`) and the HTTP server are built on the same kernel.
 */
export { Conclave, type BudgetOptions, type ConclaveOptions, type DocumentInput, type EventsOptions, type RunOptions } from './library/conclave.js';
export type { StreamedItem } from './library/event-stream.js';
export type { AgentDocument, ModelAgentDocument, NestedTopologyDocument, TopologyDocument } from './library/document-types.js';
export type { TopologyDocument as ValidatedDocument } from './config/document-schema.js';
export { defineProvider, defineTool, defineTopology, extendRegistry, type RegistryExtensions } from './library/plugins.js';
export type { SessionResultJson as SessionResult } from './kernel/start-session.js';
export type { BudgetPatch, PendingToolUse, SessionResult as SessionSummaryResult, SpendLine, StreamDelta } from './kernel/index.js';
export type {
  AgentMemoryStore,
  ListMemoriesOptions,
  ListMemoryStoresOptions,
  ListMemoryVersionsOptions,
  MemoryActor,
  MemoryChanges,
  MemoryDeletion,
  MemoryListItem,
  MemoryOperation,
  MemoryPage,
  MemoryRecord,
  MemorySearchHit,
  MemoryStoreChanges,
  MemoryStorePage,
  MemoryStoreRecord,
  MemoryVersionPage,
  MemoryVersionRecord,
  MemoryWrite,
  NewMemory,
  NewMemoryStore,
  SearchMemoriesOptions,
} from './memory/agent-memory-types.js';
export type { MemoryAccess, MemoryEntry, ResolvedMemoryEntry } from './memory/memory-settings.js';
export { createInProcessAgentMemoryStore } from './memory/in-process-agent-memory.js';
export { createId, idPrefixes, type IdKind } from './protocol/ids.js';
export { ConclaveError, isConclaveError, type ConclaveErrorJSON, type ConclaveErrorOptions, type ErrorCode as ConclaveErrorCode, type ErrorCategory, type ErrorLocation } from './protocol/errors.js';
export type {
  AgentCall,
  AgentReply,
  AgentSlot,
  AppendOptions,
  DocumentProviderPreset,
  FinishReason,
  FollowOptions,
  ListSessionsOptions,
  ModelAgent,
  NestedTopologyAgent,
  NewSessionEvent,
  ReadOptions,
  RetryPolicy,
  SpawnSettings,
  BudgetExceededData,
  CallAgentsInput,
  ClaimedSession,
  Cost,
  GenerateOptions,
  GenerateRequest,
  HostTool,
  HostToolContext,
  HostToolResult,
  Message,
  ModelPrice,
  PromptCacheOptions,
  ProviderAdapter,
  ProviderModule,
  ProviderSettings,
  Registry,
  SessionEvent,
  SessionStatus,
  SessionStore,
  SessionSummary,
  StopReason,
  StreamPart,
  ToolCall,
  ToolDefinition,
  TopologyAlias,
  TopologyDefinition,
  TopologyInput,
  TopologyIssue,
  TopologyResult,
  Usage,
} from './protocol/index.js';
// The kit for writing a topology machine: the actor placeholder and the call builders the built-ins use.
export { agentCall, callAgentsPlaceholder, userTurn } from '../topologies/support/call-agents.js';
