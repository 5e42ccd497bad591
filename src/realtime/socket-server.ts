// Socket.IO on the HTTP server: authenticates each socket, puts it in its rooms, relays typing, and replays what a
// reconnecting client missed. With REDIS_URL the Redis adapter carries emits between nodes; otherwise in-process.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { fastifyCookie } from '@fastify/cookie';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { SESSION_COOKIE, bearerOf } from '../http/auth.js';
import { fromOwnOrigin } from '../http/csrf.js';
import { clientAddress, type TrustFn } from '../http/client-address.js';
import { chatsRepo } from '../modules/chats/repo.js';
import { chatRoom, workspaceRoom, type Realtime } from './index.js';
import { type ParleyServer, type ParleySocket, type SocketData, socketAccess } from './socket-access.js';
import { SYNC_COST, type SocketLimits, clientSockets, eventBudget, handshakeGuard } from './socket-limits.js';
import type { RedisLink } from './redis-link.js';
import type { ServerEvent, ServerPayload, SyncAnswer } from './wire.js';

export interface SocketServerDeps {
  db: Db;
  log: Logger;
  redisUrl?: string;
  limits: SocketLimits;
  /** Parley's own origin: a socket signed in by cookie must be opened from it. */
  publicUrl: string;
  /** PARLEY_TRUST_PROXY, read once for HTTP requests and sockets (http/client-address.ts). */
  trustProxy: TrustFn;
  /** Messages of a chat after a message id, shaped for the given side. */
  missedMessages(chatId: string, afterId: string, side: 'visitor' | 'staff'): Promise<unknown[] | undefined>;
}

export interface RealtimeServer extends Realtime {
  io: ParleyServer;
  /** undefined without Redis; otherwise whether the link to the other nodes is up (readiness). */
  redisReady(): boolean | undefined;
  close(): Promise<void>;
}

const CATCH_UP = 'parley:catch-up' as const;

export async function createSocketServer(httpServer: HttpServer, deps: SocketServerDeps): Promise<RealtimeServer> {
  // Clients send only typing and sync (a few ids): a larger frame is abuse and closes the connection.
  const io: ParleyServer = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 8 * 1024,
  });
  // Events published while Redis was down never reached this node's clients (or, when this node's publishes
  // failed, the other nodes' clients). Dropping the transport (not a server disconnect, which clients do not retry
  // by themselves) makes them reconnect at once and catch up: visitors with lastMessageId, agents by refetching.
  const catchUp = (why: string) => {
    const sockets = [...io.of('/').sockets.values()];
    deps.log.warn({ sockets: sockets.length, why }, 'reconnecting local sockets so they catch up');
    for (const socket of sockets) socket.conn.close();
  };
  let redis: RedisLink | undefined;
  if (deps.redisUrl) {
    // Loaded only when configured: the embedded default never pays for the Redis client's memory.
    const [{ connectRedisLink }, { createAdapter }] = await Promise.all([
      import('./redis-link.js'),
      import('@socket.io/redis-adapter'),
    ]);
    redis = await connectRedisLink(deps.redisUrl, deps.log, ({ publishesLost }) => {
      catchUp('redis came back');
      if (publishesLost > 0) io.serverSideEmit(CATCH_UP);
    });
    io.adapter(createAdapter(redis.pub, redis.sub, { key: 'parley' }));
    io.on(CATCH_UP, () => catchUp('another node lost events while redis was down'));
  }
  /** Emits never throw into the code that committed something: realtime is a nudge, the database is the truth. */
  const safely = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      deps.log.error({ err }, 'realtime emit failed');
    }
  };

  const trustedOrigin = new URL(deps.publicUrl).origin;
  const access = socketAccess(io, {
    db: deps.db,
    log: deps.log,
    multiNode: !!redis,
    recheckEveryMs: deps.limits.recheckEveryMs,
  });
  const guard = handshakeGuard(deps.limits.failedHandshakesPerMinute);
  const perClient = clientSockets(deps.limits.socketsPerClient);
  const clientOf = (actor: SocketData['actor']) =>
    actor.kind === 'visitor'
      ? `v:${actor.visitorId}`
      : actor.kind === 'user'
        ? `u:${actor.userId}`
        : `t:${actor.tokenId}`;
  io.use(async (socket, next) => {
    // As Fastify's request.ip has it, so a client cannot forge its way past the limiter.
    const address = clientAddress(socket.request, deps.trustProxy);
    if (!guard.allowed(address)) return next(new Error('RATE_LIMITED'));
    try {
      const auth = (socket.handshake.auth ?? {}) as { token?: unknown };
      const cookies = fastifyCookie.parse(socket.handshake.headers.cookie ?? '');
      const bearer =
        (typeof auth.token === 'string' ? auth.token : undefined) ?? bearerOf(socket.handshake.headers.authorization);
      const sessionToken = bearer ? undefined : cookies[SESSION_COOKIE];
      // A page of another site (a sibling port or subdomain gets the cookie too) must not read an agent's chats.
      if (sessionToken && !fromOwnOrigin(socket.handshake.headers, socket.handshake.secure, trustedOrigin))
        return next(new Error('CROSS_SITE_REQUEST'));
      const data = await access.authenticate({ bearer, sessionToken });
      if (!data) {
        guard.failed(address);
        return next(new Error('UNAUTHENTICATED'));
      }
      if (!perClient.hasRoom(clientOf(data.actor))) return next(new Error('RATE_LIMITED'));
      socket.data = data;
      next();
    } catch (err) {
      deps.log.warn({ err }, 'socket auth failed');
      next(new Error('UNAVAILABLE'));
    }
  });

  io.on('connection', (socket: ParleySocket) => {
    const data = socket.data as SocketData;
    // Handshakes of one client that ran side by side all found room: the ones past the cap are closed here.
    const client = clientOf(data.actor);
    if (!perClient.take(client)) {
      socket.disconnect(true);
      return;
    }
    socket.on('disconnect', () => perClient.release(client));
    access.connected(socket);
    // Every client event spends from the socket's budget before any handler runs; a flood is cut.
    const budget = eventBudget(deps.limits);
    socket.use((packet, next) => {
      const verdict = budget.spend(packet[0] === 'sync' ? SYNC_COST : 1);
      if (verdict === 'ok') return next();
      if (verdict === 'cut') {
        deps.log.warn({ actor: data.actor.kind, ip: socket.handshake.address }, 'socket cut for flooding');
        socket.disconnect(true);
        return;
      }
      const ack = packet.length > 1 ? packet.at(-1) : undefined;
      if (typeof ack === 'function') ack({ error: { code: 'RATE_LIMITED' } });
    });
    // A chat's workspace never changes: looked up once per socket. Whether the socket may see it is its rooms now.
    const workspaceOfChat = new Map<string, string>();
    const visibleChat = async (chatId: unknown): Promise<{ id: string; workspaceId: string } | undefined> => {
      if (typeof chatId !== 'string' || chatId.length > 64) return undefined;
      if (data.actor.kind === 'visitor')
        return socket.rooms.has(chatRoom(chatId)) ? { id: chatId, workspaceId: data.actor.workspaceId } : undefined;
      let workspaceId = workspaceOfChat.get(chatId);
      if (!workspaceId) {
        workspaceId = (await chatsRepo.chatById(deps.db, chatId))?.workspace_id;
        if (!workspaceId) return undefined;
        if (workspaceOfChat.size >= 1000) workspaceOfChat.clear();
        workspaceOfChat.set(chatId, workspaceId);
      }
      return socket.rooms.has(workspaceRoom(workspaceId)) ? { id: chatId, workspaceId } : undefined;
    };
    const side = () => (data.actor.kind === 'visitor' ? 'visitor' : 'staff');

    socket.on('sync', async (payload: { chatId?: unknown; after?: unknown }, ack?: (answer: SyncAnswer) => void) => {
      if (typeof payload === 'function') return (payload as (r: unknown) => void)({ error: { code: 'NOT_FOUND' } });
      if (typeof ack !== 'function') return;
      try {
        const chat = await visibleChat(payload?.chatId);
        if (!chat || typeof payload.after !== 'string' || payload.after.length > 64)
          return ack({ error: { code: 'NOT_FOUND' } });
        const messages = await deps.missedMessages(chat.id, payload.after, side());
        // Access may have been cut while the messages were read.
        if (!(await visibleChat(chat.id))) return ack({ error: { code: 'NOT_FOUND' } });
        // An id that is no message of this chat: refused as over HTTP, never "everything from the start".
        if (!messages) return ack({ error: { code: 'BAD_REQUEST', fields: { after: 'Not a message of this chat' } } });
        ack({ messages });
      } catch (err) {
        deps.log.warn({ err }, 'socket sync failed');
        ack({ error: { code: 'UNAVAILABLE' } });
      }
    });

    socket.on('typing', async (payload: { chatId?: unknown }) => {
      const chat = await visibleChat(payload?.chatId).catch(() => undefined);
      if (!chat || !budget.relayTyping(chat.id)) return;
      if (data.actor.kind === 'visitor')
        socket.to(workspaceRoom(chat.workspaceId)).emit('typing', { chatId: chat.id, role: 'visitor' });
      else socket.to(chatRoom(chat.id)).emit('typing', { chatId: chat.id, role: 'agent' });
    });

    // A visitor that reconnects with the id of the last message it saw gets everything after it.
    const lastMessageId = (socket.handshake.auth as { lastMessageId?: unknown })?.lastMessageId;
    if (data.actor.kind === 'visitor' && typeof lastMessageId === 'string' && lastMessageId.length <= 64)
      void replayMissed(lastMessageId).catch((err) => deps.log.warn({ err }, 'socket replay failed'));
    async function replayMissed(afterId: string) {
      const msg = await chatsRepo.messageById(deps.db, afterId);
      if (!msg || !socket.rooms.has(chatRoom(msg.chat_id))) return;
      for (const message of (await deps.missedMessages(msg.chat_id, afterId, 'visitor')) ?? [])
        socket.emit('message.created', { message });
    }
  });

  /** The port's emits are typed by wire.ts; Socket.IO's own typing cannot follow a generic event name. */
  const roomEmit = <E extends ServerEvent>(room: string, event: E, payload: ServerPayload<E>) =>
    (io.to(room) as unknown as { emit(event: string, payload: unknown): boolean }).emit(event, payload);

  return {
    io,
    toChatVisitor: (chatId, event, payload) => safely(() => roomEmit(chatRoom(chatId), event, payload)),
    toWorkspaceAgents: (workspaceId, event, payload) =>
      safely(() => roomEmit(workspaceRoom(workspaceId), event, payload)),
    // With the Redis adapter this reaches the sockets of the room on every node.
    disconnectChat: (chatId) => safely(() => io.in(chatRoom(chatId)).disconnectSockets(true)),
    accessChanged: (change) => safely(() => access.changed(change)),
    redisReady: () => redis?.ready(),
    async close() {
      // Only this node's sockets: with the Redis adapter io.disconnectSockets() would drop every node's clients.
      access.stop();
      io.local.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await redis?.close();
    },
  };
}
