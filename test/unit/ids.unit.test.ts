// Ids: sortable by time, unique, and with a random part that stays random across the random pool's refills.
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';

describe('newId', () => {
  it('gives distinct, time-ordered ids whose random parts never repeat across refills of the pool', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const randomParts = ids.map((id) => id.slice(13));
    expect(new Set(randomParts).size).toBe(ids.length);
    for (const r of randomParts) expect(r).toMatch(/^[0-9a-z]{10}$/);
  });
});
