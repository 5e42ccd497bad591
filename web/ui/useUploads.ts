// Upload state for a chat: running uploads (progress, cancel) and refusals (client checks and server errors).
// Callers choose grouping: files picked together go in one request and so one message (sendTogether, one row per
// file; a bot request's files too), a large file or a lone one resumably (sendResumable).
import { useCallback, useState } from 'react';
import type { ApiError } from './api.js';
import type { Message } from './types.js';
import { CANCELLED, groupForSending, uploadFiles } from './upload.js';
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
/** Refusals about one file's bytes or name (the request of several fails with it), not about the sender or chat. */
const ONE_FILES_FAULT = [
  'CONTENT_MISMATCH',
  'MALWARE_DETECTED',
  'INVALID_FILE_NAME',
  'FILE_TYPE_NOT_ALLOWED',
  'FILE_TOO_LARGE',
];
/** A proxy in front of Parley refused a request of files sent together (its body limit): later ones go resumably. */
let proxyRefusedTogether = false;
const nextKey = () => `u${++counter}`;

export function useUploads() {
  const [entries, setEntries] = useState<UploadEntry[]>([]);
  const [refusals, setRefusals] = useState<Refusal[]>([]);

  const refuse = useCallback((message: string, name?: string) => {
    setRefusals((r) => [...r, { key: nextKey(), name, message }]);
  }, []);
  const clearRefusals = useCallback(() => setRefusals([]), []);
  const dismiss = useCallback((key: string) => setRefusals((r) => r.filter((x) => x.key !== key)), []);

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

  /**
   * Sends several files in one multipart request, so they arrive as one message, with a row per file: its progress
   * is read off the request's (the parts go in order) and its Cancel drops that file alone — the request is
   * stopped and the others are sent again without it. A refusal of one file's bytes (or a proxy's 413) sends them
   * one by one resumably instead, when `resumable` says where. Resolves with the answer, or undefined when refused,
   * sent one by one, or every file was cancelled.
   */
  const sendTogether = useCallback(
    async <T>(
      files: File[],
      target: UploadTarget,
      onError?: (err: ApiError) => void,
      /** Where each file goes resumably instead when a proxy in front of Parley refuses the request's size. */
      resumable?: Omit<ResumableOptions, 'onProgress'>,
    ): Promise<T | undefined> => {
      const oneByOne = async (list: File[]) => {
        await Promise.all(list.map((f) => sendResumable(f, resumable!, onError)));
        return undefined;
      };
      if (resumable && proxyRefusedTogether) return oneByOne(files);
      let left = files;
      while (left.length > 0) {
        const sending = left;
        const keys = sending.map(() => nextKey());
        const starts = sending.map((_, i) => sending.slice(0, i).reduce((n, f) => n + f.size, 0));
        const bytes = sending.reduce((n, f) => n + f.size, 0);
        let dropped: number | undefined;
        const handle = uploadFiles<T>(target.url, sending, {
          token: target.token,
          fields: target.fields,
          onProgress: (loaded, total) => {
            // The body is the files plus a little framing: its progress, scaled to the files' bytes, in file order.
            const at = total > 0 ? (loaded / total) * bytes : 0;
            setEntries((es) =>
              es.map((e) => {
                const i = keys.indexOf(e.key);
                return i < 0 ? e : { ...e, loaded: Math.max(0, Math.min(sending[i]!.size, at - starts[i]!)) };
              }),
            );
          },
        });
        const rows = sending.map((f, i) => ({
          key: keys[i]!,
          label: f.name,
          loaded: 0,
          total: f.size,
          cancel: () => {
            dropped = i;
            handle.cancel();
          },
        }));
        setEntries((es) => [...es, ...rows]);
        try {
          return await handle.promise;
        } catch (e) {
          const err = e as ApiError;
          if (err.code === CANCELLED && dropped !== undefined) {
            left = sending.filter((_, i) => i !== dropped);
            continue;
          }
          if (resumable && err.code === 'HTTP_413') {
            // A proxy's own 413 (its body limit; Parley's is FILE_TOO_LARGE): resumable chunks get through it.
            proxyRefusedTogether = true;
            return oneByOne(sending);
          }
          if (resumable && ONE_FILES_FAULT.includes(err.code)) {
            // One file's bytes were refused and the request with it: each goes alone, so the others still arrive
            // and the refusal names the file it is about.
            return oneByOne(sending);
          }
          if (err.code !== CANCELLED) {
            refuse(err.message, sending.map((f) => f.name).join(', '));
            onError?.(err);
          }
          return undefined;
        } finally {
          setEntries((es) => es.filter((x) => !keys.includes(x.key)));
        }
      }
      return undefined;
    },
    [refuse, sendResumable],
  );

  /**
   * Sends files picked together as groupForSending splits them: each group of small files in one request (one
   * message), each other file resumably. `onSent` gets a group's message from its answer, and undefined for a
   * resumable file once stored (its message arrives over the socket).
   */
  const sendPicked = useCallback(
    (
      files: File[],
      target: UploadTarget,
      resumable: Omit<ResumableOptions, 'onProgress'>,
      onError: (err: ApiError) => void,
      onSent: (message: Message | undefined) => void,
    ) => {
      const { together, alone } = groupForSending(files);
      for (const group of together)
        void sendTogether<{ message?: Message }>(group, target, onError, resumable).then((a) => a && onSent(a.message));
      for (const f of alone) void sendResumable(f, resumable, onError).then((id) => id && onSent(undefined));
    },
    [sendTogether, sendResumable],
  );

  return { entries, refusals, refuse, clearRefusals, dismiss, sendTogether, sendResumable, sendPicked };
}
