// `conclave design`'s designer loop with the offline designer: different kinds of task get different
// topologies, every design validates and names only usable models, and a designer whose first
// document is invalid is shown the problems and repairs it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { designTopology, usableModels } from '../../src/design/design-topology.js';
import { isNestedTopology } from '../../src/protocol/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { chooseDesign } from '../../providers/offline/topology-designer.js';

const registry = createDefaultRegistry();
const directory = mkdtempSync(join(tmpdir(), 'conclave-design-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const tasks: Array<[string, string]> = [
  ['Should we move our services to a monorepo?', 'debate'],
  ['Pick the best name for our new command-line tool', 'tournament'],
  ['Plan the launch of our open-source database', 'hierarchical'],
  ["Write a short apology email for yesterday's outage", 'reflection'],
  ['What is 17*3+4?', 'voting'],
  ['Brainstorm ideas for the team offsite', 'group-chat'],
  ['For each review, name the main problem:\nThe export times out.\nDark mode is hard to read.\nSMS codes arrive late.', 'map-reduce'],
  ['Which cloud regions matter for a European startup', 'parallel'],
];

describe('conclave design (offline designer)', () => {
  it.each(tasks)('designs %j as a valid %s document', async (task, topology) => {
    const design = await designTopology({ task, registry, env: {} });
    expect(design.model).toBe('offline/designer');
    expect(design.attempts).toBe(1);
    expect(design.document.topology).toBe(topology);
    expect(design.document.task?.trim()).toBe(task.trim());
    for (const slot of design.document.agents) {
      if (!isNestedTopology(slot)) expect(String(slot.model)).toMatch(/^offline\/persona\?persona=/);
    }
    // Commented YAML: the header and the designer's reason for its choice.
    expect(design.yaml).toMatch(/^# Designed by conclave design with offline\/designer for:/);
    expect(design.yaml).toContain(`# ${topology}: `);
  });

  it('picks different topologies for different kinds of task', () => {
    expect(new Set(tasks.map(([task]) => chooseDesign(task).topology)).size).toBe(tasks.length);
  });

  it('gives agents the models of the providers whose keys are set', async () => {
    expect(usableModels(registry, {})).toEqual(['offline/persona']);
    const models = usableModels(registry, { OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test' });
    expect(models).toEqual(expect.arrayContaining(['openai/gpt-4.1-mini']));
    expect(models.some((model) => model.startsWith('anthropic/'))).toBe(true);
    expect(models).not.toContain('offline/persona');
    const design = await designTopology({ task: 'Should we adopt TypeScript?', registry, env: { OPENAI_API_KEY: 'sk-test' }, model: 'offline/designer' });
    expect(design.document.agents.map((slot) => (isNestedTopology(slot) ? '' : slot.model))).toEqual(['openai/gpt-4.1-mini', 'openai/gpt-4.1-mini', 'openai/gpt-4.1-mini']);
  });

  it('shows the designer the problems of an invalid document, and it repairs it', async () => {
    const script = join(directory, 'designer.yaml');
    writeFileSync(
      script,
      [
        '- when: "Problems:"',
        '  text: "topology: debate\\ntask: Tabs or spaces?\\nagents:\\n  - { name: a, model: offline/echo }\\n  - { name: b, model: offline/echo }\\n"',
        '- text: "topology: debat\\nagents:\\n  - { name: a, model: offline/echo }\\n"',
      ].join('\n'),
    );
    const attempts: Array<readonly string[]> = [];
    const design = await designTopology({ task: 'Tabs or spaces?', registry, env: {}, model: `offline/scripted?script=${script}`, onAttempt: (_, problems) => attempts.push(problems) });
    expect(design.attempts).toBe(2);
    expect(design.document.topology).toBe('debate');
    expect(attempts[0]).toEqual([]);
    expect(attempts[1]?.join('\n')).toMatch(/debat/);
  });

  it('gives up with design_failed, naming the problems, when repairs run out', async () => {
    const script = join(directory, 'stubborn.yaml');
    writeFileSync(script, '- text: "topology: debat\\nagents: []\\n"\n');
    await expect(designTopology({ task: 'Tabs or spaces?', registry, env: {}, model: `offline/scripted?script=${script}`, maxRepairs: 1 })).rejects.toMatchObject({
      code: 'design_failed',
      message: expect.stringMatching(/still invalid after 1 repair/),
    });
  });
});
