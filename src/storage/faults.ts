// Which errors of a store are the store failing us (a read-only or full disk, no file descriptors, S3 unreachable,
// timing out or answering 5xx) rather than the client's bytes or a missing object: those become 503
// STORAGE_UNAVAILABLE. No SDK is loaded here, so the tus path can classify errors of either store.
import { AppError, storageUnavailable } from '../errors.js';

// The file system failing us (not the client's bytes, which fail as AppErrors or parser errors without a syscall).
const FS_FAULT_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE', 'EIO', 'EBUSY']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** A file-system error that is a fault of the disk → STORAGE_UNAVAILABLE; anything else is returned as it is. */
export function asFsStorageFault(err: unknown, alsoCodes: string[] = []): unknown {
  const e = err as NodeJS.ErrnoException;
  if (!e || typeof e.code !== 'string' || typeof e.syscall !== 'string') return err;
  return FS_FAULT_CODES.has(e.code) || alsoCodes.includes(e.code) ? storageUnavailable(err) : err;
}

/** S3 unreachable, timing out or failing (5xx): the server's fault. A 4xx (bad credentials, no bucket) stays itself. */
export function asS3StorageFault(err: unknown): unknown {
  const { name, code, $metadata } = (err ?? {}) as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = $metadata?.httpStatusCode;
  if (NETWORK_CODES.has(code ?? '') || name === 'TimeoutError') return storageUnavailable(err);
  // Only the SDK's own errors carry $metadata: a source stream's error is passed on as it is.
  if ($metadata && (status === undefined || status >= 500)) return storageUnavailable(err);
  return err;
}

/** STORAGE_UNAVAILABLE for a fault of either kind of store, otherwise undefined. */
export function storageFaultOf(err: unknown): AppError | undefined {
  for (const classify of [asFsStorageFault, asS3StorageFault]) {
    const e = classify(err);
    if (e !== err && e instanceof AppError) return e;
  }
  return undefined;
}

/** The storage failing us, classified already (STORAGE_UNAVAILABLE) or not yet (a raw file-system or S3 error). */
export function isStorageFault(err: unknown): boolean {
  return (err instanceof AppError && err.code === 'STORAGE_UNAVAILABLE') || storageFaultOf(err) !== undefined;
}
