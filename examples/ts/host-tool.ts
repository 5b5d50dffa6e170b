// A tool of your own program, offered to agents that list it: the call runs in this process and is
// journaled like every tool call, so resuming the session never runs a finished call again. The
// model here is offline/scripted (examples/scripts/lookup-order.yaml), which calls the tool, then
// answers; the tool's own output is in the journal, printed below.
//   npm run build && npx tsx examples/ts/host-tool.ts
import { Conclave, defineTool } from 'conclave';

const orders: Record<string, string> = { '42': 'shipped on Monday', '43': 'waiting for stock' };

const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'The status of an order, by its id.',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false },
  execute: ({ id }) => {
    const status = orders[String(id)];
    return status === undefined ? { output: `no order ${String(id)}`, isError: true } : `order ${String(id)}: ${status}`;
  },
});

const conclave = new Conclave({ store: ':memory:', tools: [lookupOrder] });
try {
  const result = await conclave.run(`
topology: pipeline
task: Where is order 42?
agents:
  - name: support
    model: offline/scripted?script=examples/scripts/lookup-order.yaml
    tools: [lookup_order]
`);
  for await (const event of conclave.events(result.sessionId)) {
    if (event.type === 'agent.tool_result') console.log(`${String(event.data['tool'])} returned: ${String(event.data['output'])}`);
  }
  console.log(`${result.status}: ${result.answer ?? ''}`);
} finally {
  await conclave.close();
}
