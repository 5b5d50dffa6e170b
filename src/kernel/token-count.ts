/**
 * Token counts for context windows (`context.max_input_tokens`). OpenAI models are counted with
 * their own BPE encoding through js-tiktoken (`o200k_base` for GPT-4o, GPT-4.1, GPT-5 and the
 * o-series; `cl100k_base` for GPT-4 and GPT-3.5), loaded on first use only — it takes about a
 * second to build and nothing needs it unless an agent sets a context limit. Every other provider
 * (Anthropic, Google, Ollama, OpenAI-compatible services, offline) publishes no tokenizer that runs
 * here, so its count is an estimate: the offline simulator's word-ish tokens, roughly one per four
 * characters of English prose. Each counter says which it is (`label`), and the journal records it.
 */
import { parseModelRef, type Message, type ToolDefinition } from '../protocol/index.js';
import { countTokens } from '../../providers/offline/token-estimate.js';

/** Counts the tokens of a text; `label` says how (`tiktoken:o200k_base`, `estimate`). */
export interface TokenCounter {
  readonly label: string;
  count(text: string): number;
}

/** The label of counts that come from no tokenizer of the model's provider. */
export const estimateLabel = 'estimate';

const estimate: TokenCounter = { label: estimateLabel, count: countTokens };

type Encoding = 'o200k_base' | 'cl100k_base';

/** One encoder per encoding per process, built on first use. */
const encoders = new Map<Encoding, Promise<TokenCounter>>();

async function loadEncoder(encoding: Encoding): Promise<TokenCounter> {
  const [{ Tiktoken }, ranks] = await Promise.all([
    import('js-tiktoken/lite'),
    encoding === 'o200k_base' ? import('js-tiktoken/ranks/o200k_base') : import('js-tiktoken/ranks/cl100k_base'),
  ]);
  const encoder = new Tiktoken(ranks.default);
  // Special-token text in a message (`<|endoftext|>`) is counted as ordinary text, never refused.
  return { label: `tiktoken:${encoding}`, count: (text) => (text === '' ? 0 : encoder.encode(text, [], []).length) };
}

/**
 * The encoding of an OpenAI model id, or undefined when conclave knows none for it.
 *
 * @example
 * openAiEncoding('gpt-4.1-mini') // → 'o200k_base'
 * openAiEncoding('gpt-3.5-turbo') // → 'cl100k_base'
 */
export function openAiEncoding(model: string): Encoding | undefined {
  const id = model.split('?')[0]?.toLowerCase() ?? '';
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|gpt-oss|codex)/.test(id)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada)/.test(id)) return 'cl100k_base';
  return undefined;
}

/**
 * The token counter for a model (`provider/model`): its provider's tokenizer where one is at hand
 * (OpenAI's models; an unknown OpenAI id gets `o200k_base`, its newest models' encoding), an
 * estimate elsewhere.
 *
 * @example
 * (await tokenCounterFor('openai/gpt-4o')).label // → 'tiktoken:o200k_base'
 * (await tokenCounterFor('anthropic/claude-sonnet-4-5')).label // → 'estimate'
 */
export function tokenCounterFor(model: string): Promise<TokenCounter> | TokenCounter {
  const reference = parseModelRef(model);
  if (reference?.provider !== 'openai') return estimate;
  const encoding = openAiEncoding(reference.model) ?? 'o200k_base';
  let encoder = encoders.get(encoding);
  if (encoder === undefined) {
    encoder = loadEncoder(encoding);
    encoders.set(encoding, encoder);
    // A failed load is tried again by the next call rather than remembered.
    encoder.catch(() => encoders.delete(encoding));
  }
  return encoder;
}

/** Tokens every message costs beyond its text (role and separators, as OpenAI's chat format counts them). */
const perMessage = 3;
/** Tokens that prime the reply (`<|start|>assistant<|message|>`). */
const replyPriming = 3;

/**
 * Tokens of one message: its text, its tool calls (name and JSON input) or its tool result, and
 * the per-message overhead.
 *
 * @example
 * messageTokens(counter, { role: 'user', content: 'Hello' })
 */
export function messageTokens(counter: TokenCounter, message: Message): number {
  let tokens = perMessage + counter.count(message.content);
  if (message.role === 'assistant') {
    for (const call of message.toolCalls ?? []) tokens += perMessage + counter.count(call.toolName) + counter.count(JSON.stringify(call.input ?? {}));
  } else if (message.role === 'tool') {
    tokens += counter.count(message.toolName);
  }
  return tokens;
}

/**
 * Tokens a request costs besides its messages: the system prompt, the tool definitions offered and
 * the reply priming.
 *
 * @example
 * fixedTokens(counter, 'You are terse.', [])
 */
export function fixedTokens(counter: TokenCounter, system: string | undefined, tools: readonly ToolDefinition[] | undefined): number {
  let tokens = replyPriming;
  if (system !== undefined && system !== '') tokens += perMessage + counter.count(system);
  for (const tool of tools ?? []) tokens += counter.count(JSON.stringify(tool));
  return tokens;
}
