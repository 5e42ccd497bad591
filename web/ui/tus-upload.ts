// One file over tus 1.0 (tus-js-client) to /api/uploads/: 8 MiB chunks (a small file goes in the creation request),
// automatic retries with backoff after a network drop, pause/resume, cancel (which removes the upload on the server),
// and resume after a page reload: the upload's URL is kept in localStorage under the file's fingerprint, so choosing
// the same file again continues where it stopped. Rule refusals (4xx) are final and never retried. A proxy that
// refuses the chunk's size (its own 413) gets smaller chunks, from where the server is.
import { type DetailedError, Upload } from 'tus-js-client';
import { ApiError, errorFromBody } from './api.js';
import { CANCELLED } from './upload.js';

export const TUS_ENDPOINT = '/api/uploads/';
export const CHUNK_SIZE = 8 * 1024 * 1024;
/** Waits between attempts after a failure: quick at first, then every 30 s for as long as the page is open. */
const RETRY_DELAYS = [0, 1000, 2000, 4000, 8000, 15000, 30000, ...Array(120).fill(30000)];

export interface ResumableHandle {
  /** Resolves with the new file's id once the server committed it. */
  promise: Promise<string>;
  pause(): void;
  resume(): void;
  cancel(): void;
}

export interface ResumableOptions {
  token?: string;
  /** Upload-Metadata beside filename and filetype: chatId (agents), requestId, text. */
  metadata?: Record<string, string | undefined>;
  onProgress?: (loaded: number, total: number) => void;
}

/** Retry what a reconnect can fix (no answer, 5xx, 409 offset race, 423 lock, too many uploads of this visitor at
 * once), and an upload the server no longer has (a PATCH answered 404, or 410: expired, its bytes removed): the
 * retry's HEAD then answers 404 and tus-js-client starts the upload again from the first byte. A refusal by the rules
 * is final. */
function shouldRetry(err: DetailedError): boolean {
  const status = err.originalResponse?.getStatus() ?? 0;
  const body = err.originalResponse?.getBody() ?? '';
  if (status === 429) return /"TOO_MANY_UPLOADS"/.test(body);
  if (status === 410) return /"UPLOAD_EXPIRED"/.test(body);
  if (status === 404) return err.originalRequest?.getMethod() === 'PATCH';
  return status === 0 || status >= 500 || status === 409 || status === 423;
}

function toApiError(err: Error | DetailedError): ApiError {
  const res = (err as DetailedError).originalResponse;
  if (!res) return errorFromBody(0, null);
  let body: unknown = null;
  try {
    body = JSON.parse(res.getBody() || 'null');
  } catch {}
  return errorFromBody(res.getStatus(), body);
}

/**
 * A 413 from a proxy in front of Parley (its request-body limit, e.g. nginx's default 1m), not Parley's own
 * FILE_TOO_LARGE (a JSON error): the file is fine, the chunk is too large for the way in.
 */
function refusedByProxy(err: Error | DetailedError): boolean {
  const res = (err as DetailedError).originalResponse;
  if (res?.getStatus() !== 413) return false;
  try {
    return !(JSON.parse(res.getBody() || 'null') as { error?: { code?: string } } | null)?.error?.code;
  } catch {
    return true;
  }
}

/** The smallest chunk tried when a proxy refuses larger request bodies. */
const MIN_CHUNK_SIZE = 256 * 1024;
/** The largest chunk size no proxy has refused on this page; later uploads start with it. */
let fittingChunkSize = CHUNK_SIZE;

export function uploadResumable(file: File, opts: ResumableOptions = {}): ResumableHandle {
  const metadata: Record<string, string> = { filename: file.name, filetype: file.type || 'application/octet-stream' };
  for (const [k, v] of Object.entries(opts.metadata ?? {})) if (v) metadata[k] = v;
  let upload: Upload;
  let cancelled = false;
  let rejectWith: (err: ApiError) => void = () => undefined;
  const promise = new Promise<string>((resolve, reject) => {
    rejectWith = reject;
    /** Starts (or, with the upload's URL, continues from the server's offset) with chunks of `chunkSize`. */
    const begin = (chunkSize: number, uploadUrl?: string) => {
      upload = new Upload(file, {
        endpoint: TUS_ENDPOINT,
        uploadUrl,
        chunkSize,
        retryDelays: RETRY_DELAYS,
        metadata,
        headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
        uploadDataDuringCreation: file.size <= chunkSize,
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        // The same file for another chat or uploader is another upload.
        fingerprint: async (f: File) =>
          [
            'parley',
            f.name,
            f.type,
            f.size,
            f.lastModified,
            opts.metadata?.chatId ?? '',
            opts.token?.slice(-8) ?? '',
          ].join('-'),
        onShouldRetry: (err) => shouldRetry(err),
        onProgress: (sent, total) => opts.onProgress?.(sent, total),
        onSuccess: ({ lastResponse }) => {
          const id = lastResponse.getHeader('Parley-File-Id');
          if (id) resolve(id);
          else reject(new ApiError(lastResponse.getStatus(), 'INTERNAL', 'The server did not name the new file'));
        },
        onError: (err) => {
          if (!cancelled && refusedByProxy(err) && chunkSize > MIN_CHUNK_SIZE) {
            // Smaller chunks from where the server is (a refused creation had no URL yet: a new upload).
            const smaller = Math.max(MIN_CHUNK_SIZE, Math.floor(chunkSize / 4));
            fittingChunkSize = Math.min(fittingChunkSize, smaller);
            begin(smaller, upload.url ?? undefined);
            return;
          }
          reject(cancelled ? new ApiError(0, CANCELLED, 'Upload cancelled') : toApiError(err));
        },
      });
      if (uploadUrl) {
        upload.start();
        return;
      }
      upload.findPreviousUploads().then(
        (previous) => {
          if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
          upload.start();
        },
        () => upload.start(),
      );
    };
    begin(fittingChunkSize);
  });
  return {
    promise,
    pause: () => void upload.abort(false),
    resume: () => upload.start(),
    cancel: () => {
      cancelled = true;
      // Terminates the upload on the server (its bytes are removed) and forgets the stored URL.
      void upload.abort(true).catch(() => undefined);
      rejectWith(new ApiError(0, CANCELLED, 'Upload cancelled'));
    },
  };
}
