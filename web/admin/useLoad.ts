// Loads one API resource for a page, with loading/error state and a reload function. Only the newest request's
// answer is kept: a reload overtaken by another (two re-sends in the delivery drawer, a changed path) is dropped.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../ui/api.js';
import { useLatestRequest } from './useLatestRequest.js';

export function useLoad<T>(path: string | undefined) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const begin = useLatestRequest();
  const reload = useCallback(async () => {
    if (!path) return;
    const current = begin();
    setLoading(true);
    try {
      const answer = await api<T>(path);
      if (!current()) return;
      setData(answer);
      setError(undefined);
    } catch (e) {
      if (current()) setError((e as Error).message);
    } finally {
      if (current()) setLoading(false);
    }
  }, [path]);
  useEffect(() => {
    reload();
  }, [reload]);
  return { data, setData, error, loading, reload };
}
