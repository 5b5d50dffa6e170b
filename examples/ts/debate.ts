// A three-way offline debate run from code, then its journal read back as typed events.
//   npm run build && npx tsx examples/ts/debate.ts
import { Conclave, type SessionResult, type TopologyDocument } from 'conclave';

const document: TopologyDocument = {
  topology: 'debate',
  name: 'Four-day week',
  task: 'Should our 40-person software company move to a four-day work week?',
  seed: 7,
  defaults: { model: 'offline/persona', max_tokens: 300 },
  agents: [
    { name: 'optimist', model: 'offline/persona?persona=optimist', system: 'You argue for bold change.' },
    { name: 'skeptic', model: 'offline/persona?persona=skeptic', system: 'You probe risks and costs.' },
    { name: 'pragmatist', model: 'offline/persona?persona=pragmatist', system: 'You weigh trade-offs.' },
  ],
  options: { rounds: 2 },
};

const conclave = new Conclave({ store: ':memory:' });
try {
  const result: SessionResult = await conclave.run(document);
  let messages = 0;
  for await (const event of conclave.events(result.sessionId)) {
    if (event.type === 'agent.message') messages += 1;
  }
  console.log(`${result.status} after ${messages} messages (${result.reason ?? 'no reason'}), ${result.usage.outputTokens} tokens out`);
  console.log(result.answer);
} finally {
  await conclave.close();
}
