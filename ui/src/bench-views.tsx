/**
 * The bench runs: the list (`/bench`) of the finished runs the server shows, and one run
 * (`/bench/<id>`) with its contestants table, latency and cost-vs-quality charts, the pairwise
 * win-rate matrix and Bradley–Terry ranking, and the side-by-side answer matrix.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { CostQualityChart, LatencyChart } from './bench-charts.js';
import { AnswerMatrix } from './bench-matrix.js';
import { milliseconds, winRateBand, winRateLabel, type BenchRunEntry, type BenchRunView, type PairwiseResult } from './bench-model.js';
import { age, usd } from './format.js';
import { linkClick } from './router.js';

/** Loads `path` once; `onUnauthorized` on a 401. */
function useLoaded<T>(path: string, onUnauthorized: () => void): { value?: T; problem?: string } {
  const [state, setState] = useState<{ value?: T; problem?: string }>({});
  useEffect(() => {
    let stopped = false;
    api<T>('GET', path).then(
      (value) => !stopped && setState({ value }),
      (error: unknown) => {
        if (stopped) return;
        if (error instanceof ApiError && error.status === 401) return onUnauthorized();
        setState({ problem: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      stopped = true;
    };
  }, [path]);
  return state;
}

/**
 * The list of bench runs.
 *
 * @example
 * <BenchList onUnauthorized={signOut} />
 */
export function BenchList({ onUnauthorized }: { onUnauthorized: () => void }) {
  const { value, problem } = useLoaded<{ data: BenchRunEntry[]; enabled: boolean }>('/v1/bench/runs', onUnauthorized);
  return (
    <main>
      <h1>Bench runs</h1>
      {problem !== undefined && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {value === undefined ? (
        problem === undefined && <p class="muted">Loading…</p>
      ) : !value.enabled ? (
        <p class="muted">
          This server shows no bench runs to this key. Start it with <code>conclave serve --bench-runs bench-results</code>, or view a run with{' '}
          <code>conclave bench SUITE --view</code>.
        </p>
      ) : value.data.length === 0 ? (
        <p class="muted">
          No finished runs yet: <code>conclave bench benchmarks/providers/head-to-head.yaml</code> makes one.
        </p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Contestants</th>
                <th scope="col" class="number">Prompts</th>
                <th scope="col" class="number">Samples</th>
                <th scope="col" class="number">Age</th>
              </tr>
            </thead>
            <tbody>
              {value.data.map((run) => (
                <tr key={run.id} data-run={run.id}>
                  <td>
                    <a href={`/bench/${run.id}`} onClick={linkClick}>
                      {run.suite}
                    </a>{' '}
                    <span class="muted">{run.id}</span>
                    {run.simulated && <span class="badge">simulated</span>} {run.incomplete && <span class="badge">incomplete</span>}
                  </td>
                  <td>{run.contestants.join(', ')}</td>
                  <td class="number">{run.prompts}</td>
                  <td class="number">{run.samples}</td>
                  <td class="number">{age(run.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}

function WinRateMatrix({ pairwise }: { pairwise: PairwiseResult }) {
  return (
    <section aria-labelledby="pairwise-heading">
      <h2 id="pairwise-heading">Head to head</h2>
      <p class="muted">
        {pairwise.tournaments} tournaments judged by <code>{pairwise.judge}</code>. Each cell: how often the row beat the column (a draw counts half).
      </p>
      <div class="table-scroll">
        <table class="win-rate">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">row beats column</span>
              </th>
              {pairwise.contestants.map((name) => (
                <th scope="col">{name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {pairwise.contestants.map((name, row) => (
              <tr>
                <th scope="row">{name}</th>
                {pairwise.contestants.map((other, column) => {
                  const rate = pairwise.winRate[row]?.[column] ?? null;
                  const games = pairwise.games[row]?.[column] ?? 0;
                  return (
                    <td class={`number rate-${winRateBand(rate)}`} title={rate === null ? undefined : `${name} vs ${other}: ${games} games`}>
                      {winRateLabel(rate)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Ranking (Bradley–Terry)</h3>
      <ol>
        {pairwise.ranking.map((entry) => (
          <li>
            {entry.name} {(entry.strength * 100).toFixed(0)}% <span class="muted">[{(entry.low * 100).toFixed(0)}–{(entry.high * 100).toFixed(0)}]</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/**
 * One bench run.
 *
 * @example
 * <BenchRun id="head-to-head-20261204-093000" onUnauthorized={signOut} />
 */
export function BenchRun({ id, onUnauthorized }: { id: string; onUnauthorized: () => void }) {
  const { value: view, problem } = useLoaded<BenchRunView>(`/v1/bench/runs/${encodeURIComponent(id)}`, onUnauthorized);
  if (view === undefined) {
    return (
      <main>
        <h1>{id}</h1>
        {problem !== undefined ? (
          <p role="alert" class="error">
            {problem}
          </p>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </main>
    );
  }
  const { run, results } = view;
  return (
    <main class="bench-run">
      <h1>{run.suite}</h1>
      <p class="muted">
        {run.id} · {run.prompts} prompts × {results.contestants.length} contestants × {results.settings.repeat} {results.settings.repeat === 1 ? 'repeat' : 'repeats'} · {run.samples} samples
        {run.simulated && ' · simulated models'}
        {run.incomplete && ' · incomplete'}
      </p>
      {run.description !== undefined && <p>{run.description}</p>}
      <section aria-labelledby="contestants-heading">
        <h2 id="contestants-heading">Contestants</h2>
        <div class="table-scroll">
          <table class="contestants">
            <thead>
              <tr>
                <th scope="col">Contestant</th>
                <th scope="col" class="number">Quality</th>
                <th scope="col" class="number">Pass rate</th>
                <th scope="col" class="number">Latency p50</th>
                <th scope="col" class="number">p95</th>
                <th scope="col" class="number">TTFT p50</th>
                <th scope="col" class="number">Errors</th>
                <th scope="col" class="number">Cost</th>
              </tr>
            </thead>
            <tbody>
              {results.contestants.map((contestant) => (
                <tr data-contestant={contestant.name}>
                  <th scope="row">
                    {contestant.name}
                    <div class="muted target">{contestant.target}</div>
                  </th>
                  <td class="number">{contestant.quality === null ? '–' : `${(contestant.quality.mean * 100).toFixed(0)}%`}</td>
                  <td class="number">{contestant.quality === null ? '–' : `${(contestant.quality.passRate * 100).toFixed(0)}%`}</td>
                  <td class="number">{milliseconds(contestant.e2eMs.p50)}</td>
                  <td class="number">{milliseconds(contestant.e2eMs.p95)}</td>
                  <td class="number">{milliseconds(contestant.ttftMs?.p50)}</td>
                  <td class="number">{contestant.errors}</td>
                  <td class="number">{usd(contestant.cost.totalUsd, contestant.simulated)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="charts-heading">
        <h2 id="charts-heading">Charts</h2>
        <div class="charts">
          <LatencyChart contestants={results.contestants} metric="e2eMs" title="End-to-end latency" />
          <LatencyChart contestants={results.contestants} metric="ttftMs" title="Time to first token" />
          <CostQualityChart contestants={results.contestants} />
        </div>
      </section>
      {results.pairwise !== null && <WinRateMatrix pairwise={results.pairwise} />}
      <AnswerMatrix view={view} />
    </main>
  );
}
