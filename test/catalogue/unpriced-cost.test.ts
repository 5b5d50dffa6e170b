// Unpriced calls: the cost formula marks them, the helpers read them off a session's events, and
// every face says "unpriced" instead of $0.00 while `usd` stays the priced part.
import { describe, expect, it } from 'vitest';
import { describeCost, unpricedModels, withUnpricedModels } from '../../src/catalogue/unpriced-cost.js';
import { formatUsd } from '../../src/cli/terminal.js';
import { modelCost } from '../../src/kernel/model-cost.js';
import type { SessionEvent, SessionSummary } from '../../src/protocol/index.js';
import { sessionView } from '../../src/server/native/sessions.js';

function completed(seq: number, model: string, cost: Record<string, unknown>): SessionEvent {
  return { id: `evt_${seq}`, seq, type: 'command.completed', at: '2026-12-04T00:00:00.000Z', data: { commandId: `cmd_${seq}`, kind: 'model.generate', attempt: 1, output: {}, model, cost, latencyMs: 1 } } as unknown as SessionEvent;
}

describe('unpriced costs', () => {
  it('marks a call without a price as unpriced, but never a simulated one', () => {
    const usage = { inputTokens: 1000, outputTokens: 200 };
    expect(modelCost(undefined, false, usage)).toEqual({ usd: 0, unpriced: true });
    expect(modelCost(undefined, true, usage)).toEqual({ usd: 0, simulated: true });
    expect(modelCost({ inputPerMillion: 3, outputPerMillion: 15 }, false, usage)).toEqual({ usd: 0.006 });
  });

  it('reads the unpriced models off a session, once each, sorted', () => {
    const events = [
      completed(1, 'openai/gpt-nope', { usd: 0, unpriced: true }),
      completed(2, 'anthropic/claude-haiku-4-5', { usd: 0.001 }),
      completed(3, 'openai/gpt-nope', { usd: 0, unpriced: true }),
      completed(4, 'mistral/new-one', { usd: 0, unpriced: true }),
    ];
    expect(unpricedModels(events)).toEqual(['mistral/new-one', 'openai/gpt-nope']);
  });

  it('adds cost.unpriced and unpricedModels to a JSON result, keeping usd as the priced part', () => {
    expect(withUnpricedModels({ answer: 'x', cost: { usd: 0.001 } }, ['openai/gpt-nope'])).toEqual({ answer: 'x', cost: { usd: 0.001, unpriced: true }, unpricedModels: ['openai/gpt-nope'] });
    expect(withUnpricedModels({ cost: { usd: 0.001 } }, [])).toEqual({ cost: { usd: 0.001 } });
  });

  it('says "unpriced" rather than $0.00', () => {
    expect(describeCost(0, ['openai/gpt-nope'], formatUsd)).toBe('unpriced (openai/gpt-nope)');
    expect(describeCost(0.5, ['openai/gpt-nope'], formatUsd)).toBe('$0.5000 + unpriced (openai/gpt-nope)');
    expect(describeCost(0, [], formatUsd)).toBe('$0.00');
  });

  it('marks the native API\'s session view, and only when some call was unpriced', () => {
    const summary = { id: 'sesn_1', status: 'idle', topology: 'pipeline', title: 't', workspace: 'default', createdAt: 'x', updatedAt: 'x', archivedAt: null, lastSeq: 2 } as unknown as SessionSummary;
    const priced = completed(1, 'anthropic/claude-haiku-4-5', { usd: 0.001 });
    expect(sessionView(summary, [priced, completed(2, 'openai/gpt-nope', { usd: 0, unpriced: true })]).cost).toMatchObject({ unpriced: true, unpriced_models: ['openai/gpt-nope'] });
    expect(sessionView(summary, [priced]).cost).not.toHaveProperty('unpriced');
  });
});
