// The domain events: what happened, named once, with its payload. Services emit after their transaction commits;
// modules declare what they listen to in their module entry (modules/index.ts), wired once by app.ts. The bus is
// in-process: an event is a nudge to this node, never the record of truth (work that must survive is a durable job).
import type { Logger } from 'pino';

export interface DomainEvents {
  /** A visitor's new chat was committed (the bot starts it). */
  'chat.created': { chatId: string; workspaceId: string };
  /** A person's text message was committed (the bot answers visitors while it has the chat). */
  'message.created': { chatId: string; workspaceId: string; messageId: string; authorRole: 'visitor' | 'agent' };
  /** Files were committed with their message and announced. */
  'files.accepted': { chatId: string; workspaceId: string; messageId: string; fileIds: string[] };
  /** Files answering a bot's upload request were committed. */
  'upload-request.answered': { chatId: string; requestId: string };
  /** New or re-queued deliveries were committed (wakes the delivery worker instead of waiting for its poll). */
  'deliveries.queued': { workspaceId: string };
}

export type EventName = keyof DomainEvents;
export type Listener<K extends EventName> = (payload: DomainEvents[K]) => Promise<void> | void;

export interface EventBus {
  /**
   * Runs every listener of `name` in the order they were added and resolves when all are done. A listener that
   * throws is logged and does not stop the others or fail the emitter: the emitter's own work is already committed.
   */
  emit<K extends EventName>(name: K, payload: DomainEvents[K]): Promise<void>;
  on<K extends EventName>(name: K, listener: Listener<K>): void;
}

export function createEventBus(log: Logger): EventBus {
  const listeners = new Map<EventName, Listener<never>[]>();
  return {
    on(name, listener) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener as Listener<never>]);
    },
    async emit(name, payload) {
      for (const listener of listeners.get(name) ?? []) {
        try {
          await (listener as Listener<typeof name>)(payload);
        } catch (err) {
          log.error({ err, event: name, payload: payload as object }, 'an event listener failed');
        }
      }
    },
  };
}
