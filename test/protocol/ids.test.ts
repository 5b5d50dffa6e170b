// Session ids sort by creation time (the stores' indexes rely on it) and keep the shape of every
// other id: the prefix, then 22 characters, most of them random.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createId, isId } from '../../src/protocol/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('session ids', () => {
  it('sort as their creation times do, across digit boundaries and decades', () => {
    const times = [0, 35, 36, 1_295, 1_296, Date.parse('2026-12-05T19:00:00Z'), Date.parse('2040-01-01T00:00:00Z'), Date.parse('2099-12-31T23:59:59Z')];
    const ids = times.map((time) => {
      vi.spyOn(Date, 'now').mockReturnValue(time);
      return createId('session');
    });
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^sesn_[0-9a-z]{9}[0-9A-Za-z]{13}$/);
  });

  it('are unique and look like session ids, however many are made in one millisecond', () => {
    vi.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-05T19:00:00Z'));
    const ids = Array.from({ length: 10_000 }, () => createId('session'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => isId('session', id) && id.length === 'sesn_'.length + 22)).toBe(true);
    // What follows the time is random: no two of them share it.
    expect(new Set(ids.map((id) => id.slice(-13))).size).toBe(ids.length);
  });
});
