// Who is calling: a signed-in user, an API token (an admin of one workspace) or a widget visitor.
import type { ChatsTable } from '../../db/types.js';

export type Actor =
  | { kind: 'user'; userId: string; isOwner: boolean; sessionExpiresAt?: string }
  | { kind: 'token'; tokenId: string; workspaceId: string }
  | {
      kind: 'visitor';
      visitorId: string;
      workspaceId: string;
      /** The visitor's latest chat, read with the token in one statement (null: none); absent when not read. */
      latestChat?: ChatsTable | null;
    };

export type Role = 'admin' | 'agent';
