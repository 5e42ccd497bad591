// The bot module: registers its routes, answers the chat hooks (chat created, visitor wrote, requested file
// arrived) and returns the timeout worker. A failing bot never fails the visitor's own request: it is logged.
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import type { Workers } from '../index.js';
import { botRoutes } from './routes.js';
import { onChatCreated, onRequestAnswered, onVisitorMessage } from './runtime.js';
import { createTimeoutWorker } from './timeout-worker.js';

export async function registerBot(app: App, deps: Deps): Promise<Workers> {
  await botRoutes(app, deps);
  const guard = (what: string, work: () => Promise<void>, ids: Record<string, string>) =>
    work().catch((err) => deps.log.error({ err, ...ids }, `bot could not handle ${what}`));
  deps.hooks.chatCreated = (chatId) => guard('a new chat', () => onChatCreated(deps, chatId), { chatId });
  deps.hooks.visitorMessage = (chatId, messageId) => guard('a visitor message', () => onVisitorMessage(deps, chatId, messageId), { chatId, messageId });
  deps.hooks.requestAnswered = (chatId, requestId) => guard('an answered request', () => onRequestAnswered(deps, chatId, requestId), { chatId, requestId });
  return createTimeoutWorker(deps);
}
