// TypeBox schemas of the integrations' answers: components of the OpenAPI document (by $id) that also serialise
// the responses. Secrets are write-only: no schema here has a field that could carry one back, except the
// callback's signing secret, which the admin must copy into the receiver.
import { Type } from '@sinclair/typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const S3SettingsSchema = Type.Object(
  {
    configured: Type.Boolean(),
    accessKeyId: Type.String(),
    secretAccessKeySet: Type.Boolean({ description: 'Whether a secret key is stored; the key itself never is shown' }),
    region: Type.String(),
    bucket: Type.String(),
    folder: Type.String(),
    endpoint: Nullable(Type.String()),
    forcePathStyle: Type.Boolean(),
    disabled: Type.Boolean({ description: 'Disable AWS S3 File Store' }),
    deleteCopies: Type.Boolean({ description: 'Also delete forwarded copies' }),
    updatedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'S3Settings', title: 'S3Settings' },
);

export const CallbackSettingsSchema = Type.Object(
  {
    configured: Type.Boolean(),
    url: Type.String(),
    disabled: Type.Boolean(),
    signingSecret: Nullable(Type.String({ description: 'whsec_…: verify callbacks with it (docs/integrations.md)' })),
    deleteCopies: Type.Boolean({ description: 'Also delete forwarded copies (file.deleted events)' }),
    updatedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'CallbackSettings', title: 'CallbackSettings' },
);

const TestError = Type.Object({ code: Type.String(), message: Type.String() });

export const S3TestResultSchema = Type.Object(
  { ok: Type.Boolean(), error: Type.Optional(TestError) },
  { $id: 'S3TestResult', title: 'S3TestResult' },
);

export const CallbackTestResultSchema = Type.Object(
  {
    ok: Type.Boolean(),
    status: Type.Optional(Type.Integer({ description: "The receiver's HTTP status" })),
    response: Type.Optional(
      Type.Union([
        Type.Object({ uid: Type.Optional(Type.String()), url: Type.Optional(Type.String()) }),
        Type.String({ description: "The receiver's answer, when it was not a success" }),
      ]),
    ),
    note: Type.Optional(Type.String()),
    error: Type.Optional(TestError),
  },
  { $id: 'CallbackTestResult', title: 'CallbackTestResult' },
);
