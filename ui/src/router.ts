/**
 * History routing for the UI: paths are real URLs (`/sessions/<id>` can be bookmarked and reloaded,
 * the server answers it with index.html), links are real `<a href>` elements, and a click on one
 * is turned into `history.pushState` so the page does not reload.
 */
import { useEffect, useState } from 'preact/hooks';
import { routeOf, type Route } from './routes.js';

export type { Route } from './routes.js';

/**
 * Goes to `path` without reloading the page.
 *
 * @example
 * navigate(`/sessions/${session.id}`);
 */
export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

/**
 * The current route, updated on navigation and on the browser's back and forward.
 *
 * @example
 * const route = useRoute(); if (route.view === 'session') return <SessionView id={route.id} />;
 */
export function useRoute(): Route {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onChange = (): void => setPath(location.pathname);
    addEventListener('popstate', onChange);
    return () => removeEventListener('popstate', onChange);
  }, []);
  return routeOf(path);
}

/**
 * A click handler for internal links: plain left clicks navigate in place; others (new tab) do not.
 *
 * @example
 * <a href="/start" onClick={linkClick}>Start a session</a>
 */
export function linkClick(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(anchor.pathname);
}
