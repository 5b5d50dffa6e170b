/**
 * The bench runs of the native API (`/v1/bench/runs`): the finished runs of `conclave bench` in the
 * directory the operator gave `conclave serve --bench-runs`, for the web UI's bench view (charts,
 * win-rate matrix, the side-by-side answer matrix). Read-only, and only for keys of the workspaces
 * the operator named; for any other key, and on a server without `--bench-runs`, there are no runs.
 */
import { z } from 'zod';
import type { Hono } from 'hono';
import { ConclaveError } from '../../protocol/errors.js';
import { defineRoutes, mountRoutes } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';

const timestamp = z.string().meta({ format: 'date-time' });

const benchRunEntrySchema = z.object({
  id: z.string().meta({ description: "The run's directory name, e.g. `head-to-head-20261204-093000`." }),
  suite: z.string(),
  description: z.string().optional(),
  startedAt: timestamp,
  finishedAt: timestamp,
  contestants: z.array(z.string()).meta({ description: 'Contestant names, best first (the ranking of results.json).' }),
  prompts: z.number().int(),
  samples: z.number().int(),
  incomplete: z.boolean().meta({ description: 'Stopped before every sample finished.' }),
  simulated: z.boolean().meta({ description: 'Some contestant ran on a simulator (offline models).' }),
  pairwise: z.boolean().meta({ description: 'A pairwise head-to-head was played: `results.pairwise` holds the win-rate matrix.' }),
});

const benchRunListSchema = z.object({
  data: z.array(benchRunEntrySchema).meta({ description: 'Finished runs, newest first.' }),
  enabled: z.boolean().meta({ description: 'Whether this server shows bench runs to this key (`conclave serve --bench-runs DIR`).' }),
});

const benchRunViewSchema = z.object({
  run: benchRunEntrySchema,
  prompts: z.array(z.object({ id: z.string(), prompt: z.string(), expected: z.unknown().optional() })).meta({ description: "The suite's prompts that were asked, in suite order." }),
  results: z
    .looseObject({
      version: z.literal(1),
      runId: z.string(),
      contestants: z.array(z.looseObject({ name: z.string() })).meta({ description: 'One summary per contestant (latency distributions, cost, quality), best first.' }),
      pairwise: z.looseObject({ contestants: z.array(z.string()), winRate: z.array(z.array(z.number().nullable())) }).nullable(),
      samples: z.array(z.looseObject({ contestant: z.string(), promptId: z.string(), repeat: z.number().int(), output: z.string() })).meta({ description: 'Every measured answer with its metrics and assertion results.' }),
    })
    .meta({ description: "The run's `results.json` as `conclave bench` wrote it (see the README's Benchmarks section)." }),
});

/** The bench-run routes, relative to `/v1`. */
export const benchRunRouteTable = defineRoutes({
  basePath: '/v1',
  face: 'native',
  routes: {
    listBenchRuns: {
      method: 'get',
      path: '/bench/runs',
      summary: 'List the finished benchmark runs the server shows (`conclave serve --bench-runs DIR`)',
      responses: { 200: { description: 'The runs, newest first.', json: { name: 'BenchRunList', schema: benchRunListSchema } } },
      errors: [],
    },
    getBenchRun: {
      method: 'get',
      path: '/bench/runs/:id',
      summary: "Get a benchmark run: its summary, the suite's prompts and its results.json",
      params: { id: "The run's id (its directory name)." },
      responses: { 200: { description: 'The run.', json: { name: 'BenchRunView', schema: benchRunViewSchema } } },
      errors: [404],
    },
  },
});

/**
 * The bench-run routes over `deps.benchRuns`, mounted on their table.
 *
 * @example
 * app.route(benchRunRouteTable.basePath, benchRunRoutes(deps)); // GET /v1/bench/runs → { data: [...], enabled: true }
 */
export function benchRunRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const library = deps.benchRuns;
  return mountRoutes(benchRunRouteTable, {
    listBenchRuns: async (c) => {
      const enabled = library?.readableBy(c.get('workspace')) === true;
      return c.json({ data: enabled ? await library.list() : [], enabled });
    },
    getBenchRun: async (c) => {
      const id = c.req.param('id');
      if (library?.readableBy(c.get('workspace')) !== true) {
        throw new ConclaveError('not_found', `no bench run "${id}"`, { hint: 'this server shows bench runs only to the workspaces named by `conclave serve --bench-runs DIR --bench-workspace NAME`' });
      }
      return c.json(await library.get(id));
    },
  });
}
