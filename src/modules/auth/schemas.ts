// TypeBox schemas of the auth module's answers: components of the OpenAPI document (by $id) that also serialise
// the responses. No schema here has a field for a password or a stored token hash.
import { type TSchema, Type } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const MemberRole = Type.Union([Type.Literal('admin'), Type.Literal('agent')]);

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('agent')], {
      description: 'owner: the instance owner, admin of every workspace',
    }),
  },
  { $id: 'User', title: 'User' },
);

export const MeSchema = Type.Object(
  {
    user: Nullable(Type.Ref(UserSchema)),
    visitor: Type.Optional(Type.Object({ id: Type.String() }, { description: 'When called with a visitor token' })),
    token: Type.Optional(Type.Object({ id: Type.String() }, { description: 'When called with an API token' })),
    workspaces: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), role: MemberRole })),
  },
  { $id: 'Me', title: 'Me', description: 'Who the caller is' },
);

export const ApiTokenSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    createdBy: Nullable(Type.String()),
    createdAt: Time,
    lastUsedAt: Nullable(Time),
  },
  { $id: 'ApiToken', title: 'ApiToken', description: 'An API token as listed (never its secret)' },
);

export const NewApiTokenSchema = Type.Object(
  { id: Type.String(), token: Type.String({ description: 'Shown once: send as Authorization: Bearer <token>' }) },
  { $id: 'NewApiToken', title: 'NewApiToken' },
);
