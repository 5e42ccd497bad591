// The files module: upload, download and List File routes, and the durable thumbnail job.
import type { Module } from '../index.js';
import { filesRoutes } from './routes.js';
import { thumbnailJob } from './thumbnail-job.js';

export const filesModule: Module = (deps) => ({
  name: 'files',
  routes: (app) => filesRoutes(app, deps),
  jobs: { 'files.thumbnails': thumbnailJob(deps) },
});
