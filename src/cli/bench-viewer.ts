/**
 * `conclave bench … --view`: a local viewer of benchmark runs — the web UI of `conclave serve`,
 * on 127.0.0.1 and a free port, showing the runs of the bench's output directory. It needs no API
 * key of the database: it makes one for its own lifetime (in memory, workspace `default`) and puts
 * it in the printed link's fragment, which the browser never sends to a server; the UI takes it
 * from there and forgets the fragment. It opens the link in a browser when the terminal is
 * interactive, and serves until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { Kernel } from '../kernel/index.js';
import { createApiKey } from '../server/api-keys.js';
import { createBenchRunLibrary } from '../server/bench-run-library.js';
import { createDocumentCatalog } from '../server/document-catalog.js';
import { startServer } from '../server/serve.js';
import { createMemoryResourceStore, createMemoryStore } from '../store/index.js';
import type { Registry } from '../protocol/index.js';
import { untilSignal } from './signals.js';

export interface BenchViewerOptions {
  registry: Registry;
  /** The bench's output directory (its runs are `<directory>/<run id>/`). */
  directory: string;
  /** The run to open; the list of runs when absent. */
  runId?: string;
  /** Open the link in a browser. Default: when standard output is a terminal and not under CI. */
  open?: boolean;
  /** Where the link and progress lines go. Default standard error. */
  output?: NodeJS.WritableStream;
  /** Port; default 0 (a free one). */
  port?: number;
}

export interface BenchViewer {
  /** The link to open, key fragment included. */
  link: string;
  close(): Promise<void>;
}

/**
 * Starts the viewer; resolves once it listens.
 *
 * @example
 * const viewer = await startBenchViewer({ registry, directory: 'bench-results', runId: 'head-to-head-20261204-093000' });
 * viewer.link // → 'http://127.0.0.1:40123/bench/head-to-head-20261204-093000#key=ck_…'
 */
export async function startBenchViewer(options: BenchViewerOptions): Promise<BenchViewer> {
  const resources = createMemoryResourceStore();
  const { key } = await createApiKey(resources, { workspace: 'default', name: 'bench viewer' });
  const store = createMemoryStore();
  const server = await startServer({
    deps: {
      kernel: new Kernel({ store, registry: options.registry }),
      resources,
      documents: createDocumentCatalog({ directory: 'examples', registry: options.registry }),
      benchRuns: createBenchRunLibrary({ directory: options.directory }),
      heartbeatMs: 15_000,
    },
    host: '127.0.0.1',
    port: options.port ?? 0,
  });
  const path = options.runId === undefined ? '/bench' : `/bench/${encodeURIComponent(options.runId)}`;
  return {
    link: `${server.url}${path}#key=${key}`,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}

function openInBrowser(link: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [link], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined); // No opener installed: the printed link is enough.
  child.unref();
}

/**
 * Serves the viewer until SIGINT/SIGTERM; returns the exit code (0).
 *
 * @example
 * return await viewBenchRuns({ registry: context.registry, directory: 'bench-results', runId });
 */
export async function viewBenchRuns(options: BenchViewerOptions): Promise<number> {
  const output = options.output ?? process.stderr;
  const stopped = untilSignal();
  const viewer = await startBenchViewer(options);
  const open = options.open ?? (process.stdout.isTTY === true && process.env['CI'] === undefined);
  output.write(`bench view: ${viewer.link}\n(the link holds a key valid while this runs; Ctrl-C stops the viewer)\n`);
  if (open) openInBrowser(viewer.link);
  await stopped;
  await viewer.close();
  return 0;
}
