// The uploads module: resumable uploads over tus 1.0 at /api/uploads/, their store and locker, and the durable job
// that removes an abandoned upload's bytes when it expires (PARLEY_UPLOAD_EXPIRY_HOURS) or its visitor is erased.
import type { DataStore, Locker } from '@tus/server';
import type { Module } from '../index.js';
import { uploadsRoutes } from './routes.js';
import {
  expireMissedUploads,
  expireUpload,
  removeQuietly,
  sweepRowlessUploads,
  takeOverStaleCommits,
  type UploadBytes,
} from './service.js';
import { enqueueAtStart, enqueueNextHour } from '../../jobs/periodic.js';
import { createUploadStore } from './stores.js';
import { createLocker, createTusServer } from './tus.js';

export const uploadsModule: Module = (deps) => {
  // Store and locker load their libraries on demand (S3, Redis), so they are made when the routes are registered,
  // which happens before any job or request can reach them.
  let store: (DataStore & UploadBytes) | undefined;
  let locker: (Locker & { close?(): Promise<void> }) | undefined;
  return {
    name: 'uploads',
    routes: async (app) => {
      store = await createUploadStore(deps.config);
      locker = await createLocker(deps);
      await uploadsRoutes(app, deps, createTusServer(deps, store, locker), store);
    },
    jobs: {
      'uploads.expire': {
        run: async ({ uploadId }) => {
          if (!store) throw new Error('the upload store is not ready');
          return expireUpload(deps, store, uploadId);
        },
      },
      // An erased visitor's uploads: the rows are gone with the erasure, the bytes go here (retried until they do).
      'uploads.remove': {
        run: async ({ uploadId }) => {
          if (!store) throw new Error('the upload store is not ready');
          return removeQuietly(store, uploadId);
        },
      },
      'uploads.reconcile': {
        run: async () => {
          if (!store) throw new Error('the upload store is not ready');
          // The next hour first: a run that fails for good does not end the sweeps.
          await enqueueNextHour(deps.db, 'uploads.reconcile');
          await takeOverStaleCommits(deps, store);
          await expireMissedUploads(deps, store);
          await sweepRowlessUploads(deps, store);
        },
      },
    },
    // Not a loop: it schedules the upload store's reconciliation, and its stop() closes the locker's Redis
    // connections when the app closes.
    workers: [
      {
        start: () =>
          void enqueueAtStart(deps.db, 'uploads.reconcile').catch((err) =>
            deps.log.error({ err }, 'could not schedule the upload store reconciliation'),
          ),
        stop: async () => locker?.close?.(),
      },
    ],
  };
};
