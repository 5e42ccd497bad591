// TypeBox schema of an audit log entry as the API shows it: a component of the OpenAPI document (by $id) that also
// serialises the responses.
import { Type } from '@sinclair/typebox';

export const AuditEntrySchema = Type.Object(
  {
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    actorId: Type.Union([Type.String(), Type.Null()]),
    actorRole: Type.String(),
    action: Type.String({ description: 'e.g. file.downloaded, settings.changed' }),
    target: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    details: Type.Object({}, { additionalProperties: true, description: 'Field names, counts; never secrets' }),
  },
  { $id: 'AuditEntry', title: 'AuditEntry' },
);

export const AuditPageSchema = Type.Object(
  {
    entries: Type.Array(Type.Ref(AuditEntrySchema), { description: 'Newest first' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as cursor for the next page; null on the last',
    }),
  },
  { $id: 'AuditPage', title: 'AuditPage', description: 'One page of the audit log' },
);
