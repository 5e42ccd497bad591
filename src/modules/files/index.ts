// The files module: upload, download and List File routes, and thumbnails made after files are accepted.
import type { Module } from '../index.js';
import { filesRoutes } from './routes.js';
import { createThumbnailQueue } from './thumbnail-queue.js';

export const filesModule: Module = (deps) => {
  const thumbnails = createThumbnailQueue(deps);
  return {
    name: 'files',
    routes: (app) => filesRoutes(app, deps),
    on: { 'files.accepted': (e) => thumbnails.enqueue(e.fileIds, e.messageId) },
    workers: [thumbnails],
  };
};
