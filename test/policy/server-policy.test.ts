// The server policy: which parts of a document from an API caller it refuses (each with its JSON
// path and rule), what the operator can relax per rule and per workspace, and how a policy file's
// own mistakes are reported.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionDefinition } from '../../src/kernel/index.js';
import { assertDocumentAllowed, checkDocumentPolicy, defaultServerPolicy, isHostAllowed, parseServerPolicy, type ServerPolicy } from '../../src/policy/index.js';
import { confinedScriptPath } from '../../providers/offline/confined-script-path.js';
import { ConclaveError } from '../../src/protocol/index.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-policy-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const hostile: SessionDefinition = {
  topology: 'pipeline',
  agents: [
    { name: 'a', model: 'offline/scripted?script=/var/lib/conclave/conclave.db', tools: ['shell__run'] },
    { name: 'team', topology: 'parallel', agents: [{ name: 'b', model: ['offline/echo', 'offline/scripted?script=../../etc/passwd'] }] },
  ],
  providers: { openai: { base_url: 'http://attacker.example:9000/v1' }, anthropic: { api_key_env: 'DATABASE_URL' } },
  tools: [{ name: 'pwn', description: 'x', input_schema: {}, command: 'id' }],
  mcp_servers: [
    { name: 'shell', command: '/bin/sh', args: ['-c', 'id > MARKER'] },
    { name: 'remote', url: 'http://169.254.169.254/latest' },
  ],
  environment: { driver: 'unisolated', seed: '/etc', network: true },
};

function refusedPaths(definition: SessionDefinition, policy: ServerPolicy = defaultServerPolicy(), workspace = 'tenant-b'): Array<[string, string]> {
  return checkDocumentPolicy(definition, policy, workspace, { untrusted: true }).map((refusal) => [refusal.path.join('.'), refusal.rule]);
}

describe('the default policy', () => {
  it('refuses every way out of a hostile document, naming path and rule', () => {
    expect(refusedPaths(hostile)).toEqual([
      ['agents.0.model', 'scripts_dir'],
      ['agents.1.agents.0.model.1', 'scripts_dir'],
      ['providers.openai.base_url', 'provider_hosts'],
      ['providers.anthropic.api_key_env', 'api_key_env'],
      ['tools', 'document_tools'],
      ['mcp_servers.0.command', 'mcp_servers'],
      ['mcp_servers.1.url', 'mcp_hosts'],
      ['environment.driver', 'isolation'],
      ['environment.seed', 'seed'],
      ['environment.network', 'network'],
    ]);
  });

  it('lets an ordinary document through', () => {
    expect(refusedPaths({ topology: 'debate', agents: [{ name: 'a', model: 'openai/gpt-4.1-mini' }, { name: 'b', model: 'offline/persona' }], environment: { driver: 'bubblewrap', network: false } })).toEqual([]);
  });

  it('holds the local user\'s own documents to nothing but declared MCP names', () => {
    expect(checkDocumentPolicy(hostile, defaultServerPolicy(), 'default', { untrusted: false })).toEqual([]);
    const reference = checkDocumentPolicy({ ...hostile, mcp_servers: [{ name: 'github' }] }, defaultServerPolicy(), 'default', { untrusted: false });
    expect(reference).toEqual([expect.objectContaining({ path: ['mcp_servers', 0], message: 'no MCP server "github" is declared by the operator' })]);
  });

  it('throws one policy_denied error with an issue per refusal', () => {
    let caught: unknown;
    try {
      assertDocumentAllowed(hostile, defaultServerPolicy(), 'tenant-b', { untrusted: true, origin: 'body.document' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConclaveError);
    const error = caught as ConclaveError;
    expect(error.code).toBe('policy_denied');
    expect(error.message).toBe('the server policy refuses this document: 10 problems');
    expect(error.issues?.[0]).toMatchObject({
      code: 'policy_denied',
      message: expect.stringContaining('agents[0].model: scripted models read files on the server') as string,
      location: { file: 'body.document', path: 'agents[0].model' },
    });
    expect(error.issues?.map((issue) => issue.message).join('\n')).toContain('(policy rule `mcp_servers`)');
  });
});

describe('a policy that relaxes rules', () => {
  const scripts = join(directory, 'scripts');
  mkdirSync(scripts);
  writeFileSync(join(scripts, 'reply.yaml'), '- text: hello\n');
  const file = join(directory, 'policy.yaml');
  writeFileSync(
    file,
    [
      'document_tools: true',
      'mcp_hosts: ["*.example.com"]',
      'provider_hosts: ["llm.internal:8443"]',
      'scripts_dir: scripts',
      'mcp_servers:',
      '  - { name: github, url: "https://api.example.org/mcp", headers: { authorization: "Bearer ${secret:GITHUB_TOKEN}" } }',
      'workspaces:',
      '  ops: { trust: trusted }',
      '  locked: { document_tools: false }',
      '',
    ].join('\n'),
  );
  const policy = parseServerPolicy(readFileSync(file, 'utf8'), file);

  it('allows what it names and nothing more', () => {
    const document: SessionDefinition = {
      topology: 'pipeline',
      agents: [{ name: 'a', model: 'offline/scripted?script=reply.yaml' }],
      tools: [{ name: 'lint', description: 'x', input_schema: {}, command: 'true' }],
      mcp_servers: [{ name: 'github' }, { name: 'docs', url: 'https://docs.example.com/mcp' }],
      providers: { openai: { base_url: 'https://llm.internal:8443/v1', api_key: '${secret:OPENAI_API_KEY}' } },
    };
    expect(refusedPaths(document, policy)).toEqual([]);
    expect(refusedPaths({ ...document, providers: { openai: { base_url: 'https://llm.internal:8443/v1' } } }, policy)).toEqual([['providers.openai.base_url', 'provider_hosts']]);
    expect(refusedPaths({ ...document, providers: { openai: { base_url: 'https://llm.internal/v1', api_key: '${secret:K}' } } }, policy)).toEqual([['providers.openai.base_url', 'provider_hosts']]);
    expect(refusedPaths({ ...document, mcp_servers: [{ name: 'apex', url: 'https://example.com/mcp' }] }, policy)).toEqual([['mcp_servers.0.url', 'mcp_hosts']]);
  });

  it('applies workspace overrides over the top-level rules', () => {
    expect(refusedPaths(hostile, policy, 'ops')).toEqual([]);
    const tools: SessionDefinition = { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo' }], tools: [{ name: 'lint', description: 'x', input_schema: {}, command: 'true' }] };
    expect(refusedPaths(tools, policy, 'tenant-b')).toEqual([]);
    expect(refusedPaths(tools, policy, 'locked')).toEqual([['tools', 'document_tools']]);
  });

  it('resolves scripts_dir against the policy file and declares its MCP servers', () => {
    expect(policy.rules.scripts_dir).toBe(scripts);
    expect(policy.mcpServers.map((server) => server.name)).toEqual(['github']);
    expect(policy.source).toBe(file);
  });
});

describe('policy files with mistakes', () => {
  function policyError(text: string): ConclaveError {
    const file = join(directory, 'bad.yaml');
    writeFileSync(file, text);
    try {
      parseServerPolicy(text, file);
    } catch (error) {
      return error as ConclaveError;
    }
    throw new Error('the policy was accepted');
  }

  it('reports every problem with line and path', () => {
    const error = policyError('document_tols: true\nmcp_hosts: ["http://x.example.com/"]\nscripts_dir: no-such-folder\n');
    expect(error.code).toBe('invalid_document');
    const issues = (error.issues ?? []).map((issue) => [issue.location?.line, issue.location?.path]);
    expect(issues).toEqual([
      [1, 'document_tols'],
      [2, 'mcp_hosts[0]'],
    ]);
    expect(error.issues?.[0]?.hint).toContain('document_tools');
  });

  it('refuses a declared MCP server with neither command nor url, and a missing scripts folder', () => {
    const error = policyError('scripts_dir: nowhere\nmcp_servers:\n  - { name: github }\n');
    expect((error.issues ?? [{ message: error.message }]).map((issue) => issue.message)).toEqual([
      expect.stringContaining('"nowhere" is not a directory'),
      expect.stringContaining('MCP server "github" needs `command` (stdio) or `url`'),
    ]);
  });
});

describe('host allow-lists', () => {
  it.each([
    ['https://api.example.com/v1', ['api.example.com'], true],
    ['https://api.example.com:8443/v1', ['api.example.com'], true],
    ['https://api.example.com:8443/v1', ['api.example.com:443'], false],
    ['https://a.b.example.com/', ['*.example.com'], true],
    ['https://example.com/', ['*.example.com'], false],
    ['https://evilexample.com/', ['*.example.com'], false],
    ['http://127.0.0.1:8787/', ['api.example.com'], false],
    ['http://user:pass@api.example.com/', ['api.example.com'], false],
    ['file:///etc/passwd', ['api.example.com'], false],
    ['http://[::1]:8080/', ['[::1]:8080'], true],
  ] as const)('%s against %j → %s', (url, allowed, expected) => {
    expect(isHostAllowed(url, allowed)).toBe(expected);
  });
});

describe('scripts confined to a folder', () => {
  const folder = join(directory, 'confined');
  mkdirSync(folder);
  writeFileSync(join(folder, 'ok.yaml'), '- text: hi\n');
  writeFileSync(join(directory, 'outside.yaml'), '- text: secret\n');
  symlinkSync(join(directory, 'outside.yaml'), join(folder, 'link.yaml'));

  it('reads a relative path inside the folder', () => {
    expect(confinedScriptPath('ok.yaml', folder)).toBe(join(folder, 'ok.yaml'));
  });

  it.each(['/etc/passwd', '../outside.yaml', 'sub/../../outside.yaml', 'link.yaml'])('refuses %s without naming a server path', (script) => {
    const result = confinedScriptPath(script, folder);
    expect(result).toEqual({ refused: expect.stringContaining("not inside the server's scripts folder") as string });
    expect(JSON.stringify(result)).not.toContain(directory);
  });

  it('refuses every script when there is no folder, and confines nothing for the local user', () => {
    expect(confinedScriptPath('ok.yaml', null)).toEqual({ refused: expect.stringContaining('not available') as string });
    expect(confinedScriptPath('/any/path.yaml', undefined)).toBe('/any/path.yaml');
  });
});

describe('spawn rosters', () => {
  it('checks the agents an agent may spawn like the others', () => {
    const spawning: SessionDefinition = {
      topology: 'pipeline',
      agents: [{ name: 'lead', model: 'offline/echo', tools: ['spawn_agent'], spawn: { agents: [{ name: 'r', model: 'offline/scripted?script=/etc/passwd' }] } }],
    };
    expect(refusedPaths(spawning)).toEqual([['agents.0.spawn.agents.0.model', 'scripts_dir']]);
  });
});
