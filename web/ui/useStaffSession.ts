// The agent/admin login state shared by the console and admin: restores the cookie session via /api/auth/me.
import { useCallback, useEffect, useState } from 'react';
import { api, type ApiError } from './api.js';
import type { Answer, Me } from './types.js';

export function useStaffSession() {
  const [me, setMe] = useState<Me>();
  const [loading, setLoading] = useState(true);

  const reload = useCallback(async () => {
    try {
      const me = await api<Answer<'/api/auth/me', 'get'>>('/api/auth/me');
      // An API token or a visitor token has no person behind it: not a staff session.
      setMe(me.user ? { ...me, user: me.user } : undefined);
    } catch (e) {
      if ((e as ApiError).status !== 401) console.warn('Parley: could not restore the session', e);
      setMe(undefined);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    reload();
  }, [reload]);

  const login = useCallback(
    async (email: string, password: string) => {
      await api('/api/auth/login', { body: { email, password } });
      await reload();
    },
    [reload],
  );

  const logout = useCallback(async () => {
    await api('/api/auth/logout', { method: 'POST', body: {} }).catch(() => undefined);
    setMe(undefined);
  }, []);

  return { me, loading, login, logout, reload };
}
