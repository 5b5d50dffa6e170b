/**
 * Parses a topology document (YAML or JSON — both go through the YAML parser, so positions work
 * the same) and validates it against the registry in one pass. Every problem found is located in
 * the source (file, line, column, JSON path) and all of them are thrown together as the `issues`
 * of one `invalid_document` error, so a user fixes a document in one round trip, not ten.
 */
import { budgetSchema, ConclaveError, outcomeSchema, providersSectionSchema, registryWithDocumentProviders, timeoutsSchema, type ProvidersSection, type Registry } from '../protocol/index.js';
import { didYouMeanHint } from './did-you-mean.js';
import { checkModelReferences } from './check-model-reference.js';
import { appendProblems, documentProblem, isPlainObject } from './document-problem.js';
import {
  defaultableAgentFields,
  documentDefaultsSchema,
  documentRetrySchema,
  documentTopLevelSchema,
  type DocumentDefaults,
  type TopologyDocument,
} from './document-schema.js';
import { countAgentSlots } from './count-agent-slots.js';
import { documentTooLargeError, isStackOverflow, resolveDocumentLimits, stackExhaustedError, type DocumentLimits } from './document-limits.js';
import { formatJsonPath } from './format-json-path.js';
import type { YamlLocator } from './locate-yaml-path.js';
import { locatedProblemsError, readYamlSource, sourceLocation } from './yaml-source.js';
import { checkAgentTools } from './check-agent-tools.js';
import { checkMemorySection } from './check-memory-section.js';
import { parseToolSections } from './tool-sections.js';
import { validateTopologyLevel, type ValidationContext } from './validate-topology-level.js';
import { parseWithProblems } from './zod-problems.js';

/** Where the text came from, what to validate it against, and how large it may be. */
export interface ParseDocumentContext {
  /** Shown in messages and locations (`examples/debate.yaml`). */
  file?: string;
  registry: Registry;
  /** Limits on size, depth, entries and agents; those left out come from `defaultDocumentLimits`. */
  limits?: Partial<DocumentLimits>;
  /** Where a user changes the limits, named in `document_too_large` hints (e.g. "the policy's limits section"). */
  limitsSource?: string;
}

const shapeHint = 'a topology document is a mapping such as "topology: debate" followed by "agents:" and its list of agents';

/** An empty mapping key (`options:` with nothing under it) reads as absent rather than as null. */
function absentIfNull(value: unknown): unknown {
  return value === null ? undefined : value;
}

/** The valid fields of `defaults` (invalid ones are reported and not applied). */
function usableDefaults(raw: unknown, context: ValidationContext): DocumentDefaults {
  const parsed = parseWithProblems(documentDefaultsSchema.optional(), raw, ['defaults']);
  if (!parsed.ok) appendProblems(context.problems, parsed.problems);
  if (!isPlainObject(raw)) return {};
  const defaults: Record<string, unknown> = {};
  for (const field of defaultableAgentFields) {
    if (documentDefaultsSchema.shape[field].safeParse(raw[field]).success && raw[field] !== undefined) defaults[field] = raw[field];
  }
  if (defaults.model !== undefined) {
    appendProblems(context.problems, checkModelReferences(defaults.model, ['defaults', 'model'], context.registry));
  }
  return defaults as DocumentDefaults;
}

/** The `providers:` section: each key a registered provider, each value its settings. */
function providerSettings(raw: unknown, context: ValidationContext): ProvidersSection | undefined {
  const parsed = parseWithProblems(providersSectionSchema.optional(), raw, ['providers']);
  if (!parsed.ok) {
    appendProblems(context.problems, parsed.problems);
    return undefined;
  }
  for (const [name, settings] of Object.entries(parsed.value ?? {})) {
    if (settings.compatible !== undefined) {
      const kinds = [...(context.registry.compatibleProviders?.keys() ?? [])];
      if (!kinds.includes(settings.compatible)) {
        const hint = didYouMeanHint(settings.compatible, kinds, 'compatible kinds');
        context.problems.push(documentProblem(['providers', name, 'compatible'], `unknown kind "${settings.compatible}"`, { hint }));
      } else if (settings.base_url === undefined) {
        context.problems.push(documentProblem(['providers', name], 'a provider declared with `compatible` needs a base_url'));
      }
      continue;
    }
    if (!context.registry.providers.has(name)) {
      const hint = didYouMeanHint(name, context.registry.providers.keys(), 'known providers');
      context.problems.push(
        documentProblem(['providers', name], `unknown provider "${name}"`, {
          code: 'unknown_provider',
          hint: hint ?? 'to declare your own OpenAI-compatible service, add `compatible: openai` and `base_url`',
        }),
      );
    }
  }
  return parsed.value;
}

function retryPolicy(raw: unknown, context: ValidationContext): TopologyDocument['retry'] | undefined {
  const parsed = parseWithProblems(documentRetrySchema.optional(), raw, ['retry']);
  if (!parsed.ok) {
    appendProblems(context.problems, parsed.problems);
    return undefined;
  }
  const retry = parsed.value ?? documentRetrySchema.parse({});
  if (retry.max_delay_ms < retry.initial_delay_ms) {
    context.problems.push(documentProblem(['retry', 'max_delay_ms'], `must be at least initial_delay_ms (${retry.initial_delay_ms})`));
  }
  return { maxAttempts: retry.max_attempts, initialDelayMs: retry.initial_delay_ms, maxDelayMs: retry.max_delay_ms };
}

/**
 * Parses and validates a topology document. Throws `ConclaveError` with code `document_too_large`
 * for a document past one of the limits (bytes, depth, entries, agents), `document_syntax` for
 * unparsable text and `invalid_document` otherwise, with the first 50 problems in `issues`.
 *
 * @example
 * const document = parseTopologyDocument('topology: debate\nagents: [...]\n', { file: 'debate.yaml', registry });
 * document.topology // → 'debate'
 */
export function parseTopologyDocument(text: string, context: ParseDocumentContext): TopologyDocument {
  const limitOptions = { limits: context.limits, limitsSource: context.limitsSource };
  const { raw, locate } = readYamlSource(text, context.file, shapeHint, limitOptions);
  const limits = resolveDocumentLimits(limitOptions);
  const agents = countAgentSlots(raw.agents, ['agents'], limits.agents);
  if (agents.exceededAt !== undefined) {
    throw documentTooLargeError('agents', agents.count, limits, sourceLocation(context.file, locate(agents.exceededAt), formatJsonPath(agents.exceededAt)));
  }
  try {
    return validateDocument(raw, locate, context);
  } catch (error) {
    // The limits keep nesting far from the stack's end, but a check may still recurse along a chain.
    if (isStackOverflow(error)) throw stackExhaustedError('validate', limits, context.file === undefined ? undefined : { file: context.file }, error);
    throw error;
  }
}

/** Validates a document already read and measured, against the registry. */
function validateDocument(raw: Record<string, unknown>, locate: YamlLocator, context: ParseDocumentContext): TopologyDocument {
  const { file, registry } = context;
  // Each part is checked even when another part failed, so that one pass reports everything.
  const validation: ValidationContext = { registry, defaults: {}, problems: [] };
  const top = parseWithProblems(documentTopLevelSchema, raw, []);
  if (!top.ok) appendProblems(validation.problems, top.problems);
  const retry = retryPolicy(absentIfNull(raw.retry), validation);
  const providers = providerSettings(absentIfNull(raw.providers), validation);
  // Providers the document declares (`compatible: openai`) are usable by its agents and defaults.
  validation.registry = registryWithDocumentProviders(registry, providers);
  validation.defaults = usableDefaults(absentIfNull(raw.defaults), validation);
  const timeouts = parseWithProblems(timeoutsSchema.optional(), absentIfNull(raw.timeouts), ['timeouts']);
  if (!timeouts.ok) appendProblems(validation.problems, timeouts.problems);
  const budget = parseWithProblems(budgetSchema.optional(), absentIfNull(raw.budget), ['budget']);
  if (!budget.ok) appendProblems(validation.problems, budget.problems);
  const outcome = parseWithProblems(outcomeSchema.optional(), absentIfNull(raw.outcome), ['outcome']);
  if (!outcome.ok) appendProblems(validation.problems, outcome.problems);
  else if (outcome.value?.grader !== undefined) appendProblems(validation.problems, checkModelReferences(outcome.value.grader, ['outcome', 'grader'], validation.registry));
  const level = validateTopologyLevel(
    { topology: raw.topology, agents: raw.agents, options: absentIfNull(raw.options), path: [] },
    validation,
  );
  const toolSections = parseToolSections(raw, file, validation.problems);
  const memory = checkMemorySection(absentIfNull(raw.memory), level?.agents, validation.problems);
  if (level !== undefined) {
    appendProblems(validation.problems, checkAgentTools(level.agents, ['agents'], [...(toolSections.tools ?? []).map((tool) => tool.name), ...(registry.tools?.keys() ?? []), ...memory.toolNames], (toolSections.mcpServers ?? []).map((server) => server.name)));
  }
  if (validation.problems.length > 0) throw locatedProblemsError(validation.problems, locate, file);
  if (!top.ok || retry === undefined || level === undefined) {
    throw new ConclaveError('internal', 'document validation failed without reporting a problem');
  }

  const result: TopologyDocument = { topology: level.topology, retry, agents: level.agents, options: level.options };
  if (level.alias !== undefined) result.alias = level.alias;
  for (const key of ['name', 'description', 'task'] as const) if (top.value[key] !== undefined) result[key] = top.value[key];
  if (top.value.seed !== undefined) result.seed = top.value.seed;
  if (top.value.on_agent_error !== undefined) result.on_agent_error = top.value.on_agent_error;
  if (providers !== undefined) result.providers = providers;
  if (timeouts.ok && timeouts.value !== undefined) result.timeouts = timeouts.value;
  if (budget.ok && budget.value !== undefined) result.budget = budget.value;
  if (outcome.ok && outcome.value !== undefined) result.outcome = outcome.value;
  if (memory.entries !== undefined) result.memory = memory.entries;
  if (toolSections.environment !== undefined) result.environment = toolSections.environment;
  if (toolSections.tools !== undefined) result.tools = toolSections.tools;
  if (toolSections.mcpServers !== undefined) result.mcp_servers = toolSections.mcpServers;
  return result;
}
