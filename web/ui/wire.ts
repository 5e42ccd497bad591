// The browser's side of the Socket.IO events: the server's event maps (src/realtime/wire.ts, imported as types only,
// so nothing of the server is bundled) filled with the web's API shapes. A renamed or reshaped event on either side
// fails `tsc`.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/realtime/wire.js';
import type { Chat, Delivery, Message } from './types.js';

export type WebShapes = { Message: Message; Chat: Chat; Delivery: Delivery };
export type ParleySocket = Socket<ServerToClientEvents<WebShapes>, ClientToServerEvents<WebShapes>>;
