// The domain events: what happened, named once, with its payload. Services emit after their transaction commits;
// modules declare what they listen to in their module entry (modules/index.ts), wired once by app.ts. The bus is
// in-process: an event is a nudge to this node, never the record of truth (work that must survive is a durable job).
import type { Logger } from 'pino';
import type { DeliveryKind } from './db/types.js';
import { untallied } from './db/statements.js';

export interface DomainEvents {
  /**
   * A visitor's new chat was committed (the bot starts it). Emitted just after the session's answer, and again by a
   * visitor's read or write that finds the chat not yet started: listeners must be idempotent.
   */
  'chat.created': { chatId: string; workspaceId: string };
  /** A person's text message was committed (the bot answers visitors while it has the chat). */
  'message.created': {
    chatId: string;
    workspaceId: string;
    messageId: string;
    authorRole: 'visitor' | 'agent';
    /** The chat's status when the message was written (a chat never returns to the bot once it has left it). */
    chatStatus: 'bot' | 'waiting' | 'open' | 'closed';
  };
  /** PostgreSQL: `size` visitors' messages posted at the same time were inserted by one statement (chats/gather.ts). */
  'messages.gathered': { size: number };
  /** Files were committed with their message and announced. */
  'files.accepted': { chatId: string; workspaceId: string; messageId: string; fileIds: string[] };
  /**
   * A resumable upload became a File. `bytesRead`: what its commit read back from the upload store (only the head,
   * for the magic bytes, when the node hashed every byte as it arrived; every byte otherwise).
   */
  'upload.committed': { uploadId: string; fileId: string; size: number; bytesRead: number };
  /** Files answering a bot's upload request were committed. */
  'upload-request.answered': { chatId: string; requestId: string };
  /** New or re-queued deliveries were committed (wakes the delivery worker instead of waiting for its poll). */
  'deliveries.queued': { workspaceId: string };
  /** A delivery attempt finished and its outcome was recorded (status: what the delivery is now). */
  'delivery.attempted': {
    workspaceId: string;
    deliveryId: string;
    kind: DeliveryKind;
    outcome: 'succeeded' | 'failed';
    status: 'pending' | 'succeeded' | 'failed' | 'dead';
    seconds: number;
  };
}

export type EventName = keyof DomainEvents;
export type Listener<K extends EventName> = (payload: DomainEvents[K]) => Promise<void> | void;

export interface EventBus {
  /**
   * Runs every listener of `name` in the order they were added and resolves when all are done. A listener that
   * throws is logged and does not stop the others or fail the emitter: the emitter's own work is already committed.
   */
  emit<K extends EventName>(name: K, payload: DomainEvents[K]): Promise<void>;
  /** Emits once the current work has answered (next turn of the event loop): work the caller need not wait for. */
  emitLater<K extends EventName>(name: K, payload: DomainEvents[K]): void;
  /** Resolves when every emitLater() made so far has run its listeners (the app's idle() waits for it). */
  settled(): Promise<void>;
  /** Whether an emitLater() has listeners still to run. */
  readonly busy: boolean;
  on<K extends EventName>(name: K, listener: Listener<K>): void;
}

export function createEventBus(log: Logger): EventBus {
  const listeners = new Map<EventName, Listener<never>[]>();
  const later = new Set<Promise<void>>();
  async function emit<K extends EventName>(name: K, payload: DomainEvents[K]): Promise<void> {
    for (const listener of listeners.get(name) ?? []) {
      try {
        await (listener as Listener<K>)(payload);
      } catch (err) {
        log.error({ err, event: name, payload: payload as object }, 'an event listener failed');
      }
    }
  }
  return {
    on(name, listener) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener as Listener<never>]);
    },
    emit,
    emitLater(name, payload) {
      // Outside the caller's statement tally: the listeners run after its answer, even when the loop reaches them
      // before the answer is sent (under load the bot's greeting was counted into the widget session's statements).
      const run = untallied(() =>
        new Promise<void>((resolve) => setImmediate(resolve)).then(() => emit(name, payload)),
      );
      later.add(run);
      void run.finally(() => later.delete(run));
    },
    async settled() {
      while (later.size > 0) await Promise.all([...later]);
    },
    get busy() {
      return later.size > 0;
    },
  };
}

/** Waits until the bus and the workers are both quiet: a job may emit events whose listeners queue more jobs. */
export async function untilQuiet(events: EventBus, workers: { idle?(): Promise<void> }): Promise<void> {
  do {
    await events.settled();
    await workers.idle?.();
  } while (events.busy);
}
