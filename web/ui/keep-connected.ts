// Socket.IO retries dropped connections by itself, but not a handshake the server refused (e.g. its database was
// briefly unavailable): this retries those too, with a growing delay, until the socket is closed on purpose.
import type { Socket } from 'socket.io-client';

const DELAYS_MS = [500, 1000, 2000, 5000, 10000];

export function keepConnected(socket: Socket): Socket {
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  socket.on('connect', () => {
    attempt = 0;
  });
  socket.on('connect_error', () => {
    if (socket.active) return; // a transport failure: the built-in reconnection is already on it
    clearTimeout(timer);
    timer = setTimeout(() => socket.connect(), DELAYS_MS[Math.min(attempt++, DELAYS_MS.length - 1)]);
  });
  const disconnect = socket.disconnect.bind(socket);
  socket.disconnect = () => {
    clearTimeout(timer);
    return disconnect();
  };
  return socket;
}
