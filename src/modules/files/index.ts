// The files module: upload, download, List File (and its bulk actions) routes, and the durable thumbnail,
// blob-removal and malware-scan jobs.
import type { Module } from '../index.js';
import { filesRoutes } from './routes.js';
import { thumbnailJob } from './thumbnail-job.js';
import { deleteBlobsJob } from './purge.js';
import { scanJob } from './release.js';
import { filesBulkRoutes } from './bulk-routes.js';
import { reconcileJob, scheduleReconcile } from './reconcile.js';

export const filesModule: Module = (deps) => ({
  name: 'files',
  routes: async (app) => {
    await filesRoutes(app, deps);
    await filesBulkRoutes(app, deps);
  },
  jobs: {
    'files.thumbnails': thumbnailJob(deps),
    'files.delete_blobs': deleteBlobsJob(deps),
    'files.scan': scanJob(deps),
    'files.reconcile': reconcileJob(deps),
  },
  workers: [
    {
      start: () =>
        void scheduleReconcile(deps).catch((err) => deps.log.error({ err }, 'could not schedule reconciliation')),
      stop: async () => {},
    },
  ],
});
