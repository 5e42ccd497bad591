// Real Socket.IO clients for tests, and a way to wait for an event that matches (never a fixed sleep).
import { io, type Socket } from 'socket.io-client';

export async function connect(
  url: string,
  auth: Record<string, unknown>,
  extraHeaders?: Record<string, string>,
  beforeConnect?: (s: Socket) => void,
): Promise<Socket> {
  const socket = io(url, {
    path: '/socket.io',
    auth,
    extraHeaders,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  beforeConnect?.(socket);
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

/** Collects every payload of `event` from the moment of the call; `next(pred)` resolves with the first that matches. */
export function collect<T = any>(socket: Socket, event: string) {
  const seen: T[] = [];
  const waiters: { pred: (p: T) => boolean; resolve: (p: T) => void }[] = [];
  socket.on(event, (payload: T) => {
    seen.push(payload);
    for (const w of [...waiters])
      if (w.pred(payload)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(payload);
      }
  });
  return {
    seen,
    next(pred: (p: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
      const found = seen.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise<T>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
        waiters.push({
          pred,
          resolve: (p) => {
            clearTimeout(t);
            resolve(p);
          },
        });
      });
    },
  };
}
