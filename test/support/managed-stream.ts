// The Managed Agents stream as tests read it: opened first (it is a live tail, with no replay),
// then the test acts, and events are collected until one satisfies `until`.
import type Anthropic from '@anthropic-ai/sdk';

export type ManagedStreamEvent = { id: string; type: string; [key: string]: unknown };

/**
 * Opens `sessionId`'s stream, runs `act`, and resolves with the events seen up to and including
 * the first that `until` accepts.
 *
 * @example
 * const events = await streamManagedWhile(client, session.id, () => client.beta.sessions.events.send(…), (event) => event.type === 'session.status_idle');
 */
export async function streamManagedWhile(
  client: Anthropic,
  sessionId: string,
  act: () => Promise<unknown>,
  until: (event: ManagedStreamEvent) => boolean,
  params: Record<string, unknown> = {},
): Promise<ManagedStreamEvent[]> {
  const stream = await client.beta.sessions.events.stream(sessionId, params);
  const seen: ManagedStreamEvent[] = [];
  const reading = (async () => {
    for await (const event of stream as AsyncIterable<ManagedStreamEvent>) {
      seen.push(event);
      if (until(event)) break;
    }
  })();
  await act();
  await reading;
  return seen;
}
