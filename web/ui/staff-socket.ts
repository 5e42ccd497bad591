// The agents' Socket.IO connection: authenticated by the session cookie, it carries events of all their workspaces.
import { io, type Socket } from 'socket.io-client';

export function connectStaffSocket(): Socket {
  return io({ path: '/socket.io', withCredentials: true, auth: {} });
}
