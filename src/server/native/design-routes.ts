/**
 * `POST /v1/designs`: `conclave design` over HTTP, for the web UI's "Design a team". A designer model
 * proposes a topology document for the caller's task; the answer is the validated YAML, which the
 * caller may then edit and start like any document of its own (held to the server policy then).
 * The designer is always the server's choice — the first hosted model whose key the server has,
 * else `offline/designer` — never a model the caller names, so a caller cannot point it anywhere.
 */
import { z } from 'zod';
import type { Hono } from 'hono';
import { validateJson } from '../http-errors.js';
import { defineRoutes, mountRoutes } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';

/** The longest task accepted, in characters. */
export const maximumDesignTaskLength = 4000;

const designBody = z.strictObject({
  task: z.string().trim().min(1, 'describe the task the team should do').max(maximumDesignTaskLength).meta({ description: 'What the team should do, in a sentence or a few lines.' }),
});

const designSchema = z.object({
  yaml: z.string().meta({ description: 'The proposed document, commented YAML; it validated on this server.' }),
  topology: z.string(),
  agents: z.array(z.object({ name: z.string(), model: z.string().optional() })),
  designer: z.string().meta({ description: 'The designer model used.' }),
  attempts: z.number().int().meta({ description: '1 when the first answer was valid; more after repairs.' }),
});

/** The design route, relative to `/v1`. */
export const designRouteTable = defineRoutes({
  basePath: '/v1',
  face: 'native',
  routes: {
    createDesign: {
      method: 'post',
      path: '/designs',
      summary: 'Propose a topology document for a task (`conclave design`)',
      body: { name: 'CreateDesignBody', schema: designBody, required: true },
      responses: { 200: { description: 'The validated document.', json: { name: 'Design', schema: designSchema } } },
      errors: [400],
    },
  },
});

/**
 * The design route over the kernel's registry, mounted on its table.
 *
 * @example
 * app.route(designRouteTable.basePath, designRoutes(deps)); // POST /v1/designs {"task": "…"} → { yaml, topology, … }
 */
export function designRoutes(deps: ServerDeps): Hono<ServerEnv> {
  return mountRoutes(designRouteTable, {
    createDesign: async (c) => {
      const body = await validateJson(designBody, c);
      const { designTopology } = await import('../../design/design-topology.js');
      const design = await designTopology({ task: body.task, registry: deps.kernel.registry });
      const agents = (design.document.agents ?? []).map((agent) => ({ name: agent.name, ...('model' in agent && typeof agent.model === 'string' ? { model: agent.model } : {}) }));
      return c.json({ yaml: design.yaml, topology: design.document.topology, agents, designer: design.model, attempts: design.attempts });
    },
  });
}
