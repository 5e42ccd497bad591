// Upload state for a chat: running uploads (progress, cancel) and refusals (client checks and server errors).
// Callers choose grouping: one request per file for plain attachments, one request for a bot request's files.
import { useCallback, useState } from 'react';
import type { ApiError } from './api.js';
import { CANCELLED, uploadFiles } from './upload.js';
import { uploadResumable, type ResumableOptions } from './tus-upload.js';

export interface UploadEntry {
  key: string;
  label: string;
  loaded: number;
  total: number;
  cancel: () => void;
  /** Resumable (tus) uploads only. */
  pause?: () => void;
  resume?: () => void;
  paused?: boolean;
}

export interface Refusal {
  key: string;
  name?: string;
  message: string;
}

export interface UploadTarget {
  url: string;
  token?: string;
  fields?: Record<string, string | undefined>;
}

let counter = 0;
const nextKey = () => `u${++counter}`;

export function useUploads() {
  const [entries, setEntries] = useState<UploadEntry[]>([]);
  const [refusals, setRefusals] = useState<Refusal[]>([]);

  const refuse = useCallback((message: string, name?: string) => {
    setRefusals((r) => [...r, { key: nextKey(), name, message }]);
  }, []);
  const clearRefusals = useCallback(() => setRefusals([]), []);
  const dismiss = useCallback((key: string) => setRefusals((r) => r.filter((x) => x.key !== key)), []);

  /** Sends files in one request; resolves with the answer, or undefined when refused or cancelled. */
  const send = useCallback(
    async <T>(files: File[], target: UploadTarget, onError?: (err: ApiError) => void): Promise<T | undefined> => {
      const key = nextKey();
      const total = files.reduce((n, f) => n + f.size, 0);
      const handle = uploadFiles<T>(target.url, files, {
        token: target.token,
        fields: target.fields,
        onProgress: (loaded, t) => setEntries((es) => es.map((e) => (e.key === key ? { ...e, loaded, total: t } : e))),
      });
      const entry: UploadEntry = {
        key,
        label: files.map((f) => f.name).join(', '),
        loaded: 0,
        total,
        cancel: handle.cancel,
      };
      setEntries((es) => [...es, entry]);
      try {
        return await handle.promise;
      } catch (e) {
        const err = e as ApiError;
        if (err.code !== CANCELLED) {
          refuse(err.message, entry.label);
          onError?.(err);
        }
        return undefined;
      } finally {
        setEntries((es) => es.filter((x) => x.key !== key));
      }
    },
    [refuse],
  );

  /**
   * Sends one file resumably (tus): survives network drops, pauses and page reloads. Resolves with the new file's
   * id (its message arrives over the socket), or undefined when refused or cancelled.
   */
  const sendResumable = useCallback(
    async (
      file: File,
      target: Omit<ResumableOptions, 'onProgress'>,
      onError?: (err: ApiError) => void,
    ): Promise<string | undefined> => {
      const key = nextKey();
      const update = (patch: Partial<UploadEntry>) =>
        setEntries((es) => es.map((e) => (e.key === key ? { ...e, ...patch } : e)));
      const handle = uploadResumable(file, { ...target, onProgress: (loaded, total) => update({ loaded, total }) });
      setEntries((es) => [
        ...es,
        {
          key,
          label: file.name,
          loaded: 0,
          total: file.size,
          cancel: handle.cancel,
          paused: false,
          pause: () => {
            handle.pause();
            update({ paused: true });
          },
          resume: () => {
            handle.resume();
            update({ paused: false });
          },
        },
      ]);
      try {
        return await handle.promise;
      } catch (e) {
        const err = e as ApiError;
        if (err.code !== CANCELLED) {
          refuse(err.message, file.name);
          onError?.(err);
        }
        return undefined;
      } finally {
        setEntries((es) => es.filter((x) => x.key !== key));
      }
    },
    [refuse],
  );

  return { entries, refusals, refuse, clearRefusals, dismiss, send, sendResumable };
}
