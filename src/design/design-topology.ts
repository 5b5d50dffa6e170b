/**
 * `conclave design`: a designer model proposes a topology document for a task. The prompt lists the
 * topologies (from the registry, so plug-ins count), the shape of a document, and the models the
 * user can run (those of providers whose keys are set; the offline simulator when none is). The
 * answer is validated like any document; its problems go back to the designer to repair, a few
 * times at most. The designer call is an ordinary session on an in-memory store, so it gets the
 * kernel's retries, timeouts and key checks. `offline/designer` designs deterministically with no key.
 */
import { parseTopologyDocument, type TopologyDocument } from '../config/index.js';
import { Kernel } from '../kernel/index.js';
import { ConclaveError, isConclaveError, type ConclaveErrorJSON, type Registry } from '../protocol/index.js';
import { createMemoryStore } from '../store/memory-store.js';

export interface DesignOptions {
  task: string;
  registry: Registry;
  /** The designer model; default: the first usable hosted model, else `offline/designer`. */
  model?: string;
  /** Environment to read provider keys from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Repairs after the first answer, at most. Default 2. */
  maxRepairs?: number;
  /** Told of each attempt (for progress on a terminal). */
  onAttempt?: (attempt: number, problems: readonly string[]) => void;
}

export interface Design {
  /** The document as the designer wrote it (comments kept), with conclave's header. */
  yaml: string;
  document: TopologyDocument;
  /** The designer model used. */
  model: string;
  /** Models the designer could give agents. */
  models: string[];
  /** 1 when the first answer was valid. */
  attempts: number;
}

/**
 * The models a design may use: each keyed provider's first default model when its key is set;
 * the offline simulator when no key is.
 *
 * @example
 * usableModels(registry, { OPENAI_API_KEY: 'sk-…' }) // → ['openai/gpt-4.1-mini']
 * usableModels(registry, {}) // → ['offline/persona']
 */
export function usableModels(registry: Registry, env: Record<string, string | undefined>): string[] {
  const models: string[] = [];
  for (const module of registry.providers.values()) {
    const variables = [module.keyVariable, ...(module.alternativeKeyVariables ?? [])].filter((name): name is string => name !== undefined);
    if (variables.length === 0 || !variables.some((name) => (env[name] ?? '').trim() !== '')) continue;
    const model = module.defaultModels[0];
    if (model !== undefined) models.push(model);
  }
  return models.length > 0 ? models : ['offline/persona'];
}

/** The designer model: the first usable hosted one, or the offline designer. */
function defaultDesigner(models: readonly string[]): string {
  return models.find((model) => !model.startsWith('offline/')) ?? 'offline/designer';
}

function systemPrompt(registry: Registry): string {
  const topologies = [...registry.topologies.values()].map((definition) => `- ${definition.name}: ${definition.description.split('\n')[0]}`).join('\n');
  return [
    'You design multi-agent teams for conclave, a runtime that runs a team as a topology document (YAML).',
    'Answer with the YAML document only: no prose, no code fence. Use YAML comments (#) to explain the choice of topology and each role.',
    'A document has: name, topology, task, agents (each: name [letters, digits, - and _], model, optional system and description), and options for the topology.',
    'Give each agent a system prompt that states its role. Use only the models listed. Keep options to those the topology documents; the defaults are sensible.',
    'Topologies:',
    topologies,
  ].join('\n');
}

/** The first user message: the sections the offline designer reads too (`Task:`, `Models:`). */
function designPrompt(task: string, models: readonly string[]): string {
  return `Task:\n${task.trim()}\n\nModels:\n${models.map((model) => `- ${model}`).join('\n')}\n\nWrite the topology document for this task.`;
}

/** The answer's YAML: without a code fence around it, if the model added one. */
function yamlOf(answer: string): string {
  const fenced = /```(?:ya?ml)?\s*\n([\s\S]*?)```/i.exec(answer);
  return `${(fenced?.[1] ?? answer).trim()}\n`;
}

/** The document's problems, one line each, or the error itself when it is not a document problem. */
function problemsOf(error: unknown): string[] {
  if (!isConclaveError(error)) throw error;
  if (error.code !== 'invalid_document' && error.code !== 'document_syntax' && error.code !== 'document_too_large') throw error;
  const described = (problem: ConclaveErrorJSON): string => {
    const where = problem.location === undefined ? '' : `${problem.location.line !== undefined ? `line ${problem.location.line}` : ''}${problem.location.path !== undefined ? ` (${problem.location.path})` : ''}: `;
    return `${where}${problem.message}${problem.hint !== undefined ? ` — ${problem.hint}` : ''}`;
  };
  const issues = error.issues;
  return issues === undefined || issues.length === 0 ? [described(error.toJSON())] : issues.map(described);
}

/**
 * Designs a topology document for `task`; rejects with `design_failed` (listing the last problems)
 * when no answer validates within the repairs.
 *
 * @example
 * const design = await designTopology({ task: 'Should we adopt a monorepo?', registry });
 * design.document.topology // → 'debate' with the offline designer
 * writeFileSync('team.yaml', design.yaml);
 */
export async function designTopology(options: DesignOptions): Promise<Design> {
  const env = options.env ?? process.env;
  const models = usableModels(options.registry, env);
  const model = options.model ?? defaultDesigner(models);
  const maxRepairs = Math.max(0, options.maxRepairs ?? 2);
  const kernel = new Kernel({ store: createMemoryStore(), registry: options.registry });
  const system = systemPrompt(options.registry);
  let task = designPrompt(options.task, models);
  let problems: string[] = [];
  for (let attempt = 1; attempt <= maxRepairs + 1; attempt += 1) {
    options.onAttempt?.(attempt, problems);
    const result = await kernel.run({ topology: 'pipeline', agents: [{ name: 'designer', model, system }], options: { passes: 1 } }, { task });
    if (result.answer === undefined) {
      throw new ConclaveError('design_failed', `the designer ${model} gave no answer: ${result.error?.message ?? result.stopReason ?? 'unknown reason'}`, {
        hint: 'check the model name and its key (conclave providers ping MODEL), or design offline with --model offline/designer',
      });
    }
    const text = yamlOf(result.answer);
    try {
      const document = parseTopologyDocument(text, { file: 'design.yaml', registry: options.registry });
      const header = `# Designed by conclave design with ${model} for:\n#   ${options.task.trim().split('\n').join('\n#   ')}\n# Check it with: conclave validate FILE — run it with: conclave run FILE\n`;
      return { yaml: `${header}${text}`, document, model, models, attempts: attempt };
    } catch (error) {
      problems = problemsOf(error);
      task = `${designPrompt(options.task, models)}\n\nYour previous answer:\n${text}\nProblems:\n${problems.map((problem) => `- ${problem}`).join('\n')}\n\nWrite the whole corrected document.`;
    }
  }
  throw new ConclaveError('design_failed', `the designer's document was still invalid after ${maxRepairs} repair(s): ${problems.slice(0, 5).join('; ')}`, {
    hint: 'try another --model, or describe the task differently',
  });
}
