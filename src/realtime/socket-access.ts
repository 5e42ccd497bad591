// Who a socket is and which rooms it may be in: decided at the handshake and decided again whenever that access
// changes (accessChanged, heard on every node through the adapter) or its session expires. Rooms are a socket's only
// permission — emits go to rooms, and sync/typing check the socket's current rooms — so leaving a room is losing it.
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from './wire.js';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Actor } from '../modules/auth/actor.js';
import { resolveActor } from '../modules/auth/service.js';
import { chatsRepo } from '../modules/chats/repo.js';
import { visibleWorkspaceIds } from '../modules/workspaces/access.js';
import { chatRoom, workspaceRoom, type AccessChange } from './index.js';

/** The credential the socket connected with, kept to check it again later. */
export interface Credential {
  bearer?: string;
  sessionToken?: string;
}

export interface SocketData {
  cred: Credential;
  actor: Actor;
  /** The rooms decided at the handshake (joined once connected). */
  rooms: Set<string>;
  /** The recheck generation when the handshake began (see `connected`). */
  generation: number;
  expiryTimer?: NodeJS.Timeout;
}

/** Socket.IO typed with the wire's event maps (wire.ts) and our per-socket data. */
export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const ACCESS_CHANGED = 'parley:access-changed' as const;
// setTimeout's limit; a later expiry is rechecked then (and again, until it is due).
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The room every socket of one identity is in, so a change reaches exactly those sockets. */
export function identityRoom(change: AccessChange): string {
  if ('userId' in change) return `user:${change.userId}`;
  if ('tokenId' in change) return `token:${change.tokenId}`;
  if ('visitorId' in change) return `visitor:${change.visitorId}`;
  return 'owners';
}

async function roomsFor(db: Db, actor: Actor): Promise<Set<string>> {
  const rooms = new Set<string>();
  if (actor.kind === 'visitor') {
    rooms.add(identityRoom({ visitorId: actor.visitorId }));
    for (const id of await chatsRepo.chatIdsOfVisitor(db, actor.visitorId)) rooms.add(chatRoom(id));
    return rooms;
  }
  rooms.add(actor.kind === 'user' ? identityRoom({ userId: actor.userId }) : identityRoom({ tokenId: actor.tokenId }));
  if (actor.kind === 'user' && actor.isOwner) rooms.add(identityRoom({ owners: true }));
  for (const id of await visibleWorkspaceIds(db, actor)) rooms.add(workspaceRoom(id));
  return rooms;
}

const sameIdentity = (a: Actor, b: Actor) =>
  a.kind === b.kind &&
  (a.kind === 'user'
    ? a.userId === (b as typeof a).userId
    : a.kind === 'token'
      ? a.tokenId === (b as typeof a).tokenId
      : a.visitorId === (b as typeof a).visitorId);

/** `multiNode`: an adapter links the nodes (Redis); the in-process adapter has no other nodes to tell. */
export function socketAccess(
  io: ParleyServer,
  deps: { db: Db; log: Logger; multiNode: boolean; recheckEveryMs: number },
) {
  // Bumped by every access change this node hears: a handshake that was resolving meanwhile is checked again.
  let generation = 0;
  const recentChanges = new Map<string, number>();

  /** Puts the socket in exactly these rooms (and no other). */
  const enter = (socket: ParleySocket, rooms: Set<string>) => {
    for (const room of socket.rooms) if (room !== socket.id && !rooms.has(room)) socket.leave(room);
    socket.join([...rooms]);
    scheduleExpiry(socket);
  };

  /** The socket's access now: moved into the rooms its actor may see, or cut when the credential no longer holds. */
  const apply = async (socket: ParleySocket, actor: Actor | undefined): Promise<void> => {
    const data = socket.data as SocketData;
    if (!actor || !sameIdentity(actor, data.actor)) {
      // Signed out, expired or revoked: a server-side disconnect, which clients do not retry by themselves.
      socket.disconnect(true);
      return;
    }
    const rooms = await roomsFor(deps.db, actor);
    if (!socket.connected) return;
    data.actor = actor;
    enter(socket, rooms);
  };

  const recheck = async (socket: ParleySocket): Promise<void> => {
    try {
      await apply(socket, await resolveActor(deps.db, (socket.data as SocketData).cred));
    } catch (err) {
      // Cannot tell (the database is down): fail closed but recoverable — the client reconnects and is asked again.
      deps.log.warn({ err }, 'socket access could not be rechecked; dropping its connection');
      socket.conn.close();
    }
  };

  const scheduleExpiry = (socket: ParleySocket) => {
    const data = socket.data as SocketData;
    clearTimeout(data.expiryTimer);
    const expiresAt = data.actor.kind === 'user' ? data.actor.sessionExpiresAt : undefined;
    if (!expiresAt) return;
    const ms = Math.min(Math.max(0, Date.parse(expiresAt) - Date.now()) + 1000, MAX_TIMER_MS);
    data.expiryTimer = setTimeout(() => void recheck(socket), ms);
    data.expiryTimer.unref();
  };

  const recheckLocal = (room: string) => {
    generation += 1;
    recentChanges.set(room, generation);
    if (recentChanges.size > 10_000) recentChanges.delete(recentChanges.keys().next().value as string);
    const ids = io.of('/').adapter.rooms.get(room);
    for (const id of ids ?? []) {
      const socket = io.of('/').sockets.get(id);
      if (socket) void recheck(socket);
    }
  };
  io.on(ACCESS_CHANGED, (room: string) => {
    if (typeof room === 'string') recheckLocal(room);
  });
  // Changes made outside a running node (the `parley reset-password` command, an operator's SQL) announce nothing:
  // every socket is checked again this often, one after another.
  const sweep = setInterval(async () => {
    for (const socket of [...io.of('/').sockets.values()]) {
      if (socket.connected) await recheck(socket);
    }
  }, deps.recheckEveryMs);
  sweep.unref();

  return {
    stop: () => clearInterval(sweep),
    /** Handshake: the actor of the credential and its rooms, or undefined. */
    async authenticate(cred: Credential): Promise<SocketData | undefined> {
      const started = generation;
      const actor = await resolveActor(deps.db, cred);
      if (!actor) return undefined;
      return { cred, actor, rooms: await roomsFor(deps.db, actor), generation: started };
    },
    /** Connected: joins the socket's rooms, and checks it again if its access changed while it was connecting. */
    connected(socket: ParleySocket): void {
      const data = socket.data as SocketData;
      socket.on('disconnect', () => clearTimeout(data.expiryTimer));
      enter(socket, data.rooms);
      if ([...data.rooms].some((room) => (recentChanges.get(room) ?? 0) > data.generation)) void recheck(socket);
    },
    /** After a committed change: every node rechecks its sockets of that identity. */
    changed(change: AccessChange) {
      const room = identityRoom(change);
      recheckLocal(room);
      if (!deps.multiNode) return;
      try {
        io.serverSideEmit(ACCESS_CHANGED, room);
      } catch (err) {
        deps.log.error({ err }, 'an access change could not be sent to the other nodes');
      }
    },
  };
}
