// The explicit dependencies every service receives; app.ts builds them from Config in one place.
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Db, Dialect } from './db/index.js';
import type { BlobStore } from './storage/index.js';
import type { Realtime } from './realtime/index.js';
import type { Keyring } from './keyring.js';

export interface Hooks {
  /** Called after a new chat is committed (the bot starts it). */
  chatCreated(chatId: string): Promise<void>;
  /** Called after a visitor's text message is committed while the chat is with the bot. */
  visitorMessage(chatId: string, messageId: string): Promise<void>;
  /** Called after files answering a bot upload request are committed. */
  requestAnswered(chatId: string, requestId: string): Promise<void>;
  /** Files were committed and announced (thumbnails are made after this, off the request path). */
  filesAccepted(fileIds: string[], messageId: string): void;
  /** Wakes the delivery worker after new deliveries are committed. */
  deliveriesQueued(): void;
}

export interface Deps {
  config: Config;
  db: Db;
  dialect: Dialect;
  storage: BlobStore;
  realtime: Realtime;
  keyring: Keyring;
  log: Logger;
  hooks: Hooks;
}
