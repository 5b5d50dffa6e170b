/**
 * Managed Agents API families conclave does not offer yet. Each answers every method and sub-path
 * with a 400 that names the family and why (the SDK raises `BadRequestError` with the message),
 * instead of a 404 "no route" that reads like a wrong base URL. They are not operations, so the
 * OpenAPI document leaves them out; the README's Managed Agents table lists them.
 */
import type { Hono } from 'hono';
import { ConclaveError } from '../../protocol/errors.js';
import type { ServerEnv } from '../server-deps.js';
import { managedApiBasePath } from './managed-api-base-path.js';

interface UnsupportedFamily {
  /** Hono path under the Managed base path; each is mounted as is and with `/*` below it. */
  path: string;
  what: string;
  why: string;
}

/** The families, in the order of the SDK's `client.beta` resources. */
export const unsupportedFamilies: readonly UnsupportedFamily[] = [
  { path: '/skills', what: 'skills', why: 'agents are defined by topology documents and tools' },
  {
    path: '/sessions/:id/threads/:thread_id/archive',
    what: 'thread archives',
    why: "a session's threads are its topology's agents, which take part in every turn; archive the session instead",
  },
];

/**
 * Mounts the 400 answers on `app` (the whole server app, after the routes of the tables).
 *
 * @example
 * mountUnsupportedFamilies(app); // GET /anthropic/v1/skills → 400 "skills are not supported by this server yet: …"
 */
export function mountUnsupportedFamilies(app: Hono<ServerEnv>): void {
  for (const family of unsupportedFamilies) {
    const refuse = (): never => {
      throw new ConclaveError('invalid_argument', `${family.what} are not supported by this server yet: ${family.why}`, {
        hint: 'see the Managed Agents table in the README for what conclave supports',
      });
    };
    app.all(`${managedApiBasePath}${family.path}`, refuse);
    app.all(`${managedApiBasePath}${family.path}/*`, refuse);
  }
}
