/**
 * The side-by-side answer matrix of a bench run: a row per prompt (with its expected answer), a
 * column per contestant, and in each cell every repeat's answer with its assertion results, latency
 * and cost. A search box and "only problems" narrow the rows; long answers fold open on demand.
 */
import { useState } from 'preact/hooks';
import { answerMatrix, expectedText, milliseconds, type BenchRunView, type BenchSample, type MatrixCell } from './bench-model.js';
import { usd } from './format.js';

function Verdict({ cell }: { cell: MatrixCell }) {
  if (cell.failed) return <span class="verdict verdict-error">error</span>;
  if (cell.passed === null) return null;
  return cell.passed ? <span class="verdict verdict-pass">pass</span> : <span class="verdict verdict-fail">fail</span>;
}

function Answer({ sample, repeats }: { sample: BenchSample; repeats: number }) {
  const error = sample.metrics.error;
  const checks = sample.quality?.checks ?? [];
  return (
    <div class="answer-sample" data-repeat={sample.repeat}>
      {repeats > 1 && <div class="muted">repeat {sample.repeat + 1}</div>}
      {error !== null ? (
        <p class="error">
          {error.code}: {error.message}
        </p>
      ) : sample.output.length > 280 ? (
        <details>
          <summary class="said">{`${sample.output.slice(0, 240)}…`}</summary>
          <div class="said">{sample.output}</div>
        </details>
      ) : (
        <div class="said">{sample.output}</div>
      )}
      {checks.length > 0 && (
        <ul class="checks">
          {checks.map((check) => (
            <li class={check.passed ? 'check-pass' : 'check-fail'}>
              <span aria-hidden="true">{check.passed ? '✓' : '✗'}</span> {check.name}
              <span class="visually-hidden">{check.passed ? ' passed' : ' failed'}</span>
              {check.detail !== undefined && !check.passed && <span class="muted"> — {check.detail}</span>}
            </li>
          ))}
        </ul>
      )}
      <div class="muted sample-metrics">
        {milliseconds(sample.metrics.e2eMs)} · {usd(sample.metrics.costUsd, false)}
        {sample.cached ? ' · cached' : ''}
      </div>
    </div>
  );
}

/**
 * The answer matrix with its filters.
 *
 * @example
 * <AnswerMatrix view={run} />
 */
export function AnswerMatrix({ view }: { view: BenchRunView }) {
  const [search, setSearch] = useState('');
  const [onlyProblems, setOnlyProblems] = useState(false);
  const rows = answerMatrix(view, { search, onlyProblems });
  const contestants = view.results.contestants.map((contestant) => contestant.name);
  const repeats = view.results.settings.repeat;
  return (
    <section aria-labelledby="matrix-heading">
      <h2 id="matrix-heading">Answers side by side</h2>
      <div class="toolbar" role="search">
        <label>
          Search <input type="search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} placeholder="prompt, expected, answer" />
        </label>
        <label>
          <input type="checkbox" checked={onlyProblems} onChange={(event) => setOnlyProblems(event.currentTarget.checked)} /> only prompts with a failed check or an error
        </label>
        <span class="muted" aria-live="polite">
          {rows.length} of {view.prompts.length} prompts
        </span>
      </div>
      {rows.length === 0 ? (
        <p class="muted">No prompt matches.</p>
      ) : (
        <div class="table-scroll">
          <table class="answer-matrix">
            <thead>
              <tr>
                <th scope="col">Prompt</th>
                {contestants.map((name) => (
                  <th scope="col">{name}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.promptId} data-prompt={row.promptId}>
                  <th scope="row">
                    <div class="said">{row.prompt}</div>
                    {row.expected !== undefined && (
                      <div class="muted">
                        expected: <code>{expectedText(row.expected)}</code>
                      </div>
                    )}
                  </th>
                  {row.cells.map((cell) => (
                    <td data-contestant={cell.contestant} class={cell.failed ? 'cell-error' : cell.passed === false ? 'cell-fail' : cell.passed === true ? 'cell-pass' : ''}>
                      <Verdict cell={cell} />
                      {cell.samples.length === 0 ? <p class="muted">not asked</p> : cell.samples.map((sample) => <Answer sample={sample} repeats={repeats} />)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
