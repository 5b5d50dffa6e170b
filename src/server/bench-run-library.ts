/**
 * The benchmark runs a server shows: the finished runs in one directory written by `conclave bench`
 * (`<dir>/<run id>/run.json` and `results.json`), read on request, never written. A run's id is its
 * directory's name, checked to be a plain name so no request reaches outside the directory. Runs are
 * the operator's files, so only the workspaces the operator names may read them (`conclave serve
 * --bench-runs DIR --bench-workspace NAME`); for every other key they do not exist.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults, BenchRunEntry } from '../bench/bench-types.js';

export type { BenchRunEntry } from '../bench/bench-types.js';
import type { RunManifest } from '../bench/run-directory.js';
import { ConclaveError } from '../protocol/errors.js';

/** One prompt of the suite, as the answer matrix labels its row. */
export interface BenchRunPrompt {
  id: string;
  prompt: string;
  expected?: unknown;
}

/** A whole run: its entry, the suite's prompts, and `results.json` as written. */
export interface BenchRunView {
  run: BenchRunEntry;
  prompts: BenchRunPrompt[];
  results: BenchResults;
}

export interface BenchRunLibrary {
  /** The directory read (as given). */
  readonly directory: string;
  /** Whether keys of `workspace` may read the runs. */
  readableBy(workspace: string): boolean;
  /** The finished runs, newest first. */
  list(): Promise<BenchRunEntry[]>;
  /** One run; `not_found` for an unknown or unfinished one. */
  get(id: string): Promise<BenchRunView>;
}

export interface BenchRunLibraryOptions {
  /** Where `conclave bench` wrote its runs (its `--out`, default `bench-results`). */
  directory: string;
  /** The workspaces whose keys may read them. Default: `default`. */
  workspaces?: readonly string[];
}

/** A run id: a directory name, never a path. */
export const benchRunIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

function entryOf(id: string, results: BenchResults): BenchRunEntry {
  const prompts = new Set(results.samples.map((sample) => sample.promptId));
  return {
    id,
    suite: results.suite.name,
    ...(results.suite.description !== undefined ? { description: results.suite.description } : {}),
    startedAt: results.startedAt,
    finishedAt: results.finishedAt,
    contestants: results.contestants.map((contestant) => contestant.name),
    prompts: prompts.size,
    samples: results.samples.length,
    incomplete: results.incomplete === true,
    simulated: results.simulated,
    pairwise: results.pairwise !== null,
  };
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Missing, or half-written by a bench still running: not a finished run.
    if (code === 'ENOENT' || code === 'ENOTDIR' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function notFound(id: string): ConclaveError {
  return new ConclaveError('not_found', `no bench run "${id}"`, { hint: 'list the runs with GET /v1/bench/runs' });
}

/**
 * A library over the runs in `options.directory`. A missing directory is an empty library.
 *
 * @example
 * const runs = createBenchRunLibrary({ directory: 'bench-results' });
 * (await runs.list())[0]?.id // → 'head-to-head-20261204-093000'
 */
export function createBenchRunLibrary(options: BenchRunLibraryOptions): BenchRunLibrary {
  const workspaces = new Set(options.workspaces ?? ['default']);
  const directory = options.directory;
  const resultsOf = async (id: string): Promise<BenchResults | undefined> => {
    if (!benchRunIdPattern.test(id)) return undefined;
    const results = await readJson<BenchResults>(join(directory, id, 'results.json'));
    return results?.version === 1 && Array.isArray(results.samples) ? results : undefined;
  };
  return {
    directory,
    readableBy: (workspace) => workspaces.has(workspace),
    async list() {
      let names: string[];
      try {
        names = await readdir(directory);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const entries: BenchRunEntry[] = [];
      for (const name of names) {
        if (!benchRunIdPattern.test(name) || !(await stat(join(directory, name))).isDirectory()) continue;
        const results = await resultsOf(name);
        if (results !== undefined) entries.push(entryOf(name, results));
      }
      return entries.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id));
    },
    async get(id) {
      const results = await resultsOf(id);
      if (results === undefined) throw notFound(id);
      const manifest = await readJson<RunManifest>(join(directory, id, 'run.json'));
      const asked = new Set(results.samples.map((sample) => sample.promptId));
      const prompts = (manifest?.suite.prompts ?? [])
        .filter((prompt) => asked.has(prompt.id))
        .map((prompt) => ({ id: prompt.id, prompt: prompt.prompt, ...(prompt.expected !== undefined ? { expected: prompt.expected } : {}) }));
      // A run whose run.json is gone still shows its answers, labelled by prompt id.
      for (const promptId of asked) if (!prompts.some((prompt) => prompt.id === promptId)) prompts.push({ id: promptId, prompt: promptId });
      return { run: entryOf(id, results), prompts, results };
    },
  };
}
