// One error model for the whole server: AppError carries a contract code, its HTTP status and optional details.
// Domain code and adapters throw it (adapters translate vendor errors at their edge); only http/error-handler.ts
// turns it into a response, so nothing else needs to know HTTP and nothing string-matches error messages.

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  INVALID_FILE_NAME: 400,
  MALFORMED_MULTIPART: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UPLOADS_DISABLED: 403,
  CROSS_SITE_REQUEST: 403,
  ORIGIN_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CHAT_CLOSED: 409,
  REQUEST_CLOSED: 409,
  CONFLICT: 409,
  UPLOAD_COMPLETE: 409,
  UPLOAD_EXPIRED: 410,
  FILE_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  FILE_TYPE_NOT_ALLOWED: 415,
  CONTENT_MISMATCH: 415,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  VALIDATION_FAILED: 422,
  MALWARE_DETECTED: 422,
  RATE_LIMITED: 429,
  TOO_MANY_UPLOADS: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  QUOTA_EXCEEDED: 507,
  STORAGE_UNAVAILABLE: 503,
  SCANNER_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what = 'Not found') => new AppError('NOT_FOUND', what);
export const forbidden = (message = 'Your role may not do this') => new AppError('FORBIDDEN', message);
export const unauthenticated = (message = 'Sign in or send a valid token') => new AppError('UNAUTHENTICATED', message);
/** A blob the store does not hold (deleted, or lost on disk). Storage adapters throw it; downloads answer 404. */
export const blobMissing = (cause?: unknown) => new AppError('NOT_FOUND', "The file's bytes are gone", {}, { cause });
export const validationFailed = (fields: Record<string, string>, message = 'Some fields are invalid') =>
  new AppError('VALIDATION_FAILED', message, { fields });

/**
 * The store could not take or give bytes (a read-only or full disk, no file descriptors left, S3 down or timing out):
 * the server's fault, never the client's. Storage adapters throw it; the answer is 503 with Retry-After.
 */
export const storageUnavailable = (cause: unknown) =>
  new AppError(
    'STORAGE_UNAVAILABLE',
    'File storage is unavailable right now; retry shortly',
    { retryAfterSeconds: 5 },
    { cause },
  );

/** The cause of a server-side failure as a log field (name, message, code, syscall, stack). */
export function describeCause(cause: unknown) {
  if (!cause) return undefined;
  const c = cause as { name?: unknown; message?: unknown; code?: unknown; syscall?: unknown; stack?: unknown };
  return { name: c.name, message: c.message ?? String(cause), code: c.code, syscall: c.syscall, stack: c.stack };
}
