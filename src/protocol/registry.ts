/**
 * The registry: the one place where topologies, aliases, providers and stores meet. The kernel, the
 * config loader and the CLI receive it by injection; `src/presets` builds the default one.
 */
import type { HostTool } from './host-tool.js';
import type { ProviderModule } from './provider.js';
import type { ProvidersSection } from './runtime-settings.js';
import type { TopologyAlias, TopologyDefinition } from './topology.js';

/** A provider a document declares itself: `providers.mycorp: { compatible: openai, base_url, api_key_env }`. */
export interface DocumentProviderPreset {
  name: string;
  baseUrl: string;
  /** Variable holding the key, or null for servers that need none. */
  keyVariable: string | null;
}

export interface Registry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each topology has its own options type
  readonly topologies: ReadonlyMap<string, TopologyDefinition<any>>;
  readonly aliases: ReadonlyMap<string, TopologyAlias>;
  readonly providers: ReadonlyMap<string, ProviderModule>;
  /** Builders for providers a document declares with `compatible: <kind>` (e.g. `openai`). */
  readonly compatibleProviders?: ReadonlyMap<string, (preset: DocumentProviderPreset) => ProviderModule>;
  /** Tools of the embedding program (see `host-tool.ts`), by name; agents list them like built-ins. */
  readonly tools?: ReadonlyMap<string, HostTool>;
}

/**
 * The registry a document sees: the built-in providers plus those it declares with `compatible:`.
 * Returns the same registry when the document declares none.
 *
 * @example
 * const effective = registryWithDocumentProviders(registry, { mycorp: { compatible: 'openai', base_url: 'https://llm.corp/v1' } });
 * effective.providers.has('mycorp') // → true
 */
export function registryWithDocumentProviders(registry: Registry, providers: ProvidersSection | undefined): Registry {
  const declared = Object.entries(providers ?? {}).filter(([name, settings]) => settings.compatible !== undefined && !registry.providers.has(name));
  if (declared.length === 0) return registry;
  const merged = new Map(registry.providers);
  for (const [name, settings] of declared) {
    const build = registry.compatibleProviders?.get(settings.compatible as string);
    if (build === undefined || settings.base_url === undefined) continue;
    merged.set(name, build({ name, baseUrl: settings.base_url, keyVariable: settings.api_key_env ?? null }));
  }
  return { ...registry, providers: merged };
}
