// TypeBox schemas of workspaces, members and invitations as the API shows them: components of the OpenAPI
// document (by $id) that also serialise the responses.
import { Type } from '@sinclair/typebox';

const Time = Type.String({ format: 'date-time' });
const MemberRole = Type.Union([Type.Literal('admin'), Type.Literal('agent')]);

export const WorkspaceSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    widgetKey: Type.String({ description: 'Identifies the workspace to the widget (public)' }),
    role: Type.Union([Type.Literal('admin'), Type.Literal('agent')], { description: "The caller's role in it" }),
    createdAt: Time,
  },
  { $id: 'Workspace', title: 'Workspace' },
);

export const MemberSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    role: MemberRole,
    owner: Type.Boolean({
      description: 'The instance owner: an admin of every workspace, who cannot be removed or made an agent (409)',
    }),
    createdAt: Type.Optional(Time),
  },
  { $id: 'Member', title: 'Member' },
);

export const InvitationSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    role: MemberRole,
    status: Type.Literal('pending'),
    createdAt: Time,
    expiresAt: Time,
    link: Type.Optional(Type.String({ description: 'Only in the answer that created it: the one-time link' })),
  },
  { $id: 'Invitation', title: 'Invitation' },
);

export const InvitationPreviewSchema = Type.Object(
  {
    invitation: Type.Object({
      email: Type.String(),
      name: Type.String(),
      role: MemberRole,
      workspace: Type.Object({ id: Type.String(), name: Type.String() }),
    }),
    hasAccount: Type.Boolean({ description: 'Whether to confirm an existing account rather than create one' }),
  },
  { $id: 'InvitationPreview', title: 'InvitationPreview' },
);
