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
