/**
 * The hostile `POST /v1/sessions` bodies of issue 14, one per kind of attack an API caller can send:
 * three documents the untrusted-document policy must refuse (a local MCP command, a provider
 * `base_url`, a script path), a backtracking regex that is accepted and must run in linear time, and
 * two documents whose validation must stay linear (40,000 unknown keys, 5,000 levels of nesting).
 * Each body is serialized once, so the load generator spends no time building it per request.
 */

/** One kind of hostile request: its name, what the server should answer, and the body to send. */
export interface HostileKind {
  name: string;
  /** What the server is expected to answer, as the README and the table state it. */
  expected: string;
  /** The request body, serialized once. */
  body: Buffer;
}

const pipelineTask = 'Say hello.';

function body(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A document with this many unknown top-level keys besides a valid pipeline: about 0.4 MB. */
const unknownKeyCount = 40_000;
/** Levels of `[` (and as many `]`) in the YAML text. */
const nestingDepth = 5_000;
/** Length of the run of `a` the backtracking regex is fed (then a `!` so that `$` never matches). */
const regexInputLength = 30_000;

function unknownKeysDocument(): Record<string, unknown> {
  const document: Record<string, unknown> = { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo' }] };
  for (let index = 0; index < unknownKeyCount; index += 1) document[`x${String(index).padStart(5, '0')}`] = 1;
  return document;
}

/**
 * The six hostile kinds, in the order the benchmark sends them.
 *
 * @example
 * for (const kind of hostileKinds()) console.log(kind.name, kind.body.length); // bytes
 * // → mcp-command 198, base-url 170, script-path 126, regex 30164, unknown-keys 440103, deep-nesting 10063
 */
export function hostileKinds(): HostileKind[] {
  return [
    {
      name: 'mcp-command',
      expected: '403 (a caller may not start a local MCP command)',
      body: body({
        document: {
          topology: 'pipeline',
          agents: [{ name: 'a', model: 'offline/echo', tools: ['shell__run'] }],
          mcp_servers: [{ name: 'shell', command: '/bin/sh', args: ['-c', 'id'] }],
        },
        task: pipelineTask,
      }),
    },
    {
      name: 'base-url',
      expected: '403 (a caller may not point a provider at a URL of its choice)',
      body: body({
        document: {
          topology: 'pipeline',
          agents: [{ name: 'a', model: 'openai/gpt-4.1-mini' }],
          providers: { openai: { base_url: 'http://127.0.0.1:9/v1' } },
        },
        task: pipelineTask,
      }),
    },
    {
      name: 'script-path',
      expected: '403 (a caller may not make the server read a file)',
      body: body({ document: { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/scripted?script=/etc/passwd' }] }, task: pipelineTask }),
    },
    {
      name: 'regex',
      expected: "201 (accepted and run; '(a+)+$' on 30,001 characters must take linear time)",
      body: body({
        document: {
          topology: 'voting',
          agents: [{ name: 'v', model: 'offline/echo' }],
          options: { samples: 3, rule: 'plurality', extract: { regex: '(a+)+$' } },
        },
        task: `${'a'.repeat(regexInputLength)}!`,
      }),
    },
    {
      name: 'unknown-keys',
      expected: `400 (${unknownKeyCount.toLocaleString('en-US')} unknown top-level keys)`,
      body: body({ document: unknownKeysDocument(), task: pipelineTask }),
    },
    {
      name: 'deep-nesting',
      expected: `400 (YAML text nested ${nestingDepth.toLocaleString('en-US')} levels deep)`,
      body: body({ document: `topology: pipeline\nagents: ${'['.repeat(nestingDepth)}${']'.repeat(nestingDepth)}`, task: pipelineTask }),
    },
  ];
}
