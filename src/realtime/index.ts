// The realtime port: how domain code tells connected clients that something happened.
// Rooms: a chat's visitor(s) get `chat:<id>`; agents of a workspace get `ws:<id>`. The adapter (in-process or Redis)
// carries an emit to sockets connected to any node.

import type { ServerEvent, ServerPayload } from './wire.js';

export type Audience = 'visitor' | 'agents';

/**
 * Whose access changed (signed out, password changed, membership or role changed, token revoked, a visitor's chats
 * changed, a workspace appeared). Their sockets are checked again on every node: cut when the credential no longer
 * holds, otherwise moved into exactly the rooms it may see now.
 */
export type AccessChange = { userId: string } | { tokenId: string } | { visitorId: string } | { owners: true };

export interface Realtime {
  /** Emits to the visitor side of one chat. */
  toChatVisitor<E extends ServerEvent>(chatId: string, event: E, payload: ServerPayload<E>): void;
  /** Emits to every agent/admin socket of a workspace. */
  toWorkspaceAgents<E extends ServerEvent>(workspaceId: string, event: E, payload: ServerPayload<E>): void;
  /** Disconnects the visitor sockets of one chat, on every node (the visitor was erased). */
  disconnectChat(chatId: string): void;
  /** Call after the change is committed. */
  accessChanged(change: AccessChange): void;
}

export const chatRoom = (chatId: string) => `chat:${chatId}`;
export const workspaceRoom = (workspaceId: string) => `ws:${workspaceId}`;
