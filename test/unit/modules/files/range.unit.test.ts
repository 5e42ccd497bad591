// Download ranges: one byte range is served as asked, a range past the end is 416, anything else is the whole file.
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../../src/modules/files/range.js';

describe('parseRange', () => {
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=990-5000', { start: 990, end: 999 }],
    ['bytes=999-999', { start: 999, end: 999 }],
  ])('serves %s of a 1000-byte file as %o', (header, range) => {
    expect(parseRange(header, 1000)).toEqual(range);
  });

  it.each(['bytes=1000-', 'bytes=1000-1001', 'bytes=-0', 'bytes=50-10'])('answers %s with 416', (header) => {
    expect(parseRange(header, 1000)).toBe('unsatisfiable');
  });

  it.each(['bytes=0-1,5-9', 'bytes=-', 'items=0-9', 'bytes=a-b', ''])('serves the whole file for %j', (header) => {
    expect(parseRange(header, 1000)).toBeUndefined();
  });

  it('has nothing to serve from an empty file', () => {
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
  });
});
