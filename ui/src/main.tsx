/**
 * The conclave web UI's entry: the sign-in gate, the header with its navigation, and the view of
 * the current route (sessions, start a session, one session, bench runs). Served by `conclave serve`
 * at `/`. A link with `#key=…` (`conclave bench --view`) signs the tab in and drops the fragment.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { storedKey, storeKey } from './api.js';
import { BenchList, BenchRun } from './bench-views.js';
import { linkClick, useRoute } from './router.js';
import { SessionView } from './session-view.js';
import { SessionsList } from './sessions-list.js';
import { SignIn } from './sign-in.js';
import { StartSession } from './start-session.js';

/** Takes a key handed over in the link's fragment (never sent to a server) and removes it from the address bar. */
function takeKeyFromFragment(): void {
  const key = new URLSearchParams(location.hash.slice(1)).get('key');
  if (key === null || key === '') return;
  storeKey(key);
  history.replaceState(null, '', location.pathname + location.search);
}

takeKeyFromFragment();

function App() {
  const [signedIn, setSignedIn] = useState(storedKey() !== undefined);
  const route = useRoute();
  const path = route.view === 'session' ? `/sessions/${route.id}` : route.view === 'bench-run' ? `/bench/${route.id}` : route.view;
  const firstPath = useRef(path);
  useEffect(() => {
    // After an in-page navigation, focus moves to the new view's heading (as a page load would put it at the top).
    if (path === firstPath.current) return;
    firstPath.current = '';
    const heading = document.querySelector<HTMLElement>('main h1');
    heading?.setAttribute('tabindex', '-1');
    heading?.focus();
  }, [path]);
  const signOut = (): void => {
    storeKey(undefined);
    setSignedIn(false);
  };
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <>
      <header class="top">
        <a href="/" onClick={linkClick} class="brand">
          conclave
        </a>
        <nav aria-label="Main">
          <a href="/" onClick={linkClick} aria-current={route.view === 'sessions' ? 'page' : undefined}>
            Sessions
          </a>
          <a href="/start" onClick={linkClick} aria-current={route.view === 'start' ? 'page' : undefined}>
            Start a session
          </a>
          <a href="/bench" onClick={linkClick} aria-current={route.view === 'bench' || route.view === 'bench-run' ? 'page' : undefined}>
            Bench runs
          </a>
        </nav>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      {route.view === 'sessions' && <SessionsList onUnauthorized={signOut} />}
      {route.view === 'start' && <StartSession />}
      {route.view === 'session' && <SessionView key={route.id} id={route.id} onUnauthorized={signOut} />}
      {route.view === 'bench' && <BenchList onUnauthorized={signOut} />}
      {route.view === 'bench-run' && <BenchRun key={route.id} id={route.id} onUnauthorized={signOut} />}
      {route.view === 'missing' && (
        <main>
          <h1>Not found</h1>
          <p>
            Nothing at <code>{route.path}</code>.{' '}
            <a href="/" onClick={linkClick}>
              Back to the sessions
            </a>
          </p>
        </main>
      )}
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<App />, root);
}
