/**
 * `conclave serve`: both HTTP APIs — native under `/v1`, Managed-Agents-compatible under
 * `/anthropic/v1` — over the same database as the CLI (`--db`), until SIGINT or SIGTERM, then a
 * clean shutdown (exit 0). `--port 0` picks a free port; the first line printed is always the real
 * URL, so scripts and tests can read it.
 */
import { createDocumentCatalog } from '../../server/document-catalog.js';
import { startDocumentParserThread } from '../../server/document-parser-thread.js';
import { loadServerPolicy } from '../../policy/load-server-policy.js';
import { defaultServerHost, defaultServerPort, startServer } from '../../server/serve.js';
import { ConclaveError } from '../../protocol/errors.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { untilSignal } from '../signals.js';
import { stylerFor } from '../terminal.js';
import { startProcessObservability } from '../process-observability.js';
import { startMetricsServer } from '../../server/metrics-server.js';
import { createBenchRunLibrary } from '../../server/bench-run-library.js';
import { assertWorkspaceName } from '../../server/api-keys.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Directory of named topology documents. Default `examples`. */
  documents?: string;
  /** Browser origins allowed to call the API (CORS); none by default. */
  cors?: string[];
  /** Interval of SSE heartbeats. Default 15 s. */
  heartbeatMs?: number;
  /** Largest request body, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Redis URL of a worker queue (else CONCLAVE_QUEUE): sessions are enqueued, not run here. */
  queue?: string;
  /** The server policy file (else CONCLAVE_POLICY, else the safe defaults). */
  policy?: string;
  /** `--log-level` (else CONCLAVE_LOG_LEVEL, else `info`). */
  logLevel?: string;
  /** `--log-format`: auto, json or pretty (else CONCLAVE_LOG_FORMAT, else `auto`). */
  logFormat?: string;
  /** A second port serving only `GET /metrics`, without an API key, for a scraper. */
  metricsPort?: number;
  /** A directory of `conclave bench` runs to show in the UI and at `GET /v1/bench/runs`. */
  benchRuns?: string;
  /** Workspaces whose keys may read the bench runs. Default `default`. */
  benchWorkspaces?: string[];
}

/** Default SSE heartbeat interval of `conclave serve`. */
export const defaultHeartbeatMs = 15_000;

/**
 * Serves until interrupted; returns the exit code.
 *
 * @example
 * await serveCommand(context, { port: 8787, documents: 'examples' });
 */
export async function serveCommand(context: CliContext, options: ServeOptions = {}): Promise<number> {
  if (options.benchWorkspaces !== undefined && options.benchRuns === undefined) {
    throw new ConclaveError('invalid_argument', '--bench-workspace names who may read the bench runs of --bench-runs DIR, which is not given', { hint: 'conclave serve --bench-runs bench-results --bench-workspace default' });
  }
  for (const workspace of options.benchWorkspaces ?? []) assertWorkspaceName(workspace);
  const policy = loadServerPolicy(options.policy, process.env);
  context.usePolicy(policy);
  const queue = context.queue(options.queue);
  // Before anything opens the store: the observers tap it.
  const observability = await startProcessObservability(context, {
    role: 'serve',
    ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
    ...(options.logFormat !== undefined ? { logFormat: options.logFormat } : {}),
    ...(queue !== undefined ? { queueDepth: () => queue.depth() } : {}),
  });
  let stopRelay: (() => Promise<void>) | undefined;
  if (queue !== undefined) {
    if (context.store().kind === 'memory') throw new ConclaveError('invalid_argument', 'workers cannot reach an in-memory store: give --store postgres://… with --queue');
    await queue.ping();
    context.launchThrough(queue);
    // Text as it streams, from the workers, for SSE clients that ask for deltas.
    const { receiveLiveDeltas } = await import('../../queue/live-relay.js');
    stopRelay = receiveLiveDeltas(context.kernel().live, queue.target);
  }
  const resources = context.resources();
  const limitsSource = policy.source === 'defaults' ? 'the `limits:` section of a server policy (--policy FILE)' : `the \`limits:\` section of ${policy.source}`;
  const documents = createDocumentCatalog({ directory: options.documents ?? 'examples', registry: context.registry, limits: policy.limits, limitsSource });
  // Callers' documents are parsed in a thread of their own: a large one never stalls other requests.
  const documentParser = startDocumentParserThread({ limits: policy.limits, limitsSource });
  const benchRuns = options.benchRuns === undefined ? undefined : createBenchRunLibrary({ directory: options.benchRuns, ...(options.benchWorkspaces !== undefined ? { workspaces: options.benchWorkspaces } : {}) });
  const stopped = untilSignal();
  const server = await startServer({
    deps: {
      kernel: context.kernel(),
      resources,
      files: await context.files(),
      memory: await context.agentMemory(),
      credentials: await context.credentialVault(),
      documents,
      documentParser,
      heartbeatMs: options.heartbeatMs ?? defaultHeartbeatMs,
      observability: observability.server,
      ...(benchRuns !== undefined ? { benchRuns } : {}),
      ...(queue !== undefined ? { readiness: { queue: () => queue.ping() }, sessionsRunOnWorkers: true } : {}),
    },
    host: options.host ?? defaultServerHost,
    port: options.port ?? defaultServerPort,
    ...(options.cors !== undefined && options.cors.length > 0 ? { cors: options.cors } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  const metricsServer = options.metricsPort === undefined ? undefined : await startMetricsServer(observability.metrics, { host: options.host ?? defaultServerHost, port: options.metricsPort });
  const style = stylerFor(process.stdout);
  const lines = [
    `conclave serving on ${server.url} (sessions: ${context.storeDisplay()}${queue !== undefined ? `, run by workers from ${queue.target.display}` : ''})`,
    `  native API          ${server.url}/v1   (documents from ${documents.directory})`,
    `  Managed Agents API  ${server.url}/anthropic/v1   (Anthropic SDK: baseURL '${server.url}/anthropic')`,
    `  MCP server          ${server.url}/mcp   (streamable HTTP; the documents as tools, see conclave mcp --help)`,
  ];
  lines.push(`  metrics             ${server.url}/metrics   (Prometheus, with an API key)${metricsServer !== undefined ? `; ${metricsServer.url}/metrics without one` : ''}`);
  if (options.cors !== undefined && options.cors.length > 0) lines.push(`  CORS origins        ${options.cors.join(', ')}`);
  if (benchRuns !== undefined) lines.push(`  bench runs          ${server.url}/bench   (from ${benchRuns.directory}; workspaces ${(options.benchWorkspaces ?? ['default']).join(', ')})`);
  lines.push(`  policy              ${policy.source === 'defaults' ? 'safe defaults (see SECURITY.md; --policy FILE to change)' : policy.source}`);
  if ((await resources.listKeys()).every((key) => key.revokedAt !== null)) {
    lines.push(style.yellow('no API keys yet — create one in another terminal with: conclave keys create --workspace default'));
  }
  lines.push(style.dim('Ctrl-C stops the server.'));
  process.stdout.write(`${lines.join('\n')}\n`);

  const signal = await stopped;
  process.stderr.write(`${signal}: shutting down\n`);
  observability.logger.info({ signal }, 'shutting down');
  await server.close();
  await metricsServer?.close();
  await documentParser.close();
  await stopRelay?.();
  // Running sessions are interrupted, not cut: each idles with its finished calls journaled.
  const interrupted = await context.kernel().stopAll(`server shut down (${signal})`);
  if (interrupted > 0) process.stderr.write(`${interrupted} running session(s) interrupted; continue them with: conclave resume ID\n`);
  await observability.close();
  return exitCodes.success;
}
