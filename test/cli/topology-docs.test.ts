// topologies/README.md is generated from the registry; this keeps it in step with the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineDiagram } from '../../src/cli/machine-diagram.js';
import { topologiesReadme, topologyMarkdown } from '../../src/cli/commands/topology-docs.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { debateTopology } from '../../topologies/debate.js';

const root = join(import.meta.dirname, '..', '..');

describe('topology documentation', () => {
  it('topologies/README.md is current (regenerate: conclave topologies docs > topologies/README.md)', () => {
    const previous = process.cwd();
    process.chdir(root);
    try {
      expect(readFileSync(join(root, 'topologies', 'README.md'), 'utf8')).toBe(topologiesReadme(createDefaultRegistry()));
    } finally {
      process.chdir(previous);
    }
  });

  it('documents all 12 topologies, each with where steering goes, options, a diagram and an example', () => {
    const registry = createDefaultRegistry();
    expect([...registry.topologies.keys()].sort()).toEqual(
      ['dag', 'debate', 'group-chat', 'hierarchical', 'map-reduce', 'mixture-of-agents', 'parallel', 'pipeline', 'reflection', 'router', 'tournament', 'voting'],
    );
    const previous = process.cwd();
    process.chdir(root);
    try {
      for (const name of registry.topologies.keys()) {
        const section = topologyMarkdown(registry, name);
        expect(section, name).toContain('```mermaid');
        expect(section, name).toContain('```yaml');
        expect(registry.topologies.get(name)?.steering, name).toMatch(/\S/);
        expect(section, name).toContain(`**Steering:** ${registry.topologies.get(name)?.steering}`);
      }
      expect(topologyMarkdown(registry, 'star')).toContain('## hierarchical');
    } finally {
      process.chdir(previous);
    }
  });

  it('draws the machine\'s own states and guarded branches', () => {
    const diagram = machineDiagram(debateTopology.machine);
    expect(diagram).toContain('[*] --> debating');
    expect(diagram).toContain('deciding --> concluding: consensus');
    expect(diagram).toContain('concluding --> judging: hasJudge');
    expect(diagram).toContain('done --> [*]');
  });
});
