// A provider over your own HTTP API: models named `acme/<model>` in any document. Here a small
// local server stands in for the company's completion endpoint (POST /complete → { text, tokens }),
// so the example runs offline; point `baseUrl` (or ACME_BASE_URL) at the real one.
//   npm run build && npx tsx examples/ts/own-provider.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Conclave, ConclaveError, defineProvider, type ProviderAdapter, type ProviderSettings, type StreamPart } from 'conclave';

function acmeAdapter(settings: ProviderSettings): ProviderAdapter {
  const baseUrl = settings.baseUrl ?? 'http://127.0.0.1:9999';
  return {
    specificationVersion: 'v1',
    provider: 'acme',
    simulated: false,
    async *generate(request, options): AsyncIterable<StreamPart> {
      const prompt = request.messages.map((message) => `${message.role}: ${message.content}`).join('\n');
      const response = await fetch(`${baseUrl}/complete`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(settings.apiKey !== undefined ? { authorization: `Bearer ${settings.apiKey}` } : {}) },
        body: JSON.stringify({ model: request.model, system: request.system, prompt }),
        signal: options.signal,
      });
      if (!response.ok) {
        // The codes say what went wrong; 5xx and 429 are retried under the document's retry policy.
        const code = response.status === 429 ? 'provider_rate_limited' : response.status >= 500 ? 'provider_server_error' : response.status === 401 ? 'provider_auth' : 'provider_bad_request';
        throw new ConclaveError(code, `acme answered ${response.status}`, { category: 'provider', retryable: response.status >= 500 || response.status === 429 });
      }
      const body = (await response.json()) as { text: string; tokens: { input: number; output: number } };
      yield { type: 'stream-start', model: request.model };
      yield { type: 'text-delta', delta: body.text };
      yield { type: 'usage', usage: { inputTokens: body.tokens.input, outputTokens: body.tokens.output } };
      yield { type: 'finish', finishReason: 'stop' };
    },
    price: () => ({ inputPerMillion: 0.1, outputPerMillion: 0.4 }),
  };
}

const acme = defineProvider({
  specificationVersion: 'v1',
  name: 'acme',
  description: "ACME's in-house completion API",
  simulated: false,
  defaultModels: ['small'],
  validateModel: (model) => (['small', 'large'].includes(model) ? undefined : `acme has the models small and large, not "${model}"`),
  create: acmeAdapter,
});

// The stand-in for ACME's API: it upper-cases the last line of the prompt.
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    const { prompt } = JSON.parse(body) as { prompt: string };
    const last = prompt.split('\n').at(-1) ?? '';
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ text: `ACME says: ${last.toUpperCase()}`, tokens: { input: prompt.length, output: last.length } }));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;

const conclave = new Conclave({ store: ':memory:', providers: [acme], env: { ACME_BASE_URL: `http://127.0.0.1:${port}` } });
try {
  const result = await conclave.run(
    {
      topology: 'pipeline',
      task: 'hello from the pipeline',
      providers: { acme: { base_url: `http://127.0.0.1:${port}` } },
      agents: [{ name: 'shout', model: 'acme/small' }],
    },
  );
  console.log(`${result.status}: ${result.answer ?? ''} (cost $${result.cost.usd.toFixed(6)})`);
} finally {
  await conclave.close();
  server.close();
}
