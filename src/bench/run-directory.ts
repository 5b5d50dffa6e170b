/**
 * A benchmark run on disk: `<out>/<run id>/` holds `run.json` (the suite as loaded and the
 * settings, so `--resume` needs nothing else), `samples.jsonl` and `tournaments.jsonl` (one line
 * per finished sample or tournament, appended as they finish, so a killed run loses at most the
 * requests in flight), `sessions.db` (the logs of topology sessions) and, at the end, the five
 * outputs: `results.json`, `results.csv`, `report.md`, `report.html`.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConclaveError } from '../protocol/index.js';
import type { BenchSample, BenchSettings } from './bench-types.js';
import type { BenchSuite } from './suite-schema.js';

/** One tournament of the pairwise phase, as journaled. */
export interface TournamentRecord {
  promptId: string;
  sessionId: string;
  /** Each match from its first candidate's view: 1 won, 0.5 drawn, 0 lost. */
  matches: Array<{ a: string; b: string; wins: number }>;
  judgeCostUsd: number;
}

export interface RunManifest {
  version: 1;
  runId: string;
  startedAt: string;
  suite: BenchSuite;
  settings: BenchSettings;
  /** Contestant names the run is limited to (`--filter`); all when absent. */
  contestants: string[];
}

export class RunDirectory {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    readonly manifest: RunManifest,
    readonly samples: BenchSample[],
    readonly tournaments: TournamentRecord[],
  ) {}

  get runId(): string {
    return this.manifest.runId;
  }

  /** The key that identifies a sample within a run. */
  static sampleKey(sample: Pick<BenchSample, 'contestant' | 'promptId' | 'repeat'>): string {
    return `${sample.contestant}\u0000${sample.promptId}\u0000${sample.repeat}`;
  }

  /**
   * Creates a new run directory under `outDir`, named after the suite and the start time.
   *
   * @example
   * const run = await RunDirectory.create('bench-results', suite, settings, ['swift', 'sage']);
   * run.path // → 'bench-results/head-to-head-20261121-093000'
   */
  static async create(outDir: string, suite: BenchSuite, settings: BenchSettings, contestants: string[], now = new Date()): Promise<RunDirectory> {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const slug = suite.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'bench';
    let runId = `${slug}-${stamp}`;
    for (let suffix = 2; existsSync(join(outDir, runId)); suffix += 1) runId = `${slug}-${stamp}-${suffix}`;
    const path = join(outDir, runId);
    await mkdir(path, { recursive: true });
    const manifest: RunManifest = { version: 1, runId, startedAt: now.toISOString(), suite, settings, contestants };
    await writeFile(join(path, 'run.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return new RunDirectory(path, manifest, [], []);
  }

  /**
   * Opens a run to resume it: `run` is a run directory, or a run id under `outDir`.
   *
   * @example
   * const run = await RunDirectory.open('head-to-head-20261121-093000', 'bench-results');
   * run.samples.length // → how many samples were finished before it stopped
   */
  static async open(run: string, outDir: string): Promise<RunDirectory> {
    const candidates = [run, join(outDir, run)];
    let path: string | undefined;
    for (const candidate of candidates) if (existsSync(join(candidate, 'run.json'))) path = path ?? candidate;
    if (path === undefined) {
      throw new ConclaveError('invalid_argument', `no benchmark run "${run}" (looked for ${candidates.map((candidate) => join(candidate, 'run.json')).join(' and ')})`, {
        hint: 'pass the run directory printed when the run started, or its id with the same --out',
      });
    }
    const manifest = JSON.parse(await readFile(join(path, 'run.json'), 'utf8')) as RunManifest;
    if (manifest.version !== 1) throw new ConclaveError('invalid_argument', `${path}/run.json has version ${String(manifest.version)}; this conclave reads version 1`);
    return new RunDirectory(path, manifest, await readLines<BenchSample>(join(path, 'samples.jsonl')), await readLines<TournamentRecord>(join(path, 'tournaments.jsonl')));
  }

  /** Absolute path of a file in the run. */
  file(name: string): string {
    return resolve(this.path, name);
  }

  /** Appends a finished sample (writes are serialised, each one line). */
  appendSample(sample: BenchSample): Promise<void> {
    this.samples.push(sample);
    return this.append('samples.jsonl', sample);
  }

  /** Appends a finished tournament. */
  appendTournament(record: TournamentRecord): Promise<void> {
    this.tournaments.push(record);
    return this.append('tournaments.jsonl', record);
  }

  private append(name: string, value: unknown): Promise<void> {
    const line = `${JSON.stringify(value)}\n`;
    this.writes = this.writes.then(() => appendFile(join(this.path, name), line));
    return this.writes;
  }

  /** Waits for every append to reach the file. */
  flush(): Promise<void> {
    return this.writes;
  }
}

/** Reads a JSONL file; a torn last line (the process died mid-write) is dropped. */
async function readLines<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const values: T[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line) as T);
    } catch (error) {
      if (index < lines.length - 1 && lines.slice(index + 1).some((rest) => rest.trim() !== '')) {
        throw new ConclaveError('invalid_argument', `${path}:${index + 1}: not valid JSON (${(error as Error).message})`, { location: { file: path, line: index + 1 } });
      }
    }
  }
  return values;
}
