// group-chat on the offline simulator: a selector answers with a speaker's name (structured output,
// an enum of the speakers) and a speaker asked to hand over ends with `NEXT: <name>`, so neither
// mode falls back to round-robin — the choice is the model's, as it would be with a real one.
import { describe, expect, it } from 'vitest';
import { Conclave } from '../../src/index.js';
import { handoffLine } from '../../providers/offline/persona-writer.js';
import { createSeededRandom } from '../../providers/offline/seeded-random.js';
import { selectedName } from '../../topologies/group-chat.js';

const speakers = [
  { name: 'ada', model: 'offline/persona?persona=optimist' },
  { name: 'bob', model: 'offline/persona?persona=skeptic' },
  { name: 'cy', model: 'offline/persona?persona=pragmatist' },
];

describe('group-chat offline', () => {
  it.each(['selector', 'handoff'] as const)('%s: every turn is chosen by a model, none falls back', async (selection) => {
    const conclave = new Conclave();
    const agents = selection === 'selector' ? [...speakers, { name: 'host', model: 'offline/persona' }] : speakers;
    const result = await conclave.run({ topology: 'group-chat', task: 'Should we rewrite the billing service?', seed: 4, agents, options: { selection, max_turns: 6, ...(selection === 'selector' ? { selector: 'host' } : {}) } });
    await conclave.close();
    expect(result.status).toBe('idle');
    expect(result.details?.['fallbacks']).toEqual([]);
    expect(Object.values(result.byAgent).reduce((sum, line) => sum + line.calls, 0)).toBeGreaterThanOrEqual(3);
  });

  it('reads a selector reply as JSON or as a bare name', () => {
    expect(selectedName('{"next": "bob"}')).toBe('bob');
    expect(selectedName('Bob.\nBecause he knows billing.')).toBe('Bob.');
    expect(selectedName(undefined)).toBeUndefined();
  });

  it('hands over only when asked, and never to the speaker', () => {
    const random = createSeededRandom(1);
    expect(handoffLine('Task: x. You are ada, one of: ada, bob. Write your next message.', random)).toBe('');
    for (let seed = 0; seed < 20; seed += 1) {
      const line = handoffLine('You are ada, one of: ada, bob. Then add a last line "NEXT: <name>" naming who should speak next (one of: ada, bob).', createSeededRandom(seed));
      expect(line).toBe('\nNEXT: bob');
    }
  });
});
