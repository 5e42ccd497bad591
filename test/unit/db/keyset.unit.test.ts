// Keyset pagination's one cut: the extra row read past the page says whether there is a next page.
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, keysetPage, pageQueryLimit } from '../../../src/db/keyset.js';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, at: `t${i}` }));

describe('keysetPage', () => {
  it('reads one row more than the page', () => {
    expect(pageQueryLimit(50)).toBe(51);
  });
  it('gives the last kept row as the cursor when a row was read past the page', () => {
    expect(keysetPage(rows(3), 2)).toEqual({ page: rows(2), nextCursor: 'r1' });
  });
  it('gives no cursor on the last page, full or not', () => {
    expect(keysetPage(rows(2), 2).nextCursor).toBeNull();
    expect(keysetPage(rows(1), 2).nextCursor).toBeNull();
    expect(keysetPage([], 2)).toEqual({ page: [], nextCursor: null });
  });
  it('builds the cursor with the list own key when given (List File: createdAt~id)', () => {
    expect(keysetPage(rows(3), 2, (r) => `${r.at}~${r.id}`).nextCursor).toBe('t1~r1');
  });
});

describe('cursors', () => {
  const id = '0mhx2k3l0000abcdefghij';
  const fileKey = `2026-11-26T13:58:06.123Z~${id}0`;
  it('give back the key of a cursor the list gave', () => {
    expect(decodeCursor('audit', encodeCursor('audit', `${id}0`)!)).toBe(`${id}0`);
    expect(decodeCursor('files', encodeCursor('files', fileKey)!)).toBe(fileKey);
    expect(encodeCursor('chats', null)).toBeNull();
    expect(decodeCursor('chats', undefined)).toBeUndefined();
  });
  it("refuse another list's cursor, a truncated one and a day that does not exist", () => {
    expect(() => decodeCursor('chats', encodeCursor('audit', `${id}0`)!)).toThrow(/not one this list gave/);
    expect(() => decodeCursor('chats', `chats.${id}`)).toThrow(/not one this list gave/);
    expect(() => decodeCursor('files', `files.2026-02-30T00:00:00.000Z~${id}0`)).toThrow(/not one this list gave/);
  });
});
