// The callback Parley POSTs to a workspace's URL, as JSON Schema: the multipart text fields (every value is a
// string on the wire) and the answer Parley expects. Served at /api/schemas/callback.json and used by the
// OpenAPI document's `webhooks`, so integrators can validate what they receive against what is published.
import { Type } from '@sinclair/typebox';

export const CallbackFieldsSchema = Type.Object(
  {
    chatID: Type.String({ description: 'The chat the file was shared in' }),
    fileId: Type.String({ description: "Parley's id of the file" }),
    fileName: Type.String({ description: 'The original file name, exactly (Unicode kept)' }),
    mimeType: Type.String({ description: 'The content type Parley verified from the bytes' }),
    size: Type.String({ pattern: '^[0-9]+$', description: 'Size in bytes, in decimal' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Hex SHA-256 of the file bytes' }),
    uploaderRole: Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('bot')]),
    workspaceId: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  {
    title: 'Parley callback fields',
    description:
      'The text fields of the multipart/form-data callback. The file itself is the part named `file`, with its ' +
      'original name and content type. Fields may be added; ignore the ones you do not know.',
  },
);

export const CallbackAnswerSchema = Type.Union(
  [
    Type.Object(
      {
        status: Type.Literal(0),
        uid: Type.String({ description: "The receiver's id of the stored file" }),
        url: Type.Optional(Type.String({ description: 'Where the stored file can be reached' })),
      },
      { title: 'Accepted' },
    ),
    Type.Object(
      { status: Type.Literal(1), message: Type.Optional(Type.String()) },
      { title: 'Refused (Parley retries)' },
    ),
  ],
  { title: 'Parley callback answer' },
);

export const CallbackDeletedEventSchema = Type.Object(
  {
    type: Type.Literal('file.deleted'),
    fileId: Type.String(),
    chatID: Type.String(),
    uid: Type.Optional(Type.String({ description: 'The uid the receiver gave when it took the file' })),
  },
  { title: 'Parley file.deleted event (application/json)' },
);

/** One JSON Schema document with the three shapes under $defs. */
export const callbackJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: '/api/schemas/callback.json',
  title: 'Parley callbacks',
  description: 'See docs/integrations.md: fields of the file callback, the expected answer, and the deletion event.',
  $defs: {
    fields: CallbackFieldsSchema,
    answer: CallbackAnswerSchema,
    fileDeleted: CallbackDeletedEventSchema,
  },
};
