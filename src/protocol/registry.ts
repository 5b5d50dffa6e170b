/**
 * The registry: the one place where topologies, aliases, providers and stores meet. The kernel, the
 * config loader and the CLI receive it by injection; `src/presets` builds the default one.
 */
import type { ProviderModule } from './provider.js';
import type { TopologyAlias, TopologyDefinition } from './topology.js';

export interface Registry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each topology has its own options type
  readonly topologies: ReadonlyMap<string, TopologyDefinition<any>>;
  readonly aliases: ReadonlyMap<string, TopologyAlias>;
  readonly providers: ReadonlyMap<string, ProviderModule>;
}
