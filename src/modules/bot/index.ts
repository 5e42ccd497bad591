// The bot module: its routes, the chat events it answers (a chat starts, the visitor writes, a requested file
// arrives) and its upload timeouts (durable jobs). A failing bot never fails the visitor's own request: the bus logs the error.
import type { Module } from '../index.js';
import { botRoutes } from './routes.js';
import { onChatCreated, onRequestAnswered, onVisitorMessage } from './runtime.js';
import { onUploadTimeout } from './upload-timeout.js';
import { onUploadsOff } from './uploads-off.js';

export const botModule: Module = (deps) => ({
  name: 'bot',
  routes: (app) => botRoutes(app, deps),
  on: {
    'chat.created': (e) => onChatCreated(deps, e.chatId),
    // Only a chat with the bot: the others cost no statement (a chat never returns to the bot).
    'message.created': (e) =>
      e.authorRole === 'visitor' && e.chatStatus === 'bot' ? onVisitorMessage(deps, e.chatId, e.messageId) : undefined,
    'upload-request.answered': (e) => onRequestAnswered(deps, e.chatId, e.requestId),
  },
  jobs: {
    'bot.upload_timeout': { run: (payload) => onUploadTimeout(deps, payload) },
    'bot.uploads_off': { run: ({ workspaceId }) => onUploadsOff(deps, workspaceId) },
  },
});
