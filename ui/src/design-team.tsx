/**
 * "Design a team": the task in a sentence goes to `POST /v1/designs` (the server's designer model,
 * offline when it has no key), and the proposed, validated YAML lands in the start view's editor to
 * review, edit and start.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from './api.js';

/** What `POST /v1/designs` answers. */
export interface Design {
  yaml: string;
  topology: string;
  agents: Array<{ name: string; model?: string }>;
  designer: string;
  attempts: number;
}

/**
 * The design form; `onDesigned` receives the design.
 *
 * @example
 * <DesignTeam onDesigned={(design) => setYaml(design.yaml)} />
 */
export function DesignTeam({ onDesigned }: { onDesigned: (design: Design) => void }) {
  const [task, setTask] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<Design>();

  const design = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setDone(undefined);
    try {
      const result = await api<Design>('POST', '/v1/designs', { task });
      setDone(result);
      onDesigned(result);
    } catch (error) {
      setProblem(error instanceof ApiError ? `${error.message}${error.hint !== undefined ? ` — ${error.hint}` : ''}` : String(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="design stacked" onSubmit={(event) => void design(event)} aria-labelledby="design-heading">
      <h2 id="design-heading">Design a team</h2>
      <label class="stacked">
        Describe the task: a designer proposes the topology, the agents and their models
        <textarea rows={2} value={task} onInput={(event) => setTask(event.currentTarget.value)} placeholder="Should we move our services to a monorepo?" />
      </label>
      <div>
        <button type="submit" class="secondary" disabled={busy || task.trim() === ''}>
          {busy ? 'Designing…' : 'Design'}
        </button>
      </div>
      <div aria-live="polite">
        {problem !== undefined && (
          <p role="alert" class="error">
            {problem}
          </p>
        )}
        {done !== undefined && (
          <p class="notice" data-designed={done.topology}>
            Designed a {done.topology} of {done.agents.length} agents ({done.designer}); it is in the editor below — review it, then Start.
          </p>
        )}
      </div>
    </form>
  );
}
