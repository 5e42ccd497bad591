// Registers the feature modules that bring routes and background workers (files, settings, integrations,
// deliveries, bot). Core routes (auth, workspaces, chats) are registered by app.ts itself.
import type { Deps } from '../deps.js';
import type { App } from '../http/types.js';
import { filesRoutes } from './files/routes.js';
import { settingsRoutes } from './settings/routes.js';
import { integrationsRoutes } from './integrations/routes.js';
import { deliveriesRoutes } from './deliveries/routes.js';
import { createDeliveryWorker } from './deliveries/worker.js';
import { registerBot } from './bot/index.js';
import { createThumbnailQueue } from './files/thumbnail-queue.js';

export interface Workers {
  start(): void;
  stop(): Promise<void>;
  /** Resolves when background work queued so far is done (tests and graceful tooling use it). */
  idle?(): Promise<void>;
}

export async function extraModules(app: App, deps: Deps): Promise<Workers> {
  await filesRoutes(app, deps);
  await settingsRoutes(app, deps);
  await integrationsRoutes(app, deps);
  await deliveriesRoutes(app, deps);
  const workers: Workers[] = [];
  const deliveryWorker = createDeliveryWorker(deps);
  deps.hooks.deliveriesQueued = () => deliveryWorker.wake();
  workers.push(deliveryWorker);
  const thumbnails = createThumbnailQueue(deps);
  deps.hooks.filesAccepted = (fileIds, messageId) => thumbnails.enqueue(fileIds, messageId);
  workers.push(thumbnails);
  workers.push(await registerBot(app, deps));
  return {
    start: () => workers.forEach((w) => w.start()),
    stop: async () => { await Promise.all(workers.map((w) => w.stop())); },
    idle: async () => { await Promise.all(workers.map((w) => w.idle?.())); },
  };
}
