// The agents' Socket.IO connection: authenticated by the session cookie, it carries events of all their workspaces.
import { io } from 'socket.io-client';
import type { ParleySocket as Socket } from './wire.js';
import { keepConnected } from './keep-connected.js';

export function connectStaffSocket(): Socket {
  return keepConnected(io({ path: '/socket.io', withCredentials: true, auth: {} }));
}
