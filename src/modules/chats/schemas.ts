// TypeBox schemas of chats and messages as the API and realtime events show them (chats/view.ts): components of the
// OpenAPI document (by $id) that also serialise the responses.
import { type TSchema, Type } from '@sinclair/typebox';
import { DeletedFileSchema, FileSchema } from '../files/schemas.js';
import { WidgetAppearanceSchema } from '../settings/schemas.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const ChatStatus = Type.Union([
  Type.Literal('bot'),
  Type.Literal('waiting'),
  Type.Literal('open'),
  Type.Literal('closed'),
]);

export const ChatSchema = Type.Object(
  {
    id: Type.String(),
    ref: Type.String({ description: 'The short reference shown everywhere; accepted wherever a chat id is' }),
    workspaceId: Type.String(),
    visitorId: Type.String(),
    status: ChatStatus,
    visitor: Type.Object(
      {
        name: Type.Optional(Type.String()),
        email: Type.Optional(Type.String()),
        attributes: Type.Optional(
          Type.Record(Type.String(), Type.String(), { description: "Custom attributes given by Parley('identify')" }),
        ),
        pageUrl: Type.Optional(Type.String({ description: 'The embedding page the visitor is on (last reported)' })),
        referrer: Type.Optional(Type.String({ description: "The embedding page's referrer" })),
        userAgent: Type.Optional(Type.String()),
        language: Type.Optional(Type.String({ description: "The browser's language (BCP 47)" })),
        timeZone: Type.Optional(Type.String({ description: 'IANA time zone, e.g. Europe/Paris' })),
        utcOffset: Type.Optional(Type.Integer({ description: 'Minutes east of UTC when last reported' })),
      },
      { description: "Who and where: name/e-mail from Parley('identify') (wins) or the bot; page, browser, zone" },
    ),
    assigneeId: Nullable(Type.String()),
    waitingSince: Nullable(
      Type.String({
        format: 'date-time',
        description:
          'When the visitor started waiting for an agent: the hand-over to the queue, or their oldest message no ' +
          'agent has answered; null while the bot talks or once an agent has answered',
      }),
    ),
    createdAt: Time,
    updatedAt: Time,
    closedAt: Nullable(Time),
    lastMessageAt: Nullable(Time),
  },
  { $id: 'Chat', title: 'Chat' },
);

export const MessageSchema = Type.Object(
  {
    id: Type.String(),
    chatId: Type.String(),
    authorRole: Type.Union([
      Type.Literal('visitor'),
      Type.Literal('agent'),
      Type.Literal('bot'),
      Type.Literal('system'),
    ]),
    authorId: Type.Optional(Type.String()),
    authorName: Type.Optional(Type.String({ description: "An agent's display name" })),
    text: Type.Optional(Type.String()),
    kind: Type.Union([
      Type.Literal('text'),
      Type.Literal('file'),
      Type.Literal('upload_request'),
      Type.Literal('event'),
    ]),
    files: Type.Optional(Type.Array(Type.Union([Type.Ref(FileSchema), Type.Ref(DeletedFileSchema)]))),
    request: Type.Optional(
      Type.Object(
        {
          id: Type.String(),
          prompt: Type.String(),
          allowedTypes: Type.String({ description: 'Extensions joined by |; "" allows the visitor side’s types' }),
          maxFiles: Type.Integer({ minimum: 1 }),
          optional: Type.Boolean(),
          status: Type.Union([
            Type.Literal('open'),
            Type.Literal('answered'),
            Type.Literal('skipped'),
            Type.Literal('expired'),
          ]),
        },
        { description: "The bot's upload request (kind upload_request)" },
      ),
    ),
    buttons: Type.Optional(Type.Array(Type.Object({ label: Type.String() }))),
    event: Type.Optional(Type.String({ description: 'kind event: what happened (assigned, closed, …)' })),
    createdAt: Time,
  },
  { $id: 'Message', title: 'Message' },
);

/** What the widget sends about the visitor: at session start, on navigation and for Parley('identify'). */
export const VisitorDetailsSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    attributes: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
        description: 'At most 20; names of letters, digits, _ . -; values up to 500 characters',
      }),
    ),
    pageUrl: Type.Optional(Type.String({ maxLength: 20_480, description: 'http(s) only; kept up to 2048 characters' })),
    referrer: Type.Optional(Type.String({ maxLength: 20_480 })),
    language: Type.Optional(Type.String({ maxLength: 64 })),
    timeZone: Type.Optional(Type.String({ maxLength: 64 })),
    utcOffset: Type.Optional(Type.Integer({ minimum: -840, maximum: 840 })),
  },
  {
    $id: 'VisitorDetails',
    title: 'VisitorDetails',
    description: 'Cleaned; a bad URL, language or zone is ignored, a bad name/e-mail/attribute is a 422; "" clears',
  },
);

export const UploadRulesSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    allowedTypes: Type.String({ description: 'Extensions joined by |; "" allows any type' }),
    maxFileSizeKb: Type.Integer({ minimum: 1 }),
  },
  { $id: 'UploadRules', title: 'UploadRules', description: "One side's upload rules" },
);

export const WidgetSessionSchema = Type.Object(
  {
    visitorToken: Type.String({ description: 'Send as Authorization: Bearer; keep it to resume the chat' }),
    chat: Type.Object({ id: Type.String(), ref: Type.String(), status: ChatStatus }),
    uploads: Type.Ref(UploadRulesSchema),
    appearance: Type.Ref(WidgetAppearanceSchema),
  },
  { $id: 'WidgetSession', title: 'WidgetSession' },
);

export const ChatPageSchema = Type.Object(
  {
    chats: Type.Array(Type.Ref(ChatSchema)),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as cursor for the next page; null on the last',
    }),
  },
  { $id: 'ChatPage', title: 'ChatPage', description: 'One page of the chat queue' },
);

export const MessageListSchema = Type.Object(
  { messages: Type.Array(Type.Ref(MessageSchema), { description: 'Oldest first' }) },
  { $id: 'MessageList', title: 'MessageList' },
);

export const UploadResultSchema = Type.Object(
  {
    files: Type.Array(Type.Ref(FileSchema), { description: 'In upload order' }),
    message: Type.Ref(MessageSchema),
  },
  { $id: 'UploadResult', title: 'UploadResult', description: 'The files stored and the message carrying them' },
);
