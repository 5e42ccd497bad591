// The deliveries module: the delivery log's routes and the worker that forwards files to S3 and the callback.
import type { Module } from '../index.js';
import { deliveriesRoutes } from './routes.js';
import { createDeliveryWorker } from './worker.js';

export const deliveriesModule: Module = (deps) => {
  const worker = createDeliveryWorker(deps);
  return {
    name: 'deliveries',
    routes: (app) => deliveriesRoutes(app, deps),
    on: { 'deliveries.queued': () => worker.wake() },
    workers: [worker],
  };
};
