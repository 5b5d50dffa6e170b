// A registry for tests: the built-in topologies plus exactly the providers a suite passes in.
import { builtInAliases, builtInTopologies } from '../../topologies/index.js';
import type { ProviderModule, Registry } from '../../src/protocol/index.js';

export function testRegistry(...providers: ProviderModule[]): Registry {
  return {
    topologies: new Map(builtInTopologies.map((topology) => [topology.name, topology])),
    aliases: new Map(builtInAliases.map((alias) => [alias.alias, alias])),
    providers: new Map(providers.map((provider) => [provider.name, provider])),
  };
}
