// Command templates: quoting that always yields one literal word, placeholders filled by type, and
// tool definitions checked when they are made rather than when a model first calls them.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defineCommandTool, renderCommandTemplate, shellQuote, templateFields } from '../../src/sandbox/index.js';

const schema = { type: 'object', properties: { path: { type: 'string' }, count: { type: 'integer' } }, required: ['path'] };

describe('command tools', () => {
  it('quotes any string as exactly one literal bash word', () => {
    for (const value of ['', 'plain', "it's", '$(id) `id` $HOME', 'a b\tc\nd', '\'"\\*?[]{}~!#;&|<>', '--flag']) {
      const printed = spawnSync('/bin/bash', ['-c', `printf '%s\\0' ${shellQuote(value)}`], { encoding: 'utf8' }).stdout;
      expect(printed).toBe(`${value}\0`);
    }
  });

  it('fills placeholders by type and leaves missing fields out', () => {
    expect(templateFields('pytest {{path}} -k {{ filter }} {{path}}')).toEqual(['path', 'filter']);
    expect(renderCommandTemplate('run {{path}} {{count}} {{flag}} {{list}} {{options}} {{missing}}', { path: 'a b', count: 3, flag: false, list: ['x', 'y z'], options: { depth: 1 } })).toBe(
      `run 'a b' '3' 'false' 'x' 'y z' '{"depth":1}' `,
    );
  });

  it('builds a tool definition from name, description and schema', () => {
    const tool = defineCommandTool({ name: 'run_tests', description: 'Run tests.', inputSchema: schema, command: 'pytest {{path}} -q' });
    expect(tool.definition).toEqual({ name: 'run_tests', description: 'Run tests.', inputSchema: schema });
    expect(tool.inputValidator.safeParse({ path: 'a.py' }).success).toBe(true);
    expect(tool.inputValidator.safeParse({ count: 1 }).success).toBe(false);
  });

  it('refuses a bad name, a placeholder the schema lacks, and a schema zod cannot read', () => {
    expect(() => defineCommandTool({ name: 'run tests', inputSchema: schema, command: 'true' })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => defineCommandTool({ name: 'run_tests', inputSchema: schema, command: 'pytest {{file}}' })).toThrow(
      expect.objectContaining({ code: 'invalid_argument', message: 'the command of tool "run_tests" uses {{file}}, which its input schema does not define' }),
    );
    expect(() => defineCommandTool({ name: 'run_tests', inputSchema: { type: 'no-such-type' }, command: 'true' })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });
});
