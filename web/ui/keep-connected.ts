// Socket.IO retries dropped connections by itself, but not a handshake the server refused (e.g. its database was
// briefly unavailable) nor a disconnect the server sent (e.g. a node shutting down): this retries those too, with a
// growing delay. It gives up only when the server says the credentials are no longer valid.
import type { ParleySocket as Socket } from './wire.js';

const DELAYS_MS = [300, 1000, 2000, 5000, 10000];

export function keepConnected(socket: Socket): Socket {
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closedByUs = false;
  const retry = () => {
    if (closedByUs) return;
    clearTimeout(timer);
    timer = setTimeout(() => socket.connect(), DELAYS_MS[Math.min(attempt++, DELAYS_MS.length - 1)]);
  };
  socket.on('connect', () => {
    attempt = 0;
  });
  socket.on('connect_error', (err) => {
    // socket.active: a transport failure the built-in reconnection is already handling.
    if (!socket.active && err.message !== 'UNAUTHENTICATED') retry();
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') retry();
  });
  const disconnect = socket.disconnect.bind(socket);
  socket.disconnect = () => {
    closedByUs = true;
    clearTimeout(timer);
    return disconnect();
  };
  const connect = socket.connect.bind(socket);
  socket.connect = () => {
    closedByUs = false;
    return connect();
  };
  return socket;
}
