/**
 * The UI's routes as data: which view a URL path shows. DOM-free, so the unit tests run it.
 */

export type Route = { view: 'sessions' } | { view: 'start' } | { view: 'session'; id: string } | { view: 'bench' } | { view: 'bench-run'; id: string } | { view: 'missing'; path: string };

/**
 * The view a path shows.
 *
 * @example
 * routeOf('/sessions/sesn_1') // → { view: 'session', id: 'sesn_1' }
 */
export function routeOf(path: string): Route {
  if (path === '/' || path === '/ui' || path === '/ui/' || path === '/sessions') return { view: 'sessions' };
  if (path === '/start') return { view: 'start' };
  const session = /^\/sessions\/([A-Za-z0-9_-]+)$/.exec(path);
  if (session !== null) return { view: 'session', id: session[1] as string };
  if (path === '/bench' || path === '/bench/') return { view: 'bench' };
  const run = /^\/bench\/([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(path);
  if (run !== null) return { view: 'bench-run', id: run[1] as string };
  return { view: 'missing', path };
}
