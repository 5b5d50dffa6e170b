/**
 * The web UI's files, served without an API key (the app is public; every API call it makes sends
 * the key the user signs in with): `/ui/*` are the built assets of dist/ui (`npm run build`), and
 * `/`, `/start`, `/sessions/<id>`, `/bench` and `/bench/<run id>` answer the app's index.html so links can be bookmarked. Every
 * answer carries a strict Content-Security-Policy: scripts, styles and connections from this origin
 * only, nothing inline, no frames. Without a build, `/` says how to make one (503).
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Context, MiddlewareHandler } from 'hono';
import type { ServerEnv } from './server-deps.js';

/** The policy of every UI response: this origin only, nothing inline, never framed. */
export const uiContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/** Asset names: a plain file name, so no path can leave the directory. */
const assetNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.(html|js|css|svg|png|json)$/;

/**
 * Where the built UI is: dist/ui beside the bundled CLI (dist/cli), the compiled server
 * (dist/src/server) or, when run from source, the repository's dist/ui.
 *
 * @example
 * findUiDirectory() // → '/opt/conclave/dist/ui' (or undefined before `npm run build`)
 */
export function findUiDirectory(from: string = import.meta.url): string | undefined {
  const candidates = ['../ui/', '../../ui/', '../../dist/ui/'].map((relative) => fileURLToPath(new URL(relative, from)));
  return candidates.find((directory) => existsSync(join(directory, 'index.html')));
}

function secureHeaders(contentType: string, cache: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': uiContentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': cache,
  };
}

/** The app's own paths: each answers index.html, and the app shows the matching view. */
const appPathPattern = /^\/(?:ui\/?|start|sessions(?:\/[A-Za-z0-9_-]+)?|bench(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)?)?$/;

/**
 * The UI as a middleware, to `app.use('*', …)` before the API-key middleware: it answers GET and
 * HEAD of the app's paths and `/ui/<asset>`, and passes everything else on. A middleware rather than
 * routes, so the UI's pages stay out of the route tables and the OpenAPI document. `directory`
 * defaults to the built UI found by `findUiDirectory()`; null (no build) makes every UI path a 503
 * saying how to build.
 *
 * @example
 * app.use('*', uiRoutes()); // GET / → index.html, GET /ui/app.js → the bundle, GET /v1/… → next
 */
export function uiRoutes(directory: string | null = findUiDirectory() ?? null): MiddlewareHandler<ServerEnv> {
  const missing = (c: Context<ServerEnv>): Response =>
    c.body('The conclave web UI is not built: run `npm run build` (it writes dist/ui/), then restart `conclave serve`.\n', 503, secureHeaders('text/plain; charset=utf-8', 'no-store'));

  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const path = c.req.path;
    const asset = path.startsWith('/ui/') ? path.slice('/ui/'.length) : undefined;
    if (appPathPattern.test(path)) {
      if (directory === null) return missing(c);
      return c.body(await readFile(join(directory, 'index.html')), 200, secureHeaders(contentTypes['.html'] as string, 'no-cache'));
    }
    if (asset === undefined) return next();
    if (directory === null) return missing(c);
    if (!assetNamePattern.test(asset) || !existsSync(join(directory, asset))) {
      return c.body(`no file ${asset} in the web UI\n`, 404, secureHeaders('text/plain; charset=utf-8', 'no-store'));
    }
    const extension = asset.slice(asset.lastIndexOf('.'));
    return c.body(await readFile(join(directory, asset)), 200, secureHeaders(contentTypes[extension] ?? 'application/octet-stream', 'no-cache'));
  };
}
