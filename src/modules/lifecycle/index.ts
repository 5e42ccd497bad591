// The lifecycle module: retention (an hourly durable job), storage usage and quotas, visitor export and erasure.
import type { Module } from '../index.js';
import { lifecycleRoutes } from './routes.js';
import { retentionJob, scheduleRetention } from './retention.js';
import { eraseVisitorJob } from './erasure.js';

export const lifecycleModule: Module = (deps) => ({
  name: 'lifecycle',
  routes: (app) => lifecycleRoutes(app, deps),
  jobs: { 'lifecycle.retention': retentionJob(deps), 'lifecycle.erase_visitor': eraseVisitorJob(deps) },
  workers: [
    {
      start: () =>
        void scheduleRetention(deps.db).catch((err) => deps.log.error({ err }, 'could not schedule retention')),
      stop: async () => {},
    },
  ],
});
