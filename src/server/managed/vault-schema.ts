/**
 * Request and response schemas of the Managed Agents vaults API (`/v1/vaults…` and their
 * `credentials`), as in the SDK's `resources/beta/vaults/*.d.ts`. Secret values (`token`,
 * `access_token`, `refresh_token`, `client_secret`, `secret_value`) appear only in request
 * schemas: no response schema has a field that could carry one.
 */
import { z } from 'zod';
import { pageQueryShape, queryBoolean } from '../paging.js';
import { metadataPatchSchema, metadataSchema } from './managed-fields.js';

const timestamp = z.string().meta({ format: 'date-time' });
const metadata = z.record(z.string(), z.string());
const nextPage = z.string().nullable().meta({ description: 'The cursor of the next page (`page=`); null on the last page.' });
const secret = (description: string) => z.string().min(1).max(16_384).meta({ description: `${description} Write-only: never returned.`, writeOnly: true });
const serverUrl = z.url({ protocol: /^https?$/ }).max(2048).meta({ description: 'URL of the MCP server this credential authenticates against.' });

/** Body of `POST /v1/vaults`. */
export const createVaultBody = z.strictObject({
  display_name: z.string().min(1).max(255),
  metadata: metadataSchema.optional(),
});

/** Body of `POST /v1/vaults/{id}`. */
export const updateVaultBody = z.strictObject({
  display_name: z.string().min(1).max(255).nullable().optional(),
  metadata: metadataPatchSchema.optional(),
});

/** The query of `GET /v1/vaults` and `GET /v1/vaults/{id}/credentials`. */
export const listVaultsQuery = z.object({ ...pageQueryShape(), include_archived: queryBoolean.optional() });

const tokenEndpointAuth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('client_secret_basic'), client_secret: secret('The OAuth client secret.') }),
  z.strictObject({ type: z.literal('client_secret_post'), client_secret: secret('The OAuth client secret.') }),
]);

const staticBearerCreate = z.strictObject({ type: z.literal('static_bearer'), token: secret('The bearer token sent to the MCP server.'), mcp_server_url: serverUrl });
const mcpOAuthCreate = z.strictObject({
  type: z.literal('mcp_oauth'),
  access_token: secret('The OAuth access token sent to the MCP server.'),
  mcp_server_url: serverUrl,
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
  refresh: z
    .strictObject({
      client_id: z.string().min(1),
      refresh_token: secret('The OAuth refresh token.'),
      token_endpoint: z.url(),
      token_endpoint_auth: tokenEndpointAuth,
      resource: z.string().nullable().optional(),
      scope: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
});
const environmentVariableCreate = z.looseObject({ type: z.literal('environment_variable') });

/** Body of `POST /v1/vaults/{id}/credentials`. */
export const createCredentialBody = z.strictObject({
  auth: z.discriminatedUnion('type', [staticBearerCreate, mcpOAuthCreate, environmentVariableCreate]),
  display_name: z.string().max(255).nullable().optional(),
  metadata: metadataSchema.optional(),
});
export type CreateCredentialBody = z.output<typeof createCredentialBody>;

/** Body of `POST /v1/vaults/{vault_id}/credentials/{id}`. */
export const updateCredentialBody = z.strictObject({
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('static_bearer'), token: secret('The new bearer token.').nullable().optional() }),
      z.strictObject({
        type: z.literal('mcp_oauth'),
        access_token: secret('The new access token.').nullable().optional(),
        expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
        refresh: z
          .strictObject({
            refresh_token: secret('The new refresh token.').nullable().optional(),
            scope: z.string().nullable().optional(),
            token_endpoint_auth: z
              .discriminatedUnion('type', [
                z.strictObject({ type: z.literal('client_secret_basic'), client_secret: secret('The new client secret.').nullable().optional() }),
                z.strictObject({ type: z.literal('client_secret_post'), client_secret: secret('The new client secret.').nullable().optional() }),
              ])
              .optional(),
          })
          .nullable()
          .optional(),
      }),
      z.looseObject({ type: z.literal('environment_variable') }),
    ])
    .optional(),
  display_name: z.string().max(255).nullable().optional(),
  metadata: metadataPatchSchema.optional(),
});
export type UpdateCredentialBody = z.output<typeof updateCredentialBody>;

/** A vault as the API returns it. */
export const vaultObjectSchema = z.object({
  id: z.string().meta({ examples: ['vlt_4fG7h2kLmN9pQrStUvWxYz'] }),
  type: z.literal('vault'),
  display_name: z.string(),
  metadata,
  created_at: timestamp,
  updated_at: timestamp,
  archived_at: timestamp.nullable(),
});
export type VaultObject = z.output<typeof vaultObjectSchema>;

export const vaultPageSchema = z.object({ data: z.array(vaultObjectSchema), next_page: nextPage });
export const deletedVaultSchema = z.object({ id: z.string(), type: z.literal('vault_deleted') });

const credentialAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('static_bearer'), mcp_server_url: z.string() }),
  z.object({
    type: z.literal('mcp_oauth'),
    mcp_server_url: z.string(),
    expires_at: timestamp.nullable().optional(),
    refresh: z
      .object({
        client_id: z.string(),
        token_endpoint: z.string(),
        token_endpoint_auth: z.object({ type: z.enum(['none', 'client_secret_basic', 'client_secret_post']) }),
        resource: z.string().nullable().optional(),
        scope: z.string().nullable().optional(),
      })
      .nullable()
      .optional(),
  }),
]);

/** A credential as the API returns it: its auth without any secret value. */
export const credentialObjectSchema = z.object({
  id: z.string().meta({ examples: ['vcrd_4fG7h2kLmN9pQrStUvWxYz'] }),
  type: z.literal('vault_credential'),
  vault_id: z.string(),
  display_name: z.string().nullable(),
  auth: credentialAuthSchema,
  metadata,
  created_at: timestamp,
  updated_at: timestamp,
  archived_at: timestamp.nullable(),
});
export type CredentialObject = z.output<typeof credentialObjectSchema>;

export const credentialPageSchema = z.object({ data: z.array(credentialObjectSchema), next_page: nextPage });
export const deletedCredentialSchema = z.object({ id: z.string(), type: z.literal('vault_credential_deleted') });
export const credentialValidationSchema = z.looseObject({ type: z.literal('vault_credential_validation'), credential_id: z.string(), vault_id: z.string(), status: z.enum(['valid', 'invalid', 'unknown']) });
