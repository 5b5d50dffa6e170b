/** The kernel's public surface: sessions, their results, and the live event feed. */
export { Kernel } from './kernel.js';
export type { CreateSessionOptions, KernelOptions, RunOptions, SecretScope, SendOptions, SessionDefinition, SessionTrust, UserMessage } from './kernel-options.js';
export { summarizeSession, type PendingToolUse, type SessionResult, type SpendLine } from './session-result.js';
export { LiveEvents, type LiveItem, type LiveListener, type StreamDelta, type SubscriptionObserver } from './live-events.js';
export { systemClock, abortableSleep, type Clock } from './clock.js';
export { defaultRetryPolicy, retryDelay, type RetryPolicy } from './retry-policy.js';
export { Journal, type ToolUseAnswer, type WaitingToolUse } from './journal.js';
export { defaultDenyMessage } from './tool-loop.js';
export { withDocumentToolPolicy } from './document-tool-policy.js';
export type { CustomToolResult, ToolAnswerReceipt, ToolConfirmation } from './tool-answers.js';
export { deriveSeed, hashString } from './seeds.js';
export { defaultMaxToolRounds, dispatchToolCall, runModelWithTools, type SessionTools, type ToolOutcome } from './tool-loop.js';
export { createSandboxTools, type DisposableSessionTools, type SandboxToolsOptions } from './sandbox-tools.js';
export { modelCost } from './model-cost.js';
export { ProviderAccess } from './provider-access.js';
export { applyBudgetPatch, describeBudgetStop, effectiveBudgets, parseBudgetFlags, raiseHint, type BudgetChange, type BudgetPatch } from './session-budget.js';
