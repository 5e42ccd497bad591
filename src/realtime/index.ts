// The realtime port: how domain code tells connected clients that something happened.
// Rooms: a chat's visitor(s) get `chat:<id>`; agents of a workspace get `ws:<id>`. The adapter (in-process or Redis)
// carries an emit to sockets connected to any node.

export type Audience = 'visitor' | 'agents';

export interface Realtime {
  /** Emits to the visitor side of one chat. */
  toChatVisitor(chatId: string, event: string, payload: unknown): void;
  /** Emits to every agent/admin socket of a workspace. */
  toWorkspaceAgents(workspaceId: string, event: string, payload: unknown): void;
}

export const chatRoom = (chatId: string) => `chat:${chatId}`;
export const workspaceRoom = (workspaceId: string) => `ws:${workspaceId}`;
