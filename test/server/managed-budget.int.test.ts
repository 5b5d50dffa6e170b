// The Managed Agents `budget` through the official SDK client: set at creation it is the session's
// `max_usd`; reached, the turn stops idle with `stop_reason: budget_reached` before the next model
// call; raised with an update, the refused turn goes on at once. The reference's rules hold: no
// budget added to a session created without one, no ceiling at or below what was spent, no budget
// over a model without a price, and shapes it does not know are a 400 naming the field.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createMemoryStore } from '../../src/store/index.js';
import { streamManagedWhile, type ManagedStreamEvent } from '../support/managed-stream.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let client: Anthropic;
let environmentId: string;

beforeAll(async () => {
  // A (fake) OpenAI key, so an agent on an unpriced OpenAI model gets as far as the budget check.
  server = await startTestServer({ kernel: new Kernel({ store: createMemoryStore(), registry: createDefaultRegistry(), env: { ...process.env, OPENAI_API_KEY: 'sk-test-not-used' } }) });
  client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
  environmentId = (await client.beta.environments.create({ name: 'local', config: { type: 'cloud', networking: { type: 'unrestricted' } } })).id;
});
afterAll(async () => {
  await server.close();
});

const isIdle = (event: ManagedStreamEvent): boolean => event.type === 'session.status_idle';
/** An offline model priced at $0.10 a token: every call costs well over a dollar. */
const pricedModel = 'offline/echo?price_in=100000&price_out=100000';

async function agentOn(model: string): Promise<string> {
  return (await client.beta.agents.create({ name: 'budgeted', model } as never)).id;
}

function say(sessionId: string, text: string): Promise<unknown> {
  return client.beta.sessions.events.send(sessionId, { events: [{ type: 'user.message', content: [{ type: 'text', text }] }] });
}

describe('Managed Agents budgets through the official SDK', () => {
  it('stops the next turn with budget_reached, and an update raising the budget lets the refused turn run', async () => {
    const agent = await agentOn(pricedModel);
    const session = await client.beta.sessions.create({ agent, environment_id: environmentId, budget: { type: 'limit', max_list_cost: { amount: '50', currency: 'USD' } } });
    expect(session.budget).toEqual({ type: 'limit', max_list_cost: { amount: '50', currency: 'USD' } });

    // Nothing spent yet: the first turn runs, and its one call passes the 50-cent ceiling.
    const first = await streamManagedWhile(client, session.id, () => say(session.id, 'Name three CRDTs.'), isIdle);
    expect(first.at(-1)?.['stop_reason']).toEqual({ type: 'end_turn' });
    const spent = Number((await client.beta.sessions.retrieve(session.id)).usage.list_cost?.amount);
    expect(spent).toBeGreaterThan(50);

    // The next turn is refused before its model call: no span, no message.
    const second = await streamManagedWhile(client, session.id, () => say(session.id, 'And one more.'), isIdle);
    expect(second.map((event) => event.type)).toEqual(['user.message', 'session.status_running', 'session.status_idle']);
    expect(second.at(-1)?.['stop_reason']).toEqual({ type: 'budget_reached' });
    expect((await client.beta.sessions.retrieve(session.id)).status).toBe('idle');

    // Raising the ceiling above what was spent resumes the turn at once.
    const raised = { type: 'limit' as const, max_list_cost: { amount: String(spent * 10), currency: 'USD' as const } };
    const resumed = await streamManagedWhile(client, session.id, () => client.beta.sessions.update(session.id, { budget: raised }), isIdle);
    expect(resumed.map((event) => event.type)).toEqual(['session.status_running', 'span.model_request_start', 'agent.message', 'span.model_request_end', 'session.status_idle']);
    expect(resumed.at(-1)?.['stop_reason']).toEqual({ type: 'end_turn' });
    const after = await client.beta.sessions.retrieve(session.id);
    expect(after.budget).toEqual(raised);
    expect(Number(after.usage.list_cost?.amount)).toBeGreaterThan(spent);

    // Null removes it; then it cannot be set again (the reference's `budget_create_only`).
    const removed = await client.beta.sessions.update(session.id, { budget: null });
    expect(removed.budget).toBeNull();
    await expect(client.beta.sessions.update(session.id, { budget: raised })).rejects.toMatchObject({ status: 400, error: { error: { details: { error_code: 'budget_create_only' } } } });
  });

  it('refuses a ceiling at or below what was spent, and a budget added to a session created without one', async () => {
    const agent = await agentOn(pricedModel);
    const session = await client.beta.sessions.create({ agent, environment_id: environmentId, budget: { type: 'limit', max_list_cost: { amount: '10000', currency: 'USD' } } });
    await streamManagedWhile(client, session.id, () => say(session.id, 'Hello there.'), isIdle);
    await expect(client.beta.sessions.update(session.id, { budget: { type: 'limit', max_list_cost: { amount: '1', currency: 'USD' } } })).rejects.toMatchObject({
      status: 400,
      error: { error: { details: { error_code: 'budget_not_raised' } } },
    });

    const plain = await client.beta.sessions.create({ agent, environment_id: environmentId });
    expect(plain.budget).toBeNull();
    await expect(client.beta.sessions.update(plain.id, { budget: { type: 'limit', max_list_cost: { amount: '100', currency: 'USD' } } })).rejects.toMatchObject({
      status: 400,
      error: { error: { details: { error_code: 'budget_create_only' } } },
    });
  });

  it('refuses a budget over a model with no list price (model_not_budgetable), before the session exists', async () => {
    const agent = await agentOn('openai/gpt-nope');
    const before = (await client.beta.sessions.list()).data.length;
    await expect(client.beta.sessions.create({ agent, environment_id: environmentId, budget: { type: 'limit', max_list_cost: { amount: '100', currency: 'USD' } } })).rejects.toMatchObject({
      status: 400,
      error: { error: { message: expect.stringContaining('no known price'), details: { error_code: 'model_not_budgetable' } } },
    });
    expect((await client.beta.sessions.list()).data.length).toBe(before);
  });

  it('answers a budget shape it does not support with a 400 naming the field', async () => {
    const agent = await agentOn(pricedModel);
    const create = (budget: unknown): Promise<unknown> => client.beta.sessions.create({ agent, environment_id: environmentId, budget } as never);
    await expect(create({ type: 'limit', max_list_cost: { amount: '100', currency: 'EUR' } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('budget.max_list_cost.currency') });
    await expect(create({ type: 'limit', max_list_cost: { amount: '1.50', currency: 'USD' } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('budget.max_list_cost.amount') });
    await expect(create({ type: 'tokens', max_tokens: 1000 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('budget') });
  });
});
