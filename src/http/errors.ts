// One error model: AppError carries a contract code, an HTTP status and optional details.
// The Fastify error handler in http/error-handler.ts is the only place that turns errors into responses.

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  INVALID_FILE_NAME: 400,
  MALFORMED_MULTIPART: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UPLOADS_DISABLED: 403,
  NOT_FOUND: 404,
  CHAT_CLOSED: 409,
  REQUEST_CLOSED: 409,
  CONFLICT: 409,
  FILE_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  FILE_TYPE_NOT_ALLOWED: 415,
  CONTENT_MISMATCH: 415,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  VALIDATION_FAILED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what = 'Not found') => new AppError('NOT_FOUND', what);
export const forbidden = (message = 'Your role may not do this') => new AppError('FORBIDDEN', message);
export const unauthenticated = (message = 'Sign in or send a valid token') => new AppError('UNAUTHENTICATED', message);
export const validationFailed = (fields: Record<string, string>, message = 'Some fields are invalid') =>
  new AppError('VALIDATION_FAILED', message, { fields });
