/**
 * The sign-in form: an API key in a password field, checked against the server (a one-session list
 * call) before it is kept for this tab. A refused key shows the server's own 401 message and hint.
 */
import { useState } from 'preact/hooks';
import { api, ApiError, storeKey } from './api.js';

/**
 * The sign-in view; calls `onSignedIn` once the server accepted the key.
 *
 * @example
 * <SignIn onSignedIn={() => setSignedIn(true)} />
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<{ message: string; hint?: string | undefined }>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await api('GET', '/v1/sessions?limit=1', undefined, key.trim());
      storeKey(key.trim());
      onSignedIn();
    } catch (error) {
      setProblem(error instanceof ApiError ? { message: error.message, hint: error.hint } : { message: String(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>conclave</h1>
      <form onSubmit={(event) => void submit(event)} aria-describedby="sign-in-help">
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" autoFocus required value={key} onInput={(event) => setKey(event.currentTarget.value)} />
        <button type="submit" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
        <p id="sign-in-help" class="muted">
          Create a key with <code>conclave keys create --workspace default</code>. It is kept for this tab only.
        </p>
        {problem !== undefined && (
          <p role="alert" class="error">
            {problem.message}
            {problem.hint !== undefined && <span class="hint"> — {problem.hint}</span>}
          </p>
        )}
      </form>
    </main>
  );
}
