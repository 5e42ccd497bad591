// Keyset pagination, one way everywhere (chats, List File, the delivery log, the audit log): a repository reads
// `limit + 1` rows past the cursor in index order; the extra row only says there is a next page, whose cursor is the
// last row kept. Cursors are opaque to clients: `<list>.<key>` (an id, or List File's `<createdAt>~<id>`), encoded
// and checked at the HTTP edge, so a cursor that is not one this list gave is refused instead of silently restarting.
import { AppError } from '../errors.js';

/** The `limit + 1` rows to read for a page of `limit`. */
export const pageQueryLimit = (limit: number) => limit + 1;

/** Cuts what a repository read (`pageQueryLimit(limit)` rows) into the page and the next page's cursor. */
export function keysetPage<T extends { id: string }>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => string = (row) => row.id,
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { page, nextCursor: rows.length > limit ? cursorOf(page[page.length - 1]!) : null };
}

const ID = '[0-9a-z]{23}'; // ids.ts newId
const AT = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

/** The lists that page with a cursor, and the shape of their keys. */
const KEYS = {
  chats: new RegExp(`^${ID}$`),
  files: new RegExp(`^(${AT})~${ID}$`),
  deliveries: new RegExp(`^${ID}$`),
  audit: new RegExp(`^${ID}$`),
  visitors: new RegExp(`^${ID}$`),
} as const;

export type KeysetList = keyof typeof KEYS;

/** The cursor a client gets for a page's last key (null on the last page). */
export const encodeCursor = (list: KeysetList, key: string | null) => (key === null ? null : `${list}.${key}`);

/**
 * The key of a cursor this list gave; anything else (junk, a truncated cursor, another list's, a time that does not
 * exist) is 400 BAD_REQUEST like any malformed query parameter, never a first or an empty page.
 */
export function decodeCursor(list: KeysetList, cursor: string | undefined): string | undefined {
  if (!cursor) return undefined; // `cursor=` is the first page, like any empty filter
  const key = cursor.startsWith(`${list}.`) ? cursor.slice(list.length + 1) : '';
  const match = KEYS[list].exec(key);
  const at = match?.[1];
  if (!match || (at !== undefined && !sameInstant(at)))
    throw new AppError('BAD_REQUEST', 'The cursor is not one this list gave', {
      fields: { cursor: 'Not a cursor of this list' },
    });
  return key;
}

const sameInstant = (iso: string) => {
  const t = new Date(iso);
  return !Number.isNaN(t.getTime()) && t.toISOString() === iso;
};
