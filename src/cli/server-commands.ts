/**
 * The commands of a deployment, registered on the `conclave` program: `serve` (the HTTP APIs),
 * `worker` and `db migrate` and `status` (scale-out), and `keys` (the server's API keys).
 */
import type { Command } from 'commander';
import { integer, port, type CommandAction } from './cli-action.js';
import { defaultGraceMs } from './commands/scale-defaults.js';
import type * as KeyCommands from './commands/keys.js';
import type * as ScaleCommands from './commands/scale.js';
import type * as ServeCommands from './commands/serve.js';

// Each command's implementation is imported when that command runs: registering `serve` must not
// load hono, nor `worker` BullMQ and ioredis, for a `conclave --help` or a `conclave run`.
const keyCommands = (): Promise<typeof KeyCommands> => import('./commands/keys.js');
const scaleCommands = (): Promise<typeof ScaleCommands> => import('./commands/scale.js');
const serveCommands = (): Promise<typeof ServeCommands> => import('./commands/serve.js');

/**
 * Adds the deployment commands to `program`.
 *
 * @example
 * registerServerCommands(program, createAction(() => program.opts<GlobalOptions>()));
 */
export function registerServerCommands(program: Command, action: CommandAction): void {
  program
    .command('serve')
    .description('serve the HTTP APIs: native under /v1, Managed-Agents-compatible under /anthropic/v1, MCP at /mcp')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one; the real URL is printed)', port('--port'), 8787)
    .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--documents <dir>', 'directory of named topology documents (GET /v1/documents)', 'examples')
    .option('--cors <origins>', 'browser origins allowed to call the API, comma-separated (repeatable)', (value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '')])
    .option('--heartbeat <ms>', 'interval of SSE keep-alive comments', integer('--heartbeat', 1), 15_000)
    .option('--queue <redis-url>', 'enqueue sessions for `conclave worker`s instead of running them here (env CONCLAVE_QUEUE)')
    .option('--policy <file>', 'the server policy: what documents from API callers may use (env CONCLAVE_POLICY; default: safe defaults)')
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent (env CONCLAVE_LOG_LEVEL; default info)')
    .option('--log-format <format>', 'auto (pretty in a terminal, else JSON lines), json or pretty (env CONCLAVE_LOG_FORMAT)')
    .option('--metrics-port <port>', 'also serve GET /metrics without an API key on this port (for a Prometheus scraper)', port('--metrics-port'))
    .option('--bench-runs <dir>', 'show the finished `conclave bench` runs of this directory in the web UI and at GET /v1/bench/runs')
    .option('--bench-workspace <names>', 'workspaces whose keys may read the bench runs, comma-separated (default: default)', (value: string) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''))
    .addHelpText(
      'after',
      `
Every request but GET /healthz and GET /readyz needs an API key of this database (conclave keys create), sent as
"Authorization: Bearer <key>" or "x-api-key: <key>". SIGINT or SIGTERM stops the server cleanly.

MCP clients connect to /mcp (streamable HTTP) with the key as a header of their transport, and get
the tools of \`conclave mcp\` (run_topology, list_documents, list_sessions, get_session) in the key's workspace.

Documents sent by API callers (inline in POST /v1/sessions or to run_topology, in a Managed Agents agent) are untrusted:
without --policy they cannot start processes (MCP command, their own tools), reach URLs of their
choosing, read server files or environment variables, or run tools outside the sandbox, and they
read only their workspace's own secrets. Documents of --documents are the operator's own.
The policy file (YAML) relaxes this per rule and per workspace; SECURITY.md lists every rule.

Observability: one log line per request and per session milestone (JSON lines, pretty in a terminal);
Prometheus metrics at GET /metrics (with a key; --metrics-port serves them without one); OpenTelemetry
traces (GenAI conventions) when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTEL_EXPORTER_OTLP_PROTOCOL
http/protobuf or http/json; OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true adds answers).

Examples:
  $ conclave keys create --workspace default
  $ conclave serve
  $ conclave serve --port 0 --db /var/lib/conclave/conclave.db
  $ conclave serve --host 0.0.0.0 --cors http://localhost:5173
  $ conclave serve --store postgres://postgres@db/conclave --queue redis://cache:6379   sessions run on workers
  $ conclave serve --policy /etc/conclave/policy.yaml
  $ conclave serve --metrics-port 9464 --log-format json
  $ conclave serve --bench-runs bench-results               the bench runs in the web UI (/bench)
  $ OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 conclave serve       traces to a local collector
  $ curl -H "x-api-key: $KEY" http://127.0.0.1:8787/v1/documents

With the Anthropic SDK:
  const client = new Anthropic({ apiKey: KEY, baseURL: 'http://127.0.0.1:8787/anthropic' });
  const agent = await client.beta.agents.create({ name: 'Helper', model: 'claude-sonnet-4-5' });`,
    )
    .action(
      action(async (context, options: { port: number; host: string; documents: string; cors?: string[]; heartbeat: number; queue?: string; policy?: string; logLevel?: string; logFormat?: string; metricsPort?: number; benchRuns?: string; benchWorkspace?: string[] }) =>
        (await serveCommands()).serveCommand(context, {
          port: options.port,
          host: options.host,
          documents: options.documents,
          cors: options.cors ?? [],
          heartbeatMs: options.heartbeat,
          ...(options.queue !== undefined ? { queue: options.queue } : {}),
          ...(options.policy !== undefined ? { policy: options.policy } : {}),
          ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
          ...(options.logFormat !== undefined ? { logFormat: options.logFormat } : {}),
          ...(options.metricsPort !== undefined ? { metricsPort: options.metricsPort } : {}),
          ...(options.benchRuns !== undefined ? { benchRuns: options.benchRuns } : {}),
          ...(options.benchWorkspace !== undefined ? { benchWorkspaces: options.benchWorkspace } : {}),
        }),
      ),
    );

  program
    .command('worker')
    .description('run queued sessions (from `conclave serve --queue`) until SIGTERM; start as many as you like')
    .option('--queue <redis-url>', 'the session queue (env CONCLAVE_QUEUE); ?prefix=name namespaces its keys')
    .option('-c, --concurrency <n>', 'sessions run at once by this worker', integer('--concurrency', 1), 8)
    .option('--health-port <port>', 'port of GET /healthz and /readyz (0 picks a free one; the URL is printed)', port('--health-port'), 0)
    .option('--health-host <host>', 'interface of the health server', '127.0.0.1')
    .option('--grace <ms>', 'on SIGTERM, how long running sessions may finish before they are handed back to the queue', integer('--grace', 0), defaultGraceMs)
    .option('--lock <ms>', 'job lock: a killed worker\'s sessions move to another worker within about this long', integer('--lock', 500), 10_000)
    .option('-q, --quiet', 'no line per session')
    .option('--policy <file>', 'the server policy that documents from API callers are held to (env CONCLAVE_POLICY); give workers the same file as servers')
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent (env CONCLAVE_LOG_LEVEL; default info)')
    .option('--log-format <format>', 'json: every line a JSON object (activity and session milestones); default: text activity lines (env CONCLAVE_LOG_FORMAT)')
    .addHelpText(
      'after',
      `
A worker takes session jobs from the queue and runs them over the shared store. Every run replays
the session's log first, so a session whose worker died continues on another one without paying
twice for finished calls; a claim on the session fences the old worker out for good.

SIGTERM (or Ctrl-C): stop taking sessions, let running ones finish for --grace ms, hand the rest back.
A second signal hands everything back at once.

Examples:
  $ conclave db migrate --store postgres://postgres@127.0.0.1/test
  $ conclave worker --store postgres://postgres@127.0.0.1/test --queue redis://127.0.0.1:6379 -c 16
  $ CONCLAVE_STORE=postgres://… CONCLAVE_QUEUE=redis://… conclave worker --health-port 9464
      the health port also serves GET /metrics (Prometheus) without a key; OTEL_* variables turn on traces as for serve`,
    )
    .action(
      action(async (context, options: { queue?: string; concurrency: number; healthPort: number; healthHost: string; grace: number; lock: number; quiet?: boolean; policy?: string; logLevel?: string; logFormat?: string }) =>
        (await scaleCommands()).workerCommand(context, {
          ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
          ...(options.logFormat !== undefined ? { logFormat: options.logFormat } : {}),
          ...(options.policy !== undefined ? { policy: options.policy } : {}),
          ...(options.queue !== undefined ? { queue: options.queue } : {}),
          concurrency: options.concurrency,
          healthPort: options.healthPort,
          healthHost: options.healthHost,
          graceMs: options.grace,
          lockMs: options.lock,
          quiet: options.quiet === true,
        }),
      ),
    );

  const db = program.command('db').description('the session database: migrations');
  db.command('migrate')
    .description('create or upgrade the PostgreSQL schema of --store (SQLite files upgrade themselves)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Migrations are numbered and recorded in the schema's conclave_migrations table; running this twice
does nothing the second time. Servers and workers also apply missing migrations when they connect.

Examples:
  $ conclave db migrate --store postgres://postgres@127.0.0.1:5432/test?schema=conclave
  $ CONCLAVE_STORE=postgres://app:secret@db/conclave conclave db migrate --json`,
    )
    .action(action(async (context, options: { json?: boolean }) => (await scaleCommands()).dbMigrateCommand(context, options)));

  program
    .command('status')
    .description('where sessions live, how many run, and the depth of the worker queue')
    .option('--queue <redis-url>', 'the session queue to report on (env CONCLAVE_QUEUE)')
    .option('--json', 'print JSON')
    .action(action(async (context, options: { queue?: string; json?: boolean }) => (await scaleCommands()).statusCommand(context, options)));

  const keys = program
    .command('keys')
    .description('API keys of the HTTP server: create, list, revoke')
    .addHelpText(
      'after',
      `
A key belongs to one workspace and reaches only that workspace's agents, environments and sessions.
The secret is printed once, at creation; only its hash is stored.

Examples:
  $ conclave keys create --workspace default --name laptop
  $ conclave keys create --workspace team-a --json     { "id", "workspace", "key", … } for scripts
  $ conclave keys list
  $ conclave keys revoke key_4fG7aB2x9QkLmNpRsTuVwX`,
    );
  keys
    .command('create')
    .description('create a key and print its secret (once)')
    .requiredOption('-w, --workspace <name>', 'workspace of the key: lowercase letters, digits, "_" and "-"')
    .option('--name <label>', 'a label to recognise the key by')
    .option('--json', 'print JSON (includes the secret as "key")')
    .action(action(async (context, options: { workspace: string; name?: string; json?: boolean }) => (await keyCommands()).keysCreateCommand(context, options)));
  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option('-w, --workspace <name>', 'only the keys of this workspace')
    .option('--json', 'print JSON')
    .action(action(async (context, options: { workspace?: string; json?: boolean }) => (await keyCommands()).keysListCommand(context, options)));
  keys
    .command('revoke')
    .description('revoke a key: requests with it are refused from now on')
    .argument('<key-id>', 'key id (see `conclave keys list`)')
    .option('--json', 'print JSON')
    .action(action(async (context, id: string, options: { json?: boolean }) => (await keyCommands()).keysRevokeCommand(context, id, options)));
}
