// Who is calling: a signed-in user, an API token (an admin of one workspace) or a widget visitor.
export type Actor =
  | { kind: 'user'; userId: string; isOwner: boolean }
  | { kind: 'token'; tokenId: string; workspaceId: string }
  | { kind: 'visitor'; visitorId: string; workspaceId: string };

export type Role = 'admin' | 'agent';
