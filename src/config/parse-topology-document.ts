/**
 * Parses a topology document (YAML or JSON — both go through the YAML parser, so positions work
 * the same) and validates it against the registry in one pass. Every problem found is located in
 * the source (file, line, column, JSON path) and all of them are thrown together as the `issues`
 * of one `invalid_document` error, so a user fixes a document in one round trip, not ten.
 */
import { ConclaveError, providersSectionSchema, registryWithDocumentProviders, timeoutsSchema, type ProvidersSection, type Registry } from '../protocol/index.js';
import { didYouMeanHint } from './did-you-mean.js';
import { checkModelReferences } from './check-model-reference.js';
import { documentProblem, isPlainObject } from './document-problem.js';
import {
  defaultableAgentFields,
  documentDefaultsSchema,
  documentRetrySchema,
  documentTopLevelSchema,
  type DocumentDefaults,
  type TopologyDocument,
} from './document-schema.js';
import { locatedProblemsError, readYamlSource } from './yaml-source.js';
import { checkAgentTools } from './check-agent-tools.js';
import { parseToolSections } from './tool-sections.js';
import { validateTopologyLevel, type ValidationContext } from './validate-topology-level.js';
import { parseWithProblems } from './zod-problems.js';

/** Where the text came from and what to validate it against. */
export interface ParseDocumentContext {
  /** Shown in messages and locations (`examples/debate.yaml`). */
  file?: string;
  registry: Registry;
}

const shapeHint = 'a topology document is a mapping such as "topology: debate" followed by "agents:" and its list of agents';



/** Turns collected problems into the one error the caller sees; issues are sorted by position. */

/** An empty mapping key (`options:` with nothing under it) reads as absent rather than as null. */
function absentIfNull(value: unknown): unknown {
  return value === null ? undefined : value;
}

/** The valid fields of `defaults` (invalid ones are reported and not applied). */
function usableDefaults(raw: unknown, context: ValidationContext): DocumentDefaults {
  const parsed = parseWithProblems(documentDefaultsSchema.optional(), raw, ['defaults']);
  if (!parsed.ok) context.problems.push(...parsed.problems);
  if (!isPlainObject(raw)) return {};
  const defaults: Record<string, unknown> = {};
  for (const field of defaultableAgentFields) {
    if (documentDefaultsSchema.shape[field].safeParse(raw[field]).success && raw[field] !== undefined) defaults[field] = raw[field];
  }
  if (defaults.model !== undefined) {
    context.problems.push(...checkModelReferences(defaults.model, ['defaults', 'model'], context.registry));
  }
  return defaults as DocumentDefaults;
}

/** The `providers:` section: each key a registered provider, each value its settings. */
function providerSettings(raw: unknown, context: ValidationContext): ProvidersSection | undefined {
  const parsed = parseWithProblems(providersSectionSchema.optional(), raw, ['providers']);
  if (!parsed.ok) {
    context.problems.push(...parsed.problems);
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
    context.problems.push(...parsed.problems);
    return undefined;
  }
  const retry = parsed.value ?? documentRetrySchema.parse({});
  if (retry.max_delay_ms < retry.initial_delay_ms) {
    context.problems.push(documentProblem(['retry', 'max_delay_ms'], `must be at least initial_delay_ms (${retry.initial_delay_ms})`));
  }
  return { maxAttempts: retry.max_attempts, initialDelayMs: retry.initial_delay_ms, maxDelayMs: retry.max_delay_ms };
}

/**
 * Parses and validates a topology document. Throws `ConclaveError` with code `document_syntax`
 * for unparsable text and `invalid_document` (with every problem in `issues`) otherwise.
 *
 * @example
 * const document = parseTopologyDocument('topology: debate\nagents: [...]\n', { file: 'debate.yaml', registry });
 * document.topology // → 'debate'
 */
export function parseTopologyDocument(text: string, context: ParseDocumentContext): TopologyDocument {
  const { file, registry } = context;
  const { raw, locate } = readYamlSource(text, file, shapeHint);

  // Each part is checked even when another part failed, so that one pass reports everything.
  const validation: ValidationContext = { registry, defaults: {}, problems: [] };
  const top = parseWithProblems(documentTopLevelSchema, raw, []);
  if (!top.ok) validation.problems.push(...top.problems);
  const retry = retryPolicy(absentIfNull(raw.retry), validation);
  const providers = providerSettings(absentIfNull(raw.providers), validation);
  // Providers the document declares (`compatible: openai`) are usable by its agents and defaults.
  validation.registry = registryWithDocumentProviders(registry, providers);
  validation.defaults = usableDefaults(absentIfNull(raw.defaults), validation);
  const timeouts = parseWithProblems(timeoutsSchema.optional(), absentIfNull(raw.timeouts), ['timeouts']);
  if (!timeouts.ok) validation.problems.push(...timeouts.problems);
  const level = validateTopologyLevel(
    { topology: raw.topology, agents: raw.agents, options: absentIfNull(raw.options), path: [] },
    validation,
  );
  const toolSections = parseToolSections(raw, file, validation.problems);
  if (level !== undefined) {
    validation.problems.push(...checkAgentTools(level.agents, ['agents'], (toolSections.tools ?? []).map((tool) => tool.name), (toolSections.mcpServers ?? []).map((server) => server.name)));
  }
  if (validation.problems.length > 0) throw locatedProblemsError(validation.problems, locate, file);
  if (!top.ok || retry === undefined || level === undefined) {
    throw new ConclaveError('internal', 'document validation failed without reporting a problem');
  }

  const result: TopologyDocument = { topology: level.topology, retry, agents: level.agents, options: level.options };
  if (level.alias !== undefined) result.alias = level.alias;
  for (const key of ['name', 'description', 'task'] as const) if (top.value[key] !== undefined) result[key] = top.value[key];
  if (top.value.seed !== undefined) result.seed = top.value.seed;
  if (providers !== undefined) result.providers = providers;
  if (timeouts.ok && timeouts.value !== undefined) result.timeouts = timeouts.value;
  if (toolSections.environment !== undefined) result.environment = toolSections.environment;
  if (toolSections.tools !== undefined) result.tools = toolSections.tools;
  if (toolSections.mcpServers !== undefined) result.mcp_servers = toolSections.mcpServers;
  return result;
}
