// Socket.IO on the HTTP server: authenticates each socket, puts it in its rooms, relays typing, and replays what a
// reconnecting client missed. With REDIS_URL the Redis adapter carries emits between nodes; otherwise in-process.
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { fastifyCookie } from '@fastify/cookie';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Actor } from '../modules/auth/actor.js';
import { resolveActor } from '../modules/auth/service.js';
import { SESSION_COOKIE, bearerOf } from '../http/auth.js';
import { visibleWorkspaceIds } from '../modules/workspaces/access.js';
import { chatRoom, workspaceRoom, type Realtime } from './index.js';

export interface SocketServerDeps {
  db: Db;
  log: Logger;
  redisUrl?: string;
  /** Messages of a chat after a message id, shaped for the given side. */
  missedMessages(chatId: string, afterId: string, side: 'visitor' | 'staff'): Promise<unknown[]>;
}

export interface RealtimeServer extends Realtime {
  io: Server;
  close(): Promise<void>;
}

interface SocketData { actor: Actor; chatIds: Set<string>; workspaceIds: Set<string> }

export async function createSocketServer(httpServer: HttpServer, deps: SocketServerDeps): Promise<RealtimeServer> {
  const io = new Server(httpServer, { path: '/socket.io', serveClient: false, maxHttpBufferSize: 64 * 1024 });
  const redisClients: Redis[] = [];
  if (deps.redisUrl) {
    const pub = new Redis(deps.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    const sub = pub.duplicate();
    // ioredis reconnects by itself; without a listener every outage would print an "unhandled error event".
    for (const c of [pub, sub]) c.on('error', (err) => deps.log.warn({ err: err.message }, 'redis connection problem'));
    await Promise.all([pub.connect(), sub.connect()]);
    redisClients.push(pub, sub);
    io.adapter(createAdapter(pub, sub, { key: 'parley' }));
  }

  io.use(async (socket, next) => {
    try {
      const auth = (socket.handshake.auth ?? {}) as { token?: string };
      const cookies = fastifyCookie.parse(socket.handshake.headers.cookie ?? '');
      const bearer = auth.token ?? bearerOf(socket.handshake.headers.authorization);
      const actor = await resolveActor(deps.db, { bearer, sessionToken: bearer ? undefined : cookies[SESSION_COOKIE] });
      if (!actor) return next(new Error('UNAUTHENTICATED'));
      const data: SocketData = { actor, chatIds: new Set(), workspaceIds: new Set() };
      if (actor.kind === 'visitor') {
        const chats = await deps.db.selectFrom('chats').select('id').where('visitor_id', '=', actor.visitorId).execute();
        chats.forEach((c) => data.chatIds.add(c.id));
      } else {
        (await visibleWorkspaceIds(deps.db, actor)).forEach((id) => data.workspaceIds.add(id));
      }
      socket.data = data;
      next();
    } catch (err) {
      deps.log.warn({ err }, 'socket auth failed');
      next(new Error('UNAVAILABLE'));
    }
  });

  io.on('connection', async (socket: Socket) => {
    const data = socket.data as SocketData;
    for (const id of data.chatIds) socket.join(chatRoom(id));
    for (const id of data.workspaceIds) socket.join(workspaceRoom(id));

    const canSeeChat = async (chatId: unknown): Promise<{ id: string; workspace_id: string } | undefined> => {
      if (typeof chatId !== 'string') return undefined;
      const chat = await deps.db.selectFrom('chats').select(['id', 'workspace_id', 'visitor_id']).where('id', '=', chatId).executeTakeFirst();
      if (!chat) return undefined;
      if (data.actor.kind === 'visitor') return chat.visitor_id === data.actor.visitorId ? chat : undefined;
      return data.workspaceIds.has(chat.workspace_id) ? chat : undefined;
    };

    // A visitor that reconnects with the id of the last message it saw gets everything after it.
    const lastMessageId = (socket.handshake.auth as { lastMessageId?: unknown })?.lastMessageId;
    if (data.actor.kind === 'visitor' && typeof lastMessageId === 'string') {
      const msg = await deps.db.selectFrom('messages').select('chat_id').where('id', '=', lastMessageId).executeTakeFirst();
      if (msg && data.chatIds.has(msg.chat_id)) {
        for (const message of await deps.missedMessages(msg.chat_id, lastMessageId, 'visitor')) socket.emit('message.created', { message });
      }
    }

    socket.on('sync', async (payload: { chatId?: unknown; after?: unknown }, ack?: (r: unknown) => void) => {
      const chat = await canSeeChat(payload?.chatId);
      if (!chat || typeof payload.after !== 'string' || typeof ack !== 'function') return ack?.({ error: { code: 'NOT_FOUND' } });
      ack({ messages: await deps.missedMessages(chat.id, payload.after, data.actor.kind === 'visitor' ? 'visitor' : 'staff') });
    });

    socket.on('typing', async (payload: { chatId?: unknown }) => {
      const chat = await canSeeChat(payload?.chatId);
      if (!chat) return;
      if (data.actor.kind === 'visitor') socket.to(workspaceRoom(chat.workspace_id)).emit('typing', { chatId: chat.id, role: 'visitor' });
      else socket.to(chatRoom(chat.id)).emit('typing', { chatId: chat.id, role: 'agent' });
    });
  });

  return {
    io,
    toChatVisitor: (chatId, event, payload) => { io.to(chatRoom(chatId)).emit(event, payload); },
    toWorkspaceAgents: (workspaceId, event, payload) => { io.to(workspaceRoom(workspaceId)).emit(event, payload); },
    async close() {
      // Only this node's sockets: with the Redis adapter io.disconnectSockets() would drop every node's clients.
      io.local.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await Promise.all(redisClients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
