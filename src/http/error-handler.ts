// Turns every error into the contract's shape {error:{code,message,...details}}; unknown routes are 404 JSON.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

interface ValidationIssue { instancePath?: string; message?: string; params?: Record<string, unknown> }

function fieldsOf(validation: ValidationIssue[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const v of validation) {
    const missing = v.params?.missingProperty as string | undefined;
    const key = (missing ?? v.instancePath?.replace(/^\//, '').replace(/\//g, '.')) || '_';
    fields[key] ??= missing ? 'Required' : (v.message ?? 'Invalid');
  }
  return fields;
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError & { validationContext?: string }, request, reply) => {
    if (err instanceof AppError) {
      if (err.code === 'RATE_LIMITED' && typeof err.details.retryAfterSeconds === 'number') {
        reply.header('retry-after', String(err.details.retryAfterSeconds));
      }
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, ...err.details } });
    }
    if (err.validation) {
      const fields = fieldsOf(err.validation as ValidationIssue[]);
      if (err.validationContext === 'body') {
        return reply.status(422).send({ error: { code: 'VALIDATION_FAILED', message: 'Some fields are invalid', fields } });
      }
      return reply.status(400).send({ error: { code: 'BAD_REQUEST', message: `Invalid ${err.validationContext ?? 'request'}`, fields } });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send JSON (or multipart/form-data for files)' } });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' } });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      const code = err.statusCode === 429 ? 'RATE_LIMITED' : err.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
      return reply.status(err.statusCode).send({ error: { code, message: err.message } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'Something went wrong on our side' } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` } });
  });
}
