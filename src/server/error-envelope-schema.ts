/**
 * The error envelope of every non-2xx response of both faces, as a zod schema for the OpenAPI
 * document. `http-errors.ts` builds the envelope; `test/server/openapi.test.ts` checks that its
 * `ErrorEnvelope` type and this schema are the same type.
 */
import { z } from 'zod';

const errorLocationSchema = z
  .object({
    file: z.string().optional(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
    path: z.string().optional().meta({ description: 'JSON path, e.g. `agents[1].model` or `body.events[0].content`.' }),
  })
  .meta({ description: 'Where the problem is.' });

const errorIssueSchema = z.object({ error_code: z.string(), message: z.string(), hint: z.string().optional(), location: errorLocationSchema.optional() });

/** `{type: 'error', error: {type, message, details}, request_id}`. */
export const errorEnvelopeSchema = z
  .object({
    type: z.literal('error'),
    error: z.object({
      type: z.enum(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'request_too_large', 'rate_limit_error', 'api_error', 'overloaded_error']),
      message: z.string(),
      details: z
        .object({
          error_code: z.string().meta({ description: 'The conclave error code (`invalid_argument`, …) or the Managed Agents one the SDK knows (`environment_not_found`, …).' }),
          hint: z.string().optional(),
          location: errorLocationSchema.optional(),
          issues: z.array(errorIssueSchema).optional().meta({ description: 'Every problem of a failed validation.' }),
        })
        .optional(),
    }),
    request_id: z.string().meta({ examples: ['req_4fG7h2kLmN9pQrStUvWxYz'] }),
  })
  .meta({ description: 'The error envelope of every non-2xx response (the Managed Agents API uses the same).' });
