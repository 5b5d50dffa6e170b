/**
 * What a model reads back from an MCP tool: its content blocks as text. Text blocks are joined;
 * blocks a text-only tool result cannot hold (images, audio, linked resources) are described in a
 * line so that the model knows they were there.
 */
import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/sdk/types.js';

/** What a tool call came to (the kernel's `ToolOutcome`). */
export interface McpToolOutcome {
  output: string;
  isError: boolean;
}

function describeBlock(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image':
      return `[image: ${block.mimeType}]`;
    case 'audio':
      return `[audio: ${block.mimeType}]`;
    case 'resource_link':
      return `[resource: ${block.uri}]`;
    case 'resource': {
      const heading = `[resource: ${block.resource.uri}]`;
      return 'text' in block.resource && typeof block.resource.text === 'string' ? `${heading}\n${block.resource.text}` : heading;
    }
    default:
      return `[${(block as { type: string }).type}]`;
  }
}

/**
 * A `tools/call` result as a tool outcome. Structured content stands in when there are no blocks.
 *
 * @example
 * flattenToolResult({ content: [{ type: 'text', text: 'hi' }, { type: 'image', data: '…', mimeType: 'image/png' }] })
 * // → { output: 'hi\n[image: image/png]', isError: false }
 */
export function flattenToolResult(result: CallToolResult | { toolResult: unknown }): McpToolOutcome {
  if (!('content' in result)) return { output: JSON.stringify(result.toolResult) ?? '', isError: false };
  const blocks = result.content ?? [];
  const output =
    blocks.length === 0 && result.structuredContent !== undefined ? JSON.stringify(result.structuredContent) : blocks.map(describeBlock).join('\n');
  return { output, isError: result.isError === true };
}
