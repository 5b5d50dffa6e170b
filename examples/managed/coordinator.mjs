// A Managed Agents coordinator, through the official SDK: two saved agents form the roster of a
// lead (`multiagent: { type: 'coordinator' }`); the lead's session starts each one as a session
// thread, and the stream shows every thread being created and what it said. Offline: every model is
// offline/scripted, replaying examples/scripts/coordinator.yaml.
//   npx conclave keys create --workspace default      # prints a key
//   npx conclave serve --policy examples/managed/policy.yaml
//   CONCLAVE_API_KEY=<key> node examples/managed/coordinator.mjs
import process from 'node:process';
import Anthropic from '@anthropic-ai/sdk';

const print = (line) => process.stdout.write(`${line}\n`);

const client = new Anthropic({
  apiKey: process.env.CONCLAVE_API_KEY,
  baseURL: `${process.env.CONCLAVE_URL ?? 'http://127.0.0.1:8787'}/anthropic`,
});
const model = 'offline/scripted?script=coordinator.yaml';

const researcher = await client.beta.agents.create({ name: 'market researcher', model, system: 'You answer one market question in a sentence.' });
const analyst = await client.beta.agents.create({ name: 'pricing analyst', model, system: 'You propose a price.' });
const lead = await client.beta.agents.create({
  name: 'launch lead',
  model,
  system: 'You plan launches. Ask your roster, then answer.',
  multiagent: { type: 'coordinator', agents: [researcher.id, analyst.id] },
});
const environment = await client.beta.environments.create({ name: 'coordinator example', config: { type: 'cloud', networking: { type: 'unrestricted' } } });
const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });

const threads = new Map();
const stream = await client.beta.sessions.events.stream(session.id);
await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Plan the launch of our note-taking app for students.' }] }] });
for await (const event of stream) {
  if (event.type === 'session.thread_created') {
    threads.set(event.session_thread_id, event.agent_name);
    print(`thread created: ${event.agent_name}`);
  } else if (event.type === 'agent.message') {
    const who = event.session_thread_id === undefined ? 'launch lead' : threads.get(event.session_thread_id);
    const text = event.content.map((block) => block.text).join('');
    if (text !== '') print(`${who}: ${text}`);
  } else if (event.type === 'session.status_idle') {
    break;
  }
}
for await (const thread of client.beta.sessions.threads.list(session.id)) {
  print(`thread ${thread.agent.name}: ${thread.status}${thread.parent_thread_id === null ? ' (primary)' : ''}`);
}
