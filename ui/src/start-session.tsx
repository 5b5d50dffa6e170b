/**
 * Starting a session: a document from the server's catalog, or YAML pasted into an editor with line
 * numbers. YAML syntax is checked as you type (in the browser, with the same `yaml` package the
 * server uses); the document itself is validated by the server on start, and each problem its 400
 * names is shown beside the editor and marked at its line in the gutter. Or a designer proposes the
 * document from a task in a sentence (`DesignTeam`), into the editor.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Problem } from './api.js';
import { DesignTeam } from './design-team.js';
import { syntaxProblems } from './yaml-syntax.js';
import { navigate } from './router.js';
import type { SessionSummary } from './sessions-list.js';

function where(problem: Problem): string {
  const location = problem.location;
  if (location?.line === undefined) return location?.path ?? '';
  return `line ${location.line}${location.column !== undefined ? `, column ${location.column}` : ''}`;
}

/**
 * The start view: pick or paste, give an optional task, start, and go to the new session.
 *
 * @example
 * <StartSession />
 */
export function StartSession() {
  const [source, setSource] = useState<'catalog' | 'yaml'>('catalog');
  const [names, setNames] = useState<string[]>([]);
  const [name, setName] = useState('');
  const [yaml, setYaml] = useState('');
  const [task, setTask] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [syntax, setSyntax] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const editor = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLOListElement>(null);

  useEffect(() => {
    api<{ data: string[] }>('GET', '/v1/documents')
      .then((list) => {
        setNames(list.data);
        setName((current) => current || (list.data.includes('debate') ? 'debate' : (list.data[0] ?? '')));
      })
      .catch((error: unknown) => setProblems([{ message: error instanceof Error ? error.message : String(error) }]));
  }, []);

  useEffect(() => {
    const timer = setTimeout(() => setSyntax(syntaxProblems(yaml)), 250);
    return () => clearTimeout(timer);
  }, [yaml]);

  const start = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setProblems([]);
    try {
      const body = { ...(source === 'catalog' ? { name } : { document: yaml }), ...(task.trim() !== '' ? { task: task.trim() } : {}) };
      const session = await api<SessionSummary>('POST', '/v1/sessions', body);
      navigate(`/sessions/${session.id}`);
    } catch (error) {
      setProblems(error instanceof ApiError ? error.problems : [{ message: String(error) }]);
    } finally {
      setBusy(false);
    }
  };

  const goToLine = (line: number): void => {
    const area = editor.current;
    if (area === null) return;
    const lines = area.value.split('\n');
    const offset = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    area.focus();
    area.setSelectionRange(offset, offset + (lines[line - 1]?.length ?? 0));
  };

  const shown = source === 'yaml' && problems.length === 0 ? syntax : problems;
  const errorLines = new Set(shown.map((problem) => problem.location?.line).filter((line): line is number => line !== undefined));
  const lineCount = Math.max(1, yaml.split('\n').length);

  return (
    <main>
      <h1>Start a session</h1>
      <DesignTeam
        onDesigned={(design) => {
          setSource('yaml');
          setYaml(design.yaml);
          setProblems([]);
        }}
      />
      <form class="start" onSubmit={(event) => void start(event)}>
        <fieldset>
          <legend>Document</legend>
          <label>
            <input type="radio" name="source" checked={source === 'catalog'} onChange={() => setSource('catalog')} /> From the catalog
          </label>
          <label>
            <input type="radio" name="source" checked={source === 'yaml'} onChange={() => setSource('yaml')} /> Paste YAML
          </label>
        </fieldset>
        {source === 'catalog' ? (
          <label class="stacked">
            Catalog document
            <select value={name} onChange={(event) => setName(event.currentTarget.value)}>
              {names.map((candidate) => (
                <option value={candidate}>{candidate}</option>
              ))}
            </select>
          </label>
        ) : (
          <div class="stacked">
            <label for="document-yaml">Topology document (YAML)</label>
            <div class="editor">
              <ol class="gutter" ref={gutter} aria-hidden="true">
                {Array.from({ length: lineCount }, (_, index) => (
                  <li class={errorLines.has(index + 1) ? 'error-line' : undefined} data-line={index + 1}>
                    {index + 1}
                  </li>
                ))}
              </ol>
              <textarea
                id="document-yaml"
                ref={editor}
                spellcheck={false}
                rows={14}
                value={yaml}
                aria-invalid={shown.length > 0}
                aria-describedby="document-problems"
                onInput={(event) => setYaml(event.currentTarget.value)}
                onScroll={(event) => {
                  if (gutter.current !== null) gutter.current.scrollTop = event.currentTarget.scrollTop;
                }}
              />
            </div>
            <p class="muted">YAML syntax is checked as you type; the server validates the document when you start it.</p>
          </div>
        )}
        <div id="document-problems" aria-live="polite">
          {shown.length > 0 && (
            <ul class="problems" role="alert">
              {shown.map((problem) => (
                <li class="error" data-error-line={problem.location?.line}>
                  {problem.location?.line !== undefined ? (
                    <button type="button" class="link" onClick={() => goToLine(problem.location?.line ?? 1)}>
                      {where(problem)}
                    </button>
                  ) : (
                    where(problem) !== '' && <span>{where(problem)}</span>
                  )}{' '}
                  {problem.message}
                  {problem.hint !== undefined && <span class="hint"> — {problem.hint}</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
        <label class="stacked">
          Task (optional: overrides the document's)
          <input type="text" value={task} onInput={(event) => setTask(event.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy || (source === 'catalog' ? name === '' : yaml.trim() === '' || syntax.length > 0)}>
          Start
        </button>
      </form>
    </main>
  );
}
