// TypeBox schemas of the data lifecycle's answers (retention settings, storage usage): components of the OpenAPI
// document (by $id) that also serialise the responses.
import { type TSchema, Type } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Days = Type.Integer({ minimum: 0 });
const Count = Type.Object({ bytes: Type.Integer({ minimum: 0 }), files: Type.Integer({ minimum: 0 }) });

export const RetentionSettingsSchema = Type.Object(
  {
    filesDays: Type.Integer({ minimum: 0, description: 'Delete files after this many days (0 = keep)' }),
    visitorFilesDays: Nullable(Days),
    agentFilesDays: Nullable(Days),
    closedChatsDays: Nullable(Days),
    auditDays: Type.Integer({ minimum: 0, description: '0 = keep' }),
  },
  { $id: 'RetentionSettings', title: 'RetentionSettings', description: 'null: the side follows filesDays' },
);

export const UsageSchema = Type.Object(
  {
    bytes: Type.Integer({ minimum: 0 }),
    files: Type.Integer({ minimum: 0 }),
    quotaBytes: Nullable(Type.Integer({ minimum: 0 })),
    bySide: Type.Object({ visitor: Count, agent: Count }),
    byType: Type.Array(
      Type.Object({
        type: Type.String({ description: 'An extension, or "(none)"' }),
        bytes: Type.Integer({ minimum: 0 }),
        files: Type.Integer({ minimum: 0 }),
      }),
    ),
  },
  { $id: 'Usage', title: 'Usage', description: "The workspace's stored files (thumbnails not counted)" },
);
