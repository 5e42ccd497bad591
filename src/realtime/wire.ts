// The Socket.IO events on the wire, named and shaped once for both ends: the server (socket-server.ts, the Realtime
// port) and the browser clients in web/ import these maps (type-only), so an event renamed or reshaped on one side
// fails to compile on the other. The shapes of Message, Chat and Delivery are each side's own view of the OpenAPI
// components (the server's view types, the web's generated api-schema types), passed in as `T`.

export interface WireShapes {
  Message: unknown;
  Chat: unknown;
  Delivery: unknown;
}

/** Server → client (api.md "Realtime"). Agents get every event; visitors get message.*, chat.updated and typing. */
export interface ServerToClientEvents<T extends WireShapes = WireShapes> {
  /** A new message in a chat the socket may see (also replayed after a reconnect with lastMessageId). */
  'message.created': (payload: { message: T['Message'] }) => void;
  /** A message changed: a thumbnail became available, a file was deleted, a scan finished. */
  'message.updated': (payload: { message: T['Message'] }) => void;
  'chat.updated': (payload: { chat: T['Chat'] }) => void;
  /** Agents only: the chat was erased (visitor erasure); take it out of the queue. */
  'chat.deleted': (payload: { chatId: string }) => void;
  /** A file of a message was deleted (its message is also re-sent with message.updated). */
  'file.deleted': (payload: { messageId: string; chatId: string; fileId: string }) => void;
  /** Agents only: a delivery of a file to S3 or the callback changed state. */
  'file.delivery': (payload: { fileId: string; delivery: T['Delivery'] }) => void;
  typing: (payload: { chatId: string; role: 'visitor' | 'agent' }) => void;
}

export type SyncAnswer<T extends WireShapes = WireShapes> =
  | { messages: T['Message'][] }
  | { error: { code: 'NOT_FOUND' | 'RATE_LIMITED' | 'UNAVAILABLE' } }
  /** `after` is no message of this chat (an empty `after` is the chat from its first message). */
  | { error: { code: 'BAD_REQUEST'; fields: { after: string } } };

/** Client → server. Payloads arrive untrusted: the server validates every field. */
export interface ClientToServerEvents<T extends WireShapes = WireShapes> {
  typing: (payload: { chatId: string }) => void;
  /** The messages of a chat after a message id of that chat (a client that missed some while offline). */
  sync: (payload: { chatId: string; after: string }, ack: (answer: SyncAnswer<T>) => void) => void;
}

/** Between the nodes of one deployment (through the Redis adapter): never seen by clients. */
export interface InterServerEvents {
  /** Another node lost events while Redis was down: reconnect local sockets so they catch up. */
  'parley:catch-up': () => void;
  /** Someone's access changed: recheck the local sockets in this room. */
  'parley:access-changed': (room: string) => void;
}

export type ServerEvent = keyof ServerToClientEvents;
export type ServerPayload<E extends ServerEvent, T extends WireShapes = WireShapes> = Parameters<
  ServerToClientEvents<T>[E]
>[0];
