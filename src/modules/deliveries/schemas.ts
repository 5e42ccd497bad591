// TypeBox schemas of the delivery log's answers: components of the OpenAPI document (by $id) that also serialise
// the responses. Secrets and file bytes never appear in a delivery.
import { type TSchema, Type } from '@sinclair/typebox';

const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const DeliverySchema = Type.Object(
  {
    id: Type.String({ description: 'Also the webhook-id of every callback attempt' }),
    fileId: Type.String(),
    fileName: Type.Optional(Type.String({ description: 'In the delivery log (not in a file’s own list)' })),
    chatId: Type.String(),
    chatRef: Type.Optional(Type.String({ description: "The chat's short reference, in the delivery log" })),
    kind: Type.Union([
      Type.Literal('s3'),
      Type.Literal('callback'),
      Type.Literal('s3-delete'),
      Type.Literal('callback-event'),
    ]),
    status: Type.Union([
      Type.Literal('pending'),
      Type.Literal('succeeded'),
      Type.Literal('failed'),
      Type.Literal('dead'),
    ]),
    attempts: Type.Integer({ minimum: 0 }),
    nextAttemptAt: Nullable(Time),
    lastError: Type.Optional(Type.String()),
    remoteUid: Type.Optional(Type.String({ description: "The receiver's uid (callback) or the object's ETag" })),
    remoteUrl: Type.Optional(Type.String()),
    s3Key: Type.Optional(Type.String()),
    createdAt: Time,
    updatedAt: Time,
  },
  {
    $id: 'Delivery',
    title: 'Delivery',
    description: 'failed: the last attempt failed and another is scheduled (nextAttemptAt); dead: none is left',
  },
);

export const DeliveryAttemptSchema = Type.Object(
  {
    id: Type.String(),
    at: Time,
    status: Type.Optional(Type.Integer({ description: "The receiver's HTTP status, when it answered" })),
    startedAt: Time,
    finishedAt: Nullable(Time),
    outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Null()], {
      description: 'null while the attempt is under way',
    }),
    httpStatus: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
  },
  { $id: 'DeliveryAttempt', title: 'DeliveryAttempt' },
);

export const DeliveryPageSchema = Type.Object(
  {
    deliveries: Type.Array(Type.Ref(DeliverySchema), { description: 'Newest first' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as cursor for the next page; null on the last',
    }),
  },
  { $id: 'DeliveryPage', title: 'DeliveryPage', description: 'One page of the delivery log' },
);

export const DeliveryDetailSchema = Type.Object(
  {
    delivery: Type.Ref(DeliverySchema),
    attempts: Type.Array(Type.Ref(DeliveryAttemptSchema), { description: 'Oldest first' }),
  },
  { $id: 'DeliveryDetail', title: 'DeliveryDetail' },
);
