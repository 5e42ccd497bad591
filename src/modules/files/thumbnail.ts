// Thumbnails of images (png/jpeg/gif/webp) and first-page previews of PDFs, made by a preview worker, a child process
// of the pool's (src/previews/): a decoder that crashes, loops or runs out of memory costs that file its thumbnail,
// never the server. Bounded in input bytes here, in pixels and time in the worker; metadata (EXIF/GPS) is never
// copied. A file the worker cannot read means "no thumbnail", never a failed upload; a worker that died with the file
// in flight throws (PreviewWorkerDied), so the durable job tries again within its attempts.
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { createPreviewPool, type PreviewKind, type PreviewPool, type PreviewResult } from '../../previews/pool.js';
import type { BlobStore } from '../../storage/index.js';
import { isStorageFault } from '../../storage/faults.js';

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const MAX_INPUT_BYTES = 25 * 1024 * 1024;
const MAX_PDF_BYTES = 50 * 1024 * 1024;

export interface PreviewSettings {
  previewWorkers: number;
  previewMemoryMb: number;
  previewTimeoutMs: number;
  previewMaxJobs: number;
  previewRecycleRssMb: number;
  previewIdleMs: number;
  previewNice: number;
}

// One pool per app (its settings object: PARLEY_PREVIEW_*), off the request path; its workers start on demand and
// the app closes it. (One app per process in production; the tests run many in one process, each with its own.)
const pools = new WeakMap<PreviewSettings, PreviewPool>();
const previews = (s: PreviewSettings) => {
  let pool = pools.get(s);
  if (!pool) {
    pool = createPreviewPool({
      concurrency: s.previewWorkers,
      heapMb: s.previewMemoryMb,
      timeoutMs: s.previewTimeoutMs,
      maxJobs: s.previewMaxJobs,
      maxRssMb: s.previewRecycleRssMb,
      idleMs: s.previewIdleMs,
      nice: s.previewNice,
    });
    pools.set(s, pool);
  }
  return pool;
};

/** The pool of the app with these settings, once a preview has been asked for (metrics and tests read it). */
export const previewPool = (s: PreviewSettings): PreviewPool | undefined => pools.get(s);

/** The preview worker died with this file in flight: the job is failed, to be retried (never lost). */
export class PreviewWorkerDied extends Error {
  constructor(failure?: string) {
    super(`the preview worker died with this file in flight (${failure ?? 'no reason'})`);
  }
}

function previewKind(mimeType: string): PreviewKind | undefined {
  if (IMAGE_TYPES.has(mimeType)) return 'image';
  if (mimeType === 'application/pdf') return 'pdf';
  return undefined;
}

export function wantsThumbnail(mimeType: string, size: number): boolean {
  const kind = previewKind(mimeType);
  return kind !== undefined && size > 0 && size <= (kind === 'pdf' ? MAX_PDF_BYTES : MAX_INPUT_BYTES);
}

export async function makeThumbnail(
  storage: BlobStore,
  file: { mimeType: string; sourceKey: string; thumbKey: string },
  settings: PreviewSettings,
  log?: Logger,
): Promise<boolean> {
  const kind = previewKind(file.mimeType);
  if (!kind) return false;
  let result: PreviewResult;
  try {
    // A local store's file is read by the worker itself: the bytes never cross the server's event loop.
    const input = storage.localFile
      ? { file: await storage.localFile(file.sourceKey) }
      : await storage.get(file.sourceKey);
    result = await previews(settings).render(kind, input);
  } catch (err) {
    // The storage failing is not the file's fault: the durable job tries again (it made no preview for good).
    if (isStorageFault(err)) throw err;
    log?.warn({ err, key: file.sourceKey }, 'no preview for this file');
    return false;
  }
  if (result.workerDied) throw new PreviewWorkerDied(result.failure);
  if (!result.webp) {
    log?.warn({ key: file.sourceKey, kind, failure: result.failure }, 'no preview for this file');
    return false;
  }
  try {
    await storage.put(file.thumbKey, Readable.from([result.webp]), { contentType: 'image/webp' });
    return true;
  } catch (err) {
    await storage.delete(file.thumbKey).catch(() => {});
    if (isStorageFault(err)) throw err;
    log?.warn({ err, key: file.sourceKey }, 'no preview for this file');
    return false;
  }
}
