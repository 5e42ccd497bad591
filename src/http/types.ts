// The typed Fastify instance every route module registers on.
import type {
  FastifyInstance,
  FastifyBaseLogger,
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { validationFailed } from '../errors.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export const WsParams = Type.Object({ ws: Type.String({ minLength: 1, maxLength: 64 }) });
export const WsChatParams = Type.Object({
  ws: Type.String({ minLength: 1, maxLength: 64 }),
  chatId: Type.String({ minLength: 1, maxLength: 64 }),
});
export const AfterQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
export const Cursor = Type.Optional(Type.String({ maxLength: 64 }));

/**
 * A date-time from a query string as an ISO string. The schema's date-time format admits times JavaScript cannot
 * represent (a leap second, 23:59:60): those are the caller's mistake, 422 VALIDATION_FAILED naming the field.
 */
export function queryTime(value: string | undefined, field: string): string | undefined {
  if (!value) return undefined;
  const t = new Date(value);
  if (Number.isNaN(t.getTime()) || /T\d\d:\d\d:60/.test(value))
    throw validationFailed({ [field]: 'Not a representable date-time (leap seconds are not accepted)' });
  return t.toISOString();
}

/** The success answer without a body (204, 202 with nothing to say). */
export const NoContent = Type.Null({ description: 'No body' });

/** A success answer that is not JSON (a CSV export, a file's bytes), for the document; Fastify streams it as is. */
export const notJson = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: { type: 'string', description } } },
});
