// "Did you mean" suggestions and JSON path spelling.
import { describe, expect, it } from 'vitest';
import { formatJsonPath, suggestClosest } from '../../src/config/index.js';
import { editDistance } from '../../src/config/did-you-mean.js';

describe('suggestClosest', () => {
  const topologies = ['pipeline', 'parallel', 'voting', 'debate', 'tournament', 'mixture-of-agents'];

  it('suggests the closest candidate within a few edits', () => {
    expect(suggestClosest('debat', topologies)).toBe('debate');
    expect(suggestClosest('pipelien', topologies)).toBe('pipeline');
    expect(suggestClosest('mixture-of-agent', topologies)).toBe('mixture-of-agents');
    expect(suggestClosest('agent', ['agents', 'options'])).toBe('agents');
  });

  it('counts a swap of adjacent letters as one edit', () => {
    expect(editDistance('modle', 'model')).toBe(1);
    expect(suggestClosest('modle', ['name', 'model', 'system'])).toBe('model');
  });

  it('ignores case', () => {
    expect(suggestClosest('Debate', topologies)).toBe('debate');
    expect(suggestClosest('VOTNG', topologies)).toBe('voting');
  });

  it('suggests nothing when nothing is close', () => {
    expect(suggestClosest('swarm', topologies)).toBeUndefined();
    expect(suggestClosest('completely-different', topologies)).toBeUndefined();
    expect(suggestClosest('debate', [])).toBeUndefined();
  });

  it('does not correct very short words into other words', () => {
    expect(suggestClosest('ab', ['an', 'at'])).toBeUndefined();
    expect(suggestClosest('AN', ['an', 'at'])).toBe('an');
  });

  it('prefers the nearest candidate, then the first listed', () => {
    expect(suggestClosest('rounds', ['round', 'rounds'])).toBe('rounds');
    expect(suggestClosest('cat', ['bat', 'hat'])).toBe('bat');
  });

  it('accepts any iterable', () => {
    expect(suggestClosest('ofline', new Map([['offline', 1], ['openai', 2]]).keys())).toBe('offline');
  });
});

describe('formatJsonPath', () => {
  it('spells keys with dots and indexes with brackets', () => {
    expect(formatJsonPath(['agents', 1, 'model'])).toBe('agents[1].model');
    expect(formatJsonPath(['options', 'rounds'])).toBe('options.rounds');
    expect(formatJsonPath(['agents', 2, 'agents', 0, 'max_tokens'])).toBe('agents[2].agents[0].max_tokens');
  });

  it('quotes keys that are not plain words and spells the root as empty', () => {
    expect(formatJsonPath(['options', 'my key'])).toBe('options["my key"]');
    expect(formatJsonPath([])).toBe('');
    expect(formatJsonPath([0])).toBe('[0]');
  });
});
