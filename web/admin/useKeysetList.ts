// The admin's paged lists (Audit log, List File, Deliveries, Visitor data): the first page for the current filters,
// "Load more" through the answer's nextCursor, loading and error state. Only the newest request may change the list:
// an answer for filters that were replaced, or a "Load more" overtaken by a newer filter, is dropped (found by CI).
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { api, query } from '../ui/api.js';
import { useLatestRequest } from './useLatestRequest.js';

type Params = Record<string, string | number | undefined | null>;

export interface KeysetList<Row> {
  rows: Row[];
  /** Local edits (a row deleted, re-sent) until the next answer replaces the list. */
  setRows: Dispatch<SetStateAction<Row[]>>;
  /** A first page has arrived (for lists shown only after the first search). */
  loaded: boolean;
  loading: boolean;
  error?: string;
  /** The error came from "Load more" (Deliveries shows it beside the button). */
  errorOnMore: boolean;
  /** The current list has a next page. */
  hasMore: boolean;
  loadMore: () => void;
  /** Loads the first page again, for the same filters. */
  reload: () => void;
}

/**
 * `path` undefined loads nothing (no search yet). `filters` may be a new object on every render: the list reloads
 * when the query they make changes, and when `reloadOn` changes (the submitted form's state: submitting the same
 * values again reloads). `rowsOf` picks the rows out of an answer.
 */
export function useKeysetList<Answer extends object, Row>(
  path: string | undefined,
  filters: Params,
  rowsOf: (answer: Answer) => Row[],
  opts: { limit?: number; onFirstPage?: () => void; reloadOn?: unknown } = {},
): KeysetList<Row> {
  const list = path === undefined ? undefined : `${path}${query(filters)}`;
  const [rows, setRows] = useState<Row[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [loading, setLoading] = useState(list !== undefined);
  const [error, setError] = useState<{ message: string; onMore: boolean }>();
  // The next page's cursor belongs to the list it came from: a changed filter hides "Load more" at once.
  const [next, setNext] = useState<{ list: string; cursor: string }>();
  const latest = useRef({ rowsOf, onFirstPage: opts.onFirstPage, limit: opts.limit });
  latest.current = { rowsOf, onFirstPage: opts.onFirstPage, limit: opts.limit };

  const begin = useLatestRequest();
  const fetchPage = useCallback(
    async (after?: string) => {
      if (list === undefined) return;
      const current = begin();
      setLoading(true);
      try {
        const { limit } = latest.current;
        const more = query({ cursor: after, limit }).slice(1);
        const answer = await api<Answer>(more ? `${list}${list.includes('?') ? '&' : '?'}${more}` : list);
        if (!current()) return;
        const page = latest.current.rowsOf(answer);
        setRows((cur) => (after ? [...cur, ...page] : page));
        if (!after) latest.current.onFirstPage?.();
        const { nextCursor } = answer as { nextCursor?: string | null }; // lists that do not page have none
        setNext(nextCursor ? { list, cursor: nextCursor } : undefined);
        setLoaded(true);
        setError(undefined);
      } catch (e) {
        if (current()) setError({ message: (e as Error).message, onMore: after !== undefined });
      } finally {
        if (current()) setLoading(false);
      }
    },
    [list],
  );
  useEffect(() => {
    fetchPage();
  }, [fetchPage, opts.reloadOn]);

  const cursor = next?.list === list ? next?.cursor : undefined;
  return {
    rows,
    setRows,
    loaded,
    loading,
    error: error?.message,
    errorOnMore: error?.onMore ?? false,
    hasMore: cursor !== undefined,
    loadMore: () => {
      if (cursor) fetchPage(cursor);
    },
    reload: () => fetchPage(),
  };
}
