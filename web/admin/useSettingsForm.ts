// One settings form's life, shared by the integration pages (S3, callback): load the saved settings, PUT a body with
// "Saving…" / "Saved" / the error and its per-field messages, and POST …/test (the form as typed, saved or not) with
// its running state and outcome. A save clears a failed test; a passing test clears field errors and a failed save.
import { useState } from 'react';
import { api, type ApiError } from '../ui/api.js';
import type { SaveState } from './SaveBar.js';
import { useLoad } from './useLoad.js';

/** What a connection test answers (S3TestResult, CallbackTestResult). */
export interface TestOutcome {
  ok: boolean;
  error?: string | { code: string; message: string };
}

export function useSettingsForm<T, R extends TestOutcome>(path: string) {
  const { data, setData, error } = useLoad<T>(path);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [test, setTest] = useState<R & { running?: boolean }>();

  /** Saves; resolves with the saved settings, or undefined after showing the refusal. */
  async function put(body: Record<string, unknown>, done?: string): Promise<T | undefined> {
    setSave({ kind: 'saving' });
    setFields({});
    try {
      const saved = await api<T>(path, { method: 'PUT', body });
      setData(saved);
      setSave({ kind: 'saved', text: done });
      setTest((t) => (t && !t.ok ? undefined : t)); // an earlier failed test no longer stands beside "Saved"
      return saved;
    } catch (err) {
      setFields((err as ApiError).fields ?? {});
      setSave({ kind: 'error', text: (err as Error).message });
      return undefined;
    }
  }

  /** Runs POST …/test with `body`; a refusal of the body shows on its fields. */
  async function runTest(body: Record<string, unknown> = {}): Promise<R | undefined> {
    setTest({ ok: false, running: true } as R & { running: boolean });
    try {
      const result = await api<R>(`${path}/test`, { method: 'POST', body });
      setTest(result);
      if (result.ok) {
        // What the form says works: earlier field errors and a failed save no longer stand.
        setFields({});
        setSave((sv) => (sv.kind === 'error' ? { kind: 'idle' } : sv));
      }
      return result;
    } catch (err) {
      const e = err as ApiError;
      if (e.fields) setFields(e.fields);
      setTest({ ok: false, error: { code: e.code ?? 'NETWORK', message: e.message } } as R);
      return undefined;
    }
  }

  return { data, error, fields, setFields, save, setSave, test, setTest, put, runTest };
}
