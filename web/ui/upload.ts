// Multipart upload over XHR, because fetch cannot report upload progress: progress events plus cancel (xhr.abort()).
// Text fields go before the file parts so a streaming server knows e.g. `requestId` before the bytes arrive.
import { ApiError, errorFromBody } from './api.js';

export interface UploadHandle<T> {
  promise: Promise<T>;
  cancel(): void;
}

export interface UploadOptions {
  fields?: Record<string, string | undefined>;
  token?: string;
  onProgress?: (loaded: number, total: number) => void;
}

export const CANCELLED = 'CANCELLED';

export function uploadFiles<T>(url: string, files: File[], opts: UploadOptions = {}): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  for (const [k, v] of Object.entries(opts.fields ?? {})) if (v !== undefined && v !== '') form.append(k, v);
  for (const f of files) form.append('file', f, f.name);

  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', url);
    xhr.responseType = 'text';
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    if (opts.token) xhr.setRequestHeader('authorization', `Bearer ${opts.token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) opts.onProgress?.(e.loaded, e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(errorFromBody(xhr.status, body));
    };
    xhr.onerror = () => reject(errorFromBody(0, null));
    xhr.onabort = () => reject(new ApiError(0, CANCELLED, 'Upload cancelled'));
    xhr.send(form);
  });
  return { promise, cancel: () => xhr.abort() };
}

/** Files picked together go in one request (one message) when there are several small ones. */
const TOGETHER_MAX_FILES = 10; // the server's limit of files per message
const TOGETHER_MAX_FILE = 8 * 1024 * 1024;
const TOGETHER_MAX_BYTES = 25 * 1024 * 1024;

/**
 * Splits files picked together: the small ones into groups sent in one request each (one message with several
 * files), at most TOGETHER_MAX_FILES and TOGETHER_MAX_BYTES a group; a large file, or a small one left alone, goes
 * resumably on its own (its own message), where a dropped connection costs nothing.
 */
export function groupForSending(files: File[]): { together: File[][]; alone: File[] } {
  const alone = files.filter((f) => f.size > TOGETHER_MAX_FILE);
  const groups: File[][] = [];
  let group: File[] = [];
  let bytes = 0;
  for (const f of files.filter((f) => f.size <= TOGETHER_MAX_FILE)) {
    if (group.length === TOGETHER_MAX_FILES || bytes + f.size > TOGETHER_MAX_BYTES) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(f);
    bytes += f.size;
  }
  if (group.length > 0) groups.push(group);
  for (const g of groups) if (g.length === 1) alone.push(g[0]!);
  return { together: groups.filter((g) => g.length > 1), alone };
}
