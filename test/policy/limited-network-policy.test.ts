// Limited networking in documents: `environment.network` takes an allow-list of hosts besides
// true/false (schema and `conclave schema` alike), and the server policy's `network` rule decides it
// for API callers exactly as it decides `network: true`.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { topologyDocumentJsonSchema } from '../../src/config/index.js';
import type { SessionDefinition } from '../../src/kernel/index.js';
import { checkDocumentPolicy, defaultServerPolicy, parseServerPolicy } from '../../src/policy/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { environmentSchema } from '../../src/protocol/index.js';

const limited: SessionDefinition = {
  topology: 'pipeline',
  agents: [{ name: 'a', model: 'offline/echo', tools: ['bash'] }],
  environment: { driver: 'bubblewrap', network: { allowed_hosts: ['api.example.com', '*.example.org:443'] } },
};

describe('environment.network with an allow-list', () => {
  it('parses hosts, wildcards and ports, lower-cased', () => {
    expect(environmentSchema.parse({ network: { allowed_hosts: ['API.Example.com:8443', '*.example.org', '[::1]:9000'], blocked_hosts: ['ads.example.org'] } }).network).toEqual({
      allowed_hosts: ['api.example.com:8443', '*.example.org', '[::1]:9000'],
      blocked_hosts: ['ads.example.org'],
    });
    expect(environmentSchema.parse({}).network).toBe(false);
    expect(environmentSchema.parse({ network: true }).network).toBe(true);
  });

  it('refuses an empty list, URLs, paths and unknown fields', () => {
    expect(environmentSchema.safeParse({ network: { allowed_hosts: [] } }).success).toBe(false);
    expect(environmentSchema.safeParse({ network: { allowed_hosts: ['https://example.com/'] } }).success).toBe(false);
    expect(environmentSchema.safeParse({ network: { allowed_hosts: ['example.com/path'] } }).success).toBe(false);
    expect(environmentSchema.safeParse({ network: { allowed_hosts: ['example.com'], allow_all: true } }).success).toBe(false);
  });

  it("takes web_fetch's own domain lists: plain host names, lower-cased", () => {
    expect(environmentSchema.parse({ network: true, web_fetch: { allowed_domains: ['Docs.Example.com'] } }).web_fetch).toEqual({ allowed_domains: ['docs.example.com'] });
    expect(environmentSchema.safeParse({ web_fetch: { allowed_domains: ['*.example.com'] } }).success).toBe(false);
    expect(environmentSchema.safeParse({ web_fetch: { blocked_domains: [] } }).success).toBe(false);
  });

  it('is in the document JSON Schema', () => {
    const validate = new Ajv2020({ strict: false }).compile(topologyDocumentJsonSchema(createDefaultRegistry()));
    expect(validate({ topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo' }], environment: { network: { allowed_hosts: ['API.example.com'] } } })).toBe(true);
    expect(validate({ topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo' }], environment: { network: { allowed_hosts: ['http://x/'] } } })).toBe(false);
  });
});

describe('the policy and limited networking', () => {
  it('refuses an allow-list to API documents by default, under the network rule', () => {
    expect(checkDocumentPolicy(limited, defaultServerPolicy(), 'tenant-b', { untrusted: true })).toEqual([
      expect.objectContaining({ path: ['environment', 'network'], rule: 'network', message: expect.stringContaining('an allow-list of hosts is network too') }),
    ]);
  });

  it('lets it through where the operator allows network, for the whole server or one workspace', () => {
    expect(checkDocumentPolicy(limited, parseServerPolicy('network: true\n', 'policy.yaml'), 'tenant-b', { untrusted: true })).toEqual([]);
    const perWorkspace = parseServerPolicy('workspaces:\n  team-a:\n    network: true\n', 'policy.yaml');
    expect(checkDocumentPolicy(limited, perWorkspace, 'team-a', { untrusted: true })).toEqual([]);
    expect(checkDocumentPolicy(limited, perWorkspace, 'team-b', { untrusted: true }).map((refusal) => refusal.rule)).toEqual(['network']);
  });

  it("holds the local user's own documents to nothing", () => {
    expect(checkDocumentPolicy(limited, defaultServerPolicy(), 'default', { untrusted: false })).toEqual([]);
  });
});
