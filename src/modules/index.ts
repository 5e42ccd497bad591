// The one list of Parley's modules. Each is built from the app's dependencies and brings what it has: HTTP routes,
// the domain events it listens to, handlers for durable job kinds, and workers of its own. app.ts wires the list once; nothing else registers
// routes or listeners, so this file answers "who listens to what" at a glance.
import type { Deps } from '../deps.js';
import type { DomainEvents, EventBus, EventName } from '../events.js';
import type { App } from '../http/types.js';
import type { JobHandlers } from '../jobs/index.js';
import type { JobRunner } from '../jobs/runner.js';
import { authRoutes } from './auth/routes.js';
import { workspacesRoutes } from './workspaces/routes.js';
import { chatsRoutes } from './chats/routes.js';
import { settingsRoutes } from './settings/routes.js';
import { integrationsRoutes } from './integrations/routes.js';
import { filesModule } from './files/index.js';
import { deliveriesModule } from './deliveries/index.js';
import { botModule } from './bot/index.js';
import { auditRoutes } from './audit/routes.js';
import { uploadsModule } from './uploads/index.js';
import { lifecycleModule } from './lifecycle/index.js';

/** Background work a module runs in every server process. */
export interface Worker {
  start(): void;
  stop(): Promise<void>;
  /** Resolves when the work queued so far is done (tests and graceful tooling use it). */
  idle?(): Promise<void>;
}

export type EventHandlers = { [K in EventName]?: (payload: DomainEvents[K]) => Promise<void> | void };

export interface ModuleParts {
  name: string;
  routes?(app: App): Promise<void>;
  on?: EventHandlers;
  /** Handlers of durable job kinds, run by the one job runner (src/jobs/). */
  jobs?: JobHandlers;
  /** Loops of its own (deliveries: their own table, on the shared lease and poll loop). */
  workers?: Worker[];
}

export type Module = (deps: Deps) => ModuleParts;

const routesOnly =
  (name: string, routes: (app: App, deps: Deps) => Promise<void>): Module =>
  (deps) => ({
    name,
    routes: (app) => routes(app, deps),
  });

export const modules: Module[] = [
  routesOnly('auth', authRoutes),
  routesOnly('workspaces', workspacesRoutes),
  routesOnly('chats', chatsRoutes),
  filesModule,
  routesOnly('settings', settingsRoutes),
  routesOnly('integrations', integrationsRoutes),
  deliveriesModule,
  botModule,
  routesOnly('audit', auditRoutes),
  uploadsModule,
  lifecycleModule,
];

/** Builds every module, subscribes its listeners, hands its job handlers to the runner and registers its routes. */
export async function wireModules(
  app: App,
  deps: Deps,
  core: { events: EventBus; jobs: JobRunner },
  list: Module[] = modules,
): Promise<Worker> {
  const { events } = core;
  const parts = list.map((m) => m(deps));
  for (const part of parts) {
    if (part.jobs) core.jobs.handle(part.jobs);
    for (const name of Object.keys(part.on ?? {}) as EventName[]) {
      events.on(name, part.on![name] as (payload: DomainEvents[typeof name]) => Promise<void>);
    }
  }
  for (const part of parts) await part.routes?.(app);
  const workers: Worker[] = [core.jobs, ...parts.flatMap((p) => p.workers ?? [])];
  return {
    start: () => workers.forEach((w) => w.start()),
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop()));
    },
    idle: async () => {
      await Promise.all(workers.map((w) => w.idle?.()));
    },
  };
}
