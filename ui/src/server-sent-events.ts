/**
 * A parser of the `text/event-stream` format read from a fetch body (EventSource cannot send an API
 * key header). Frames are separated by a blank line; `id:`, `event:` and `data:` fields are kept,
 * comments (`: ping`) are skipped. No DOM: the unit tests run it under Node.
 */

/** One frame of the stream. `id` is absent on frames without one (the server's delta frames). */
export interface ServerSentEvent {
  id?: string;
  event: string;
  data: string;
}

/** What `parseServerSentEvents` reads from: a reader of decoded text chunks. */
export interface TextChunkReader {
  read(): Promise<{ done: boolean; value?: string | undefined }>;
}

function frameOf(block: string): ServerSentEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { ...(id !== undefined ? { id } : {}), event, data: data.join('\n') };
}

/**
 * Reads frames from `reader` until it is done, calling `onEvent` for each complete one.
 *
 * @example
 * const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
 * await parseServerSentEvents(reader, (frame) => console.log(frame.event, frame.data));
 */
export async function parseServerSentEvents(reader: TextChunkReader, onEvent: (event: ServerSentEvent) => void): Promise<void> {
  let buffer = '';
  // A CR at the end of a chunk may be the first half of a CRLF: it waits for the next chunk.
  let heldCarriageReturn = false;
  for (;;) {
    const { done, value } = await reader.read();
    let text: string = (heldCarriageReturn ? '\r' : '') + (value ?? '');
    heldCarriageReturn = !done && text.endsWith('\r');
    if (heldCarriageReturn) text = text.slice(0, -1);
    buffer += text.replace(/\r\n?/g, '\n');
    let boundary = buffer.indexOf('\n\n');
    while (boundary !== -1) {
      const frame = frameOf(buffer.slice(0, boundary));
      buffer = buffer.slice(boundary + 2);
      if (frame !== undefined) onEvent(frame);
      boundary = buffer.indexOf('\n\n');
    }
    if (done) return;
  }
}
