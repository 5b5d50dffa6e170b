/**
 * The route table of the health probes (`/healthz`, `/readyz`), which need no API key: `app.ts`
 * mounts its handlers on it, before authentication, and `openapi.ts` publishes it.
 */
import { z } from 'zod';
import { defineRoutes } from './route-table.js';

const readinessSchema = z.object({
  ready: z.boolean(),
  checks: z.record(z.string(), z.string()).meta({ description: 'Each named check: `ok`, or why it failed.' }),
});

/** The probe routes, at the root. */
export const probeRouteTable = defineRoutes({
  basePath: '/',
  face: 'service',
  routes: {
    health: {
      method: 'get',
      path: '/healthz',
      summary: 'Liveness probe; needs no API key',
      public: true,
      responses: { 200: { description: 'The server is up.', json: { name: 'Health', schema: z.object({ ok: z.literal(true) }) } } },
      errors: [],
    },
    readiness: {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness probe (the store answers, …); needs no API key',
      public: true,
      responses: {
        200: { description: 'Every check passed.', json: { name: 'Readiness', schema: readinessSchema } },
        503: { description: 'A check failed; `checks` says which and why.', json: { name: 'Readiness', schema: readinessSchema } },
      },
      errors: [],
    },
  },
});
