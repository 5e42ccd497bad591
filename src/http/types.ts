// The typed Fastify instance every route module registers on.
import type { FastifyInstance, FastifyBaseLogger, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export const WsParams = Type.Object({ ws: Type.String({ minLength: 1, maxLength: 64 }) });
export const WsChatParams = Type.Object({ ws: Type.String({ minLength: 1, maxLength: 64 }), chatId: Type.String({ minLength: 1, maxLength: 64 }) });
export const AfterQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
export const Cursor = Type.Optional(Type.String({ maxLength: 64 }));
