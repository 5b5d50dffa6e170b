/**
 * Request schemas of the Managed Agents environments API (create, update): `config` says where a
 * session's tools run — `cloud`, with networking and packages, or `self_hosted`. Limited networking's
 * `allowed_hosts` are host patterns (`api.example.com`, `*.example.com`, either with `:port`).
 */
import { z } from 'zod';
import { hostPatternSchema } from '../../protocol/environment.js';
import { metadataPatchSchema, metadataSchema } from './managed-fields.js';

const networkingParam = z.discriminatedUnion('type', [
  z.object({ type: z.literal('unrestricted') }),
  z.object({
    type: z.literal('limited'),
    // Checked here so that a host the egress proxy could not match is a 400 naming it, not a surprise later.
    allowed_hosts: z.array(hostPatternSchema).nullable().optional(),
    allow_mcp_servers: z.boolean().nullable().optional(),
    allow_package_managers: z.boolean().nullable().optional(),
  }),
]);

const packageList = z.array(z.string().min(1)).nullable().optional();
const packagesParam = z.object({ type: z.literal('packages').optional(), apt: packageList, cargo: packageList, gem: packageList, go: packageList, npm: packageList, pip: packageList });

const configParam = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cloud'), networking: networkingParam.nullable().optional(), packages: packagesParam.nullable().optional() }),
  z.object({ type: z.literal('self_hosted') }),
]);
/** `config` as a request gives it. */
export type ConfigParam = z.output<typeof configParam>;

const scopeParam = z.enum(['organization', 'account']);

/** Body of `POST /v1/environments`. */
export const createEnvironmentBody = z.strictObject({
  name: z.string().min(1).max(256),
  config: configParam.nullable().optional(),
  description: z.string().max(2048).nullable().optional(),
  metadata: metadataSchema.optional(),
  scope: scopeParam.nullable().optional(),
});

/** Body of `POST /v1/environments/{id}`: omitted fields are kept, metadata is a patch, `null` clears. */
export const updateEnvironmentBody = z.strictObject({
  name: z.string().min(1).max(256).nullable().optional(),
  config: configParam.nullable().optional(),
  description: z.string().max(2048).nullable().optional(),
  metadata: metadataPatchSchema.optional(),
  scope: scopeParam.nullable().optional(),
});
