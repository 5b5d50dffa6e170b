/**
 * The `conclave` command. Thin: parses arguments, builds the context, calls one command function,
 * and turns errors into a clear message and an exit code (0 success, 1 run failed, 2 usage or
 * validation error, 130 interrupted, 141 output pipe closed by its reader).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import type { GlobalOptions } from './cli-context.js';
import { collect, createAction, integer } from './cli-action.js';
import { registerServerCommands } from './server-commands.js';
import { registerToolAnswerCommands } from './tool-answer-commands.js';
import { registerDesignCommand } from './design-command.js';
import { registerMemoryCommands } from './memory-command.js';
import { exitCodeFor, exitCodes, formatError, formatJsonError, wantsJson } from './cli-errors.js';
import { endQuietlyOnBrokenPipe, stylerFor } from './terminal.js';
import type * as DocumentCommands from './commands/documents.js';
import type * as TopologyDocsCommands from './commands/topology-docs.js';
import type * as ProviderCommands from './commands/providers.js';
import type * as RunSessionCommands from './commands/run-session.js';
import type * as SessionCommands from './commands/sessions.js';
import type * as BenchCommands from './commands/bench.js';
import type * as VaultCommands from './commands/vault.js';
import type * as McpCommands from './commands/mcp-stdio.js';

// Each command's implementation is imported when that command runs, never here: `conclave --help`
// then loads commander and the help text only, and `validate` never loads the kernel's stores,
// the server or the queue (benchmarks/startup/ measures this; test/cli/startup-imports checks it).
const documents = (): Promise<typeof DocumentCommands> => import('./commands/documents.js');
const topologyDocs = (): Promise<typeof TopologyDocsCommands> => import('./commands/topology-docs.js');
const providerCommands = (): Promise<typeof ProviderCommands> => import('./commands/providers.js');
const runSession = (): Promise<typeof RunSessionCommands> => import('./commands/run-session.js');
const sessionCommands = (): Promise<typeof SessionCommands> => import('./commands/sessions.js');
const bench = (): Promise<typeof BenchCommands> => import('./commands/bench.js');
const vaultCommands = (): Promise<typeof VaultCommands> => import('./commands/vault.js');
const mcpCommands = (): Promise<typeof McpCommands> => import('./commands/mcp-stdio.js');

// `conclave … | head`: when the reader goes away, stop without a stack trace.
endQuietlyOnBrokenPipe(process.stdout, process.stderr);

/** The package version, from the nearest package.json above this file (src/ or dist/src/). */
function packageVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) directory = dirname(directory);
  return (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { version: string }).version;
}
const version = packageVersion();

const action = createAction(() => program.opts<GlobalOptions>());

const program = new Command('conclave')
  .description('Run multi-agent topologies (debate, pipeline, parallel, …) over any model, with a durable, replayable journal.')
  .version(version, '-v, --version')
  .addOption(new Option('--store <location>', 'where sessions live: a SQLite file, postgres://user@host/db?schema=name, or :memory: (env CONCLAVE_STORE)'))
  .addOption(new Option('--db <path>', 'older name of --store (env CONCLAVE_DB)'))
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  // With --json, a usage error is printed once, as JSON on stdout (below), not as text.
  .configureOutput({ writeErr: (text) => process.stderr.write(text), outputError: (text, write) => (wantsJson(process.argv) ? undefined : write(text)) })
  .addHelpText(
    'after',
    `
Examples:
  $ conclave run examples/debate.yaml                 three simulated debaters, live progress
  $ conclave run examples/debate.yaml --json          one JSON result: session id, answer, usage, cost
  $ conclave run examples/pipeline.yaml --task "Explain CRDTs" --seed 7
  $ conclave sessions list
  $ conclave sessions events <id> --follow            tail a session another process is running
  $ conclave resume <id>                              finish an interrupted or crashed session
  $ conclave send <id> "Now compare their costs."     next turn (or steer a running session)
  $ conclave interrupt <id>                           stop a running session at once
  $ conclave validate my-topology.yaml
  $ conclave keys create --workspace default          an API key for the HTTP server
  $ conclave serve --port 8787                        native + Managed-Agents-compatible HTTP API
  $ conclave mcp                                      an MCP server (stdio) for Claude Desktop and other agents
  $ conclave bench benchmarks/providers/head-to-head.yaml   compare models: latency, cost, quality
  $ conclave worker --store postgres://127.0.0.1/conclave --queue redis://127.0.0.1:6379
  $ conclave status --queue redis://127.0.0.1:6379     running sessions, queue depth, workers

Sessions are stored in ./.conclave/conclave.db unless --store (CONCLAVE_STORE) says otherwise.
Scale out: conclave serve --store postgres://… --queue redis://…  plus  conclave worker (same flags).
Exit codes: 0 success, 1 run failed, 2 usage or validation error, 130 interrupted.`,
  );

program
  .command('run')
  .description('run a topology document as a new session and print its answer')
  .argument('<file>', 'topology document (YAML or JSON)')
  .option('-t, --task <text>', 'the task (overrides the document\'s task)')
  .option('-s, --seed <n>', 'seed for simulated models and tie-breaks (same seed ⇒ same answer)', integer('--seed'))
  .option('--json', 'print one machine-readable result instead of the transcript')
  .option('-q, --quiet', 'print only the final answer')
  .option('--budget <limits>', 'spend limits over the document\'s: max_usd=2,max_calls=40 (also max_tokens, max_duration_s; AGENT.LIMIT for one agent); repeatable', collect, [])
  .addHelpText(
    'after',
    `
The transcript streams to a terminal with a live status line; in a pipe it is plain text.
Ctrl-C interrupts; \`conclave resume <id>\` continues without paying again for finished calls.

Tool calls that wait (a tool with \`approval: always_ask\`, or a client-run \`type: custom\` tool):
at a terminal, run asks y/n (or for the result) and goes on; in a pipe or with --json it ends
with the waiting calls listed (status idle, stop reason requires_action) and exit code 0 — answer
them with conclave approve / deny / tool-result.

Exit codes: 0 answered, or waiting for tool answers; 1 the run failed; 2 usage or document error;
130 interrupted. A budget that stops the run (stop reason budget_exceeded) exits 1 with the answer
so far and the \`conclave resume ID --budget …\` that goes on.`,
  )
  .action(action(async (context, file: string, options: { task?: string; seed?: number; json?: boolean; quiet?: boolean; budget?: string[] }) => (await runSession()).runCommand(context, file, options)));

program
  .command('resume')
  .description('continue a session from its journal; finished calls are not made again')
  .argument('<session-id>', 'session id (see `conclave sessions list`)')
  .option('--json', 'print one machine-readable result')
  .option('-q, --quiet', 'print only the final answer')
  .option('--budget <limits>', 'raise (or set) limits first: max_usd=2,max_calls=40; AGENT.LIMIT for one agent; LIMIT=none removes one; repeatable', collect, [])
  .addHelpText('after', '\nA session stopped by its budget (budget_exceeded) goes on once it is raised; finished calls are not paid again:\n  $ conclave resume sesn_01J… --budget max_usd=2,max_calls=40\n  $ conclave resume sesn_01J… --budget max_calls=40 --budget critic.max_tokens=20000')
  .action(action(async (context, sessionId: string, options: { json?: boolean; quiet?: boolean; budget?: string[] }) => (await runSession()).resumeCommand(context, sessionId, options)));

program
  .command('send')
  .description('send a message to a session: the next turn if it is idle, steering if it is running')
  .argument('<session-id>', 'session id (see `conclave sessions list`)')
  .argument('<text...>', 'the message (several words are joined with spaces)')
  .option('--json', 'print one machine-readable result')
  .option('-q, --quiet', 'print only the final answer')
  .option('--no-wait', 'only journal the message; do not run the turn here')
  .addHelpText(
    'after',
    `
An idle session runs the next turn here, with the earlier turns as history, and prints its answer.
A session running in another process (conclave run, conclave serve) receives the message as
steering: it is delivered to the agent calls of the topology's next step.

Examples:
  $ conclave send sesn_01J… "Now compare their costs."
  $ conclave send sesn_01J… --no-wait "Prefer sources after 2020."`,
  )
  .action(
    action(async (context, sessionId: string, words: string[], options: { json?: boolean; quiet?: boolean; wait?: boolean }) =>
      (await runSession()).sendCommand(context, sessionId, words.join(' '), options),
    ),
  );

program
  .command('interrupt')
  .description('stop a running session: in-flight model calls are aborted and it goes idle')
  .argument('<session-id>', 'session id')
  .option('-r, --reason <text>', 'why (journaled with the interrupt)')
  .option('--json', 'print JSON')
  .addHelpText('after', '\nThe session keeps its finished calls. `conclave send ID TEXT` continues it with new direction;\n`conclave resume ID` continues it as it was.')
  .action(action(async (context, sessionId: string, options: { reason?: string; json?: boolean }) => (await runSession()).interruptCommand(context, sessionId, options)));

registerToolAnswerCommands(program, action);

const sessions = program.command('sessions').description('list sessions and read their journals');
sessions
  .command('list')
  .description('list sessions, newest first')
  .option('--json', 'print JSON')
  .option('-n, --limit <n>', 'how many', integer('--limit', 1), 50)
  .action(action(async (context, options: { json?: boolean; limit: number }) => (await sessionCommands()).sessionsListCommand(context, options)));
sessions
  .command('show')
  .description('show a session: status, task, answer, usage, cost')
  .argument('<session-id>')
  .option('--json', 'print JSON')
  .action(action(async (context, sessionId: string, options: { json?: boolean }) => (await sessionCommands()).sessionsShowCommand(context, sessionId, options)));
sessions
  .command('events')
  .description('print a session\'s journal')
  .argument('<session-id>')
  .option('--json', 'one JSON object per line')
  .option('-f, --follow', 'keep printing new events (also from other processes) until Ctrl-C')
  .option('--after <seq>', 'only events after this sequence number', integer('--after'))
  .action(action(async (context, sessionId: string, options: { json?: boolean; follow?: boolean; after?: number }) => (await sessionCommands()).sessionsEventsCommand(context, sessionId, options)));

const topologies = program
  .command('topologies')
  .description('list the topologies and their aliases (`topologies show NAME` explains one)')
  .option('--json', 'print JSON')
  .action(action(async (context, options: { json?: boolean }) => (await documents()).topologiesCommand(context, options)));
topologies
  .command('show')
  .description('one topology: description, options with defaults, a mermaid diagram, an example document')
  .argument('<name>', 'topology name or alias')
  .option('--json', 'print JSON')
  .action(
    action(async (context, name: string, options: { json?: boolean }) =>
      (await topologyDocs()).topologyShowCommand(context, name, { json: options.json === true || topologies.opts<{ json?: boolean }>().json === true }),
    ),
  );
topologies
  .command('docs')
  .description('print topologies/README.md (all topologies as Markdown)')
  .action(action(async (context) => (await topologyDocs()).topologyDocsCommand(context)));

const providers = program
  .command('providers')
  .description('list providers, their key variable (set or not) and default models')
  .option('--json', 'print JSON')
  .action(action(async (context, options: { json?: boolean }) => (await providerCommands()).providersCommand(context, options)));
providers
  .command('ping')
  .description('make one tiny call to a model and print its latency (checks keys and base URLs)')
  .argument('<model>', 'provider/model, e.g. offline/echo or openai/gpt-4.1-mini')
  .option('--json', 'print JSON')
  .option('--timeout <ms>', 'give up after this long', integer('--timeout', 1), 30_000)
  .action(
    action(async (context, model: string, options: { json?: boolean; timeout: number }) =>
      // `--json` after `ping` is parsed by the parent `providers` command, which has the same option.
      (await providerCommands()).providersPingCommand(context, model, { json: options.json === true || providers.opts<{ json?: boolean }>().json === true, timeoutMs: options.timeout }),
    ),
  );

program
  .command('validate')
  .description('check a topology document; problems are reported with file:line and path')
  .argument('<file>')
  .option('--json', 'print the normalised document as JSON (with any warnings)')
  .option('--strict', 'treat warnings (a model the model catalogue does not know) as errors: exit 2')
  .action(action(async (context, file: string, options: { json?: boolean; strict?: boolean }) => (await documents()).validateCommand(context, file, options)));

registerDesignCommand(program, action);

program
  .command('schema')
  .description('print the JSON Schema of topology documents (for editor autocompletion)')
  .option('-o, --out <file>', 'write to a file instead of stdout')
  .action(action(async (context, options: { out?: string }) => (await documents()).schemaCommand(context, options)));

const vault = program
  .command('vault')
  .description('secrets for ${secret:NAME} references: set, list, rm (encrypted local file)')
  .addHelpText(
    'after',
    `
A \${secret:NAME} reference reads the environment variable NAME first, then this vault. The vault is
./.conclave/vault.json (or --vault / CONCLAVE_VAULT), encrypted with a key derived from the passphrase
in CONCLAVE_VAULT_KEY, which every vault command needs. Values are never printed.

Examples:
  $ export CONCLAVE_VAULT_KEY='a long passphrase'
  $ conclave vault set OPENAI_API_KEY                  prompts, input hidden (stays out of shell history)
  $ printf %s "$TOKEN" | conclave vault set GITHUB_TOKEN
  $ conclave vault list
  $ conclave vault rm GITHUB_TOKEN
  $ conclave vault set OPENAI_API_KEY --workspace tenant-b   a key only tenant-b's API documents use

Documents sent to \`conclave serve\` by an API key's holder read only their workspace's own secrets
(entries set with --workspace), never the environment or the server's entries (see SECURITY.md).`,
  );
vault
  .command('set')
  .description('store a secret (value from stdin when omitted: hidden at a terminal, out of shell history)')
  .argument('<name>', 'secret name: upper-case letters, digits and "_"')
  .argument('[value]', 'the value; better omitted, since arguments end up in shell history and ps')
  .option('--vault <path>', 'vault file (default: CONCLAVE_VAULT, else ./.conclave/vault.json)')
  .option('--workspace <name>', "store it for one workspace's API documents only (they never read the server's own secrets)")
  .option('--json', 'print JSON')
  .action(action(async (context, name: string, value: string | undefined, options: { vault?: string; json?: boolean; workspace?: string }) => (await vaultCommands()).vaultSetCommand(context, name, value, options)));
vault
  .command('list')
  .description('list stored secrets: names and dates, never values')
  .option('--vault <path>', 'vault file (default: CONCLAVE_VAULT, else ./.conclave/vault.json)')
  .option('--workspace <name>', "only that workspace's secrets")
  .option('--json', 'print JSON')
  .action(action(async (context, options: { vault?: string; json?: boolean; workspace?: string }) => (await vaultCommands()).vaultListCommand(context, options)));
vault
  .command('rm')
  .description('delete a stored secret')
  .argument('<name>', 'secret name (see `conclave vault list`)')
  .option('--vault <path>', 'vault file (default: CONCLAVE_VAULT, else ./.conclave/vault.json)')
  .option('--workspace <name>', "the secret of that workspace (see `vault set --workspace`)")
  .option('--json', 'print JSON')
  .action(action(async (context, name: string, options: { vault?: string; json?: boolean; workspace?: string }) => (await vaultCommands()).vaultRemoveCommand(context, name, options)));

registerMemoryCommands(program, action);

program
  .command('bench')
  .description('benchmark models and topologies head to head: latency, throughput, cost and quality')
  .argument('[suite]', 'benchmark suite (YAML), e.g. benchmarks/providers/head-to-head.yaml')
  .option('-c, --concurrency <n>', 'requests in flight per contestant (overrides the suite)', integer('--concurrency', 1))
  .option('-r, --repeat <n>', 'times each prompt is sent to each contestant (overrides the suite)', integer('--repeat', 1))
  .option('-f, --filter <names>', 'only these contestants: comma-separated names or * globs', (value: string) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''))
  .option('-o, --out <dir>', 'where runs and the response cache are written', 'bench-results')
  .option('--no-cache', 'neither read nor write cached responses (every request is made and paid for)')
  .option('--resume <run>', 'continue a run that stopped part-way (its directory or id); finished samples are not re-run')
  .option('--json', 'print a JSON summary on stdout instead of the table')
  .option('-q, --quiet', 'no progress output')
  .option('--view [run]', 'then show the run in the web UI (charts, win rates, every answer side by side); alone: the runs of --out; with a run: that run')
  .option('--open', 'open the --view link in a browser (default: when the terminal is interactive)')
  .option('--no-open', 'only print the --view link')
  .addHelpText(
    'after',
    `
A suite names the contestants (models, or topology documents), the prompts (inline or a JSONL
dataset with expected answers), repeats, warm-up requests, concurrency, timeouts and scoring
(assertions, a rubric judge, pairwise head-to-head). Each request is measured at the stream:
time to first token, inter-token latency, tokens/s after the first token, end-to-end latency,
tokens, cost and error type; aggregates are p50/p95/p99 over all samples.

A run writes <out>/<run id>/: results.json, results.csv, report.md, report.html (charts, opens
offline), and keeps every finished sample as it goes: after Ctrl-C or a crash,
"conclave bench --resume <out>/<run id>" continues without paying twice. Responses are cached by
content hash in <out>/cache, so re-running a suite reuses them unless --no-cache.
--view serves the web UI's bench view on 127.0.0.1 (a link with a key for that run of the viewer
only): latency distributions, cost vs quality, the win-rate matrix, and every contestant's answer
to every prompt side by side with its assertion results. conclave serve --bench-runs DIR shows the same.

Examples:
  $ conclave bench benchmarks/providers/head-to-head.yaml          three simulated providers, offline
  $ conclave bench benchmarks/topologies/arith.yaml                 one agent vs voting vs debate vs mixture
  $ conclave bench my-suite.yaml --filter 'openai-*,sonnet' --repeat 3 --concurrency 8
  $ conclave bench --resume bench-results/head-to-head-20261121-093000
  $ conclave bench benchmarks/providers/head-to-head.yaml --view   run, then browse it (Ctrl-C ends)
  $ conclave bench --view                                            browse the runs of bench-results`,
  )
  .action(
    action(async (context, suite: string | undefined, options: { concurrency?: number; repeat?: number; filter?: string[]; out: string; cache: boolean; resume?: string; json?: boolean; quiet?: boolean; view?: boolean | string; open?: boolean }) =>
      (await bench()).benchCommand(context, suite, options),
    ),
  );

program
  .command('mcp')
  .description('serve MCP over stdio: the document catalog as tools (run_topology, list_documents, …) for MCP clients')
  .option('--documents <dir>', 'directory of named topology documents (the same catalog as `conclave serve`)', 'examples')
  .addHelpText(
    'after',
    `
An MCP client (Claude Desktop, an IDE, another agent) starts this command and talks MCP on its
stdin/stdout; logs go to stderr. Tools:
  run_topology    { document, task, seed? }  run a catalog document (by name) or a YAML document to
                  its answer: answer, reason, usage, cost, session id; progress while agents work;
                  cancelling interrupts the session (conclave resume ID continues it)
  list_documents  the catalog: name, title, topology, agents, default task
  list_sessions   { limit?, status? }  sessions, newest first
  get_session     { session_id }  a session's result and its transcript

You are the caller: documents you send inline are trusted like files given to \`conclave run\`.
Over HTTP, \`conclave serve\` offers the same tools at /mcp to API key holders, whose inline
documents are held to the server policy (see \`conclave serve --help\`).

A debate takes longer than many clients' default 60 s request timeout: raise it, or have the client
reset it on progress (the TypeScript SDK: { timeout, resetTimeoutOnProgress: true }).

Claude Desktop (claude_desktop_config.json), or any client's "mcpServers" — absolute paths, since
the client chooses the working directory (with conclave installed, "command": "conclave" also works):
  {
    "mcpServers": {
      "conclave": {
        "command": "node",
        "args": ["/path/to/conclave/dist/cli/conclave.js", "mcp",
                 "--documents", "/path/to/conclave/examples", "--store", "/path/to/conclave.db"]
      }
    }
  }

Examples:
  $ conclave mcp                                     the examples/ catalog, sessions in ./.conclave/conclave.db
  $ conclave mcp --documents ./topologies --store ~/.conclave/conclave.db
  $ npx @modelcontextprotocol/inspector conclave mcp       try the tools in the MCP Inspector`,
  )
  .action(action(async (context, options: { documents: string }) => (await mcpCommands()).mcpCommand(context, { documents: options.documents })));

registerServerCommands(program, action);

/** Turns a failure of the command line, or of the command it ran, into a message and an exit code. */
function reportFailure(error: unknown): void {
  if (error instanceof CommanderError) {
    const benign = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
    process.exitCode = benign ? exitCodes.success : exitCodes.usage;
    if (!benign && wantsJson(process.argv)) {
      const message = error.message.replace(/^error: /, '');
      process.stdout.write(`${JSON.stringify({ error: { name: 'ConclaveError', code: 'invalid_argument', category: 'user', message, retryable: false, hint: 'run with --help for usage' } })}\n`);
    }
  } else if (wantsJson(process.argv)) {
    process.stdout.write(formatJsonError(error));
    process.exitCode = exitCodeFor(error);
  } else {
    process.stderr.write(formatError(error, stylerFor(process.stderr)));
    process.exitCode = exitCodeFor(error);
  }
}

// No top-level await: the command ships as one CommonJS bundle run from V8's code cache (src/cli/entry.ts).
void program.parseAsync(process.argv).catch(reportFailure);
