// TypeBox schemas of files as the API shows them (files/view.ts): components of the OpenAPI document (by $id) that
// also serialise every answer carrying a file, so a field the view adds cannot go unseen by the document.
import { type TSchema, Type } from '@sinclair/typebox';
import { DeliverySchema } from '../deliveries/schemas.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.String({ format: 'date-time' });

export const FileSchema = Type.Object(
  {
    id: Type.String(),
    chatId: Type.String(),
    chatRef: Type.Optional(Type.String({ description: "Staff views: the chat's short reference" })),
    name: Type.String({ description: 'The original name (Unicode kept, controls removed, ≤ 255 bytes)' }),
    size: Type.Integer({ minimum: 0, description: 'Bytes' }),
    mimeType: Type.String(),
    extension: Type.String({ description: 'Lower case, without the dot; compound ones such as tar.gz kept whole' }),
    sha256: Type.String({ description: 'SHA-256 of the bytes, lower-case hex' }),
    uploaderRole: Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('bot')]),
    uploaderId: Nullable(Type.String()),
    requestId: Type.Optional(Type.String({ description: "The bot's upload request these files answered" })),
    createdAt: Time,
    url: Type.String({
      description: 'Downloads the bytes: a path relative to the server; for visitors a short-lived signed URL',
    }),
    thumbnailUrl: Type.Optional(Type.String({ description: 'A WebP thumbnail, once one was made' })),
    scan: Type.Union(
      [Type.Literal('clean'), Type.Literal('pending'), Type.Literal('infected'), Type.Literal('skipped')],
      {
        description: 'Malware scan: skipped (no scanner), pending (held), clean, infected (quarantined)',
      },
    ),
    scanSignature: Type.Optional(Type.String({ description: 'What the scanner found (infected files)' })),
    releasedAt: Type.Optional(Type.String({ format: 'date-time', description: 'An admin released it' })),
    remoteUid: Type.Optional(Type.String({ description: 'Staff views: the callback receiver’s uid' })),
    remoteUrl: Type.Optional(Type.String({ description: 'Staff views: the callback receiver’s access URL' })),
    deliveries: Type.Optional(Type.Array(Type.Ref(DeliverySchema), { description: 'Staff views' })),
    deleteAt: Type.Optional(
      Nullable(Type.String({ format: 'date-time', description: 'List File: when retention deletes it (null: kept)' })),
    ),
  },
  { $id: 'File', title: 'File' },
);

export const DeletedFileSchema = Type.Object(
  { id: Type.String(), deleted: Type.Literal(true) },
  { $id: 'DeletedFile', title: 'DeletedFile', description: 'A deleted file, as it stays listed in its message' },
);

export const FileListSchema = Type.Object(
  { files: Type.Array(Type.Ref(FileSchema)) },
  { $id: 'FileList', title: 'FileList', description: "A chat's files, newest first" },
);

export const FilePageSchema = Type.Object(
  {
    files: Type.Array(Type.Ref(FileSchema), { description: 'Newest first, each with deleteAt' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as cursor for the next page; null on the last',
    }),
  },
  { $id: 'FilePage', title: 'FilePage', description: 'One page of List File' },
);
