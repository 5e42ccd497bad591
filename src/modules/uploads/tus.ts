// The tus 1.0 server (@tus/server) with Parley's hooks: creation runs the admin's rules before the store creates
// anything; the library caps every PATCH at the declared Upload-Length; the last byte triggers finishUpload (magic
// bytes, then the shared commit). Requests reach it through routes.ts, which has already authenticated the caller.
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { EVENTS, MemoryLocker, Server, type DataStore, type Locker } from '@tus/server';
import type { Deps } from '../../deps.js';
import type { ResumableUploadsTable } from '../../db/types.js';
import { AppError, describeCause } from '../../errors.js';
import { databaseUnavailable, isConnectionFault } from '../../db/resilient.js';
import { storageFaultOf } from '../../storage/faults.js';
import { newId } from '../../ids.js';
import type { Actor } from '../auth/actor.js';
import { uploadsRepo } from './repo.js';
import { readBodiesDirectly } from './direct-body.js';
import { createUpload, finishUpload, markTerminated, removeTusCopy, uploaderOf, type UploadBytes } from './service.js';

export const TUS_PATH = '/api/uploads';
export const FILE_ID_HEADER = 'Parley-File-Id';

/** What routes.ts learned about a request before handing it to tus. */
export interface TusRequestContext {
  actor?: Actor;
  /** The caller's own upload (HEAD, PATCH, DELETE), already checked by ownedUpload. */
  upload?: ResumableUploadsTable;
  /** The request's logger (its lines carry the request id). */
  log?: FastifyBaseLogger;
}

const contexts = new WeakMap<IncomingMessage, TusRequestContext>();
export const setTusContext = (req: IncomingMessage, ctx: TusRequestContext) => contexts.set(req, ctx);
const contextOf = (req: Request): TusRequestContext => {
  const node = (req as Request & { runtime?: { node?: { req: IncomingMessage } } }).runtime?.node?.req;
  return (node && contexts.get(node)) ?? {};
};

/** Redis across nodes when REDIS_URL is set; otherwise one process, one memory locker. */
export async function createLocker(deps: Deps): Promise<Locker & { close?(): Promise<void> }> {
  if (!deps.config.redisUrl) return new MemoryLocker();
  // Loaded only when configured: ioredis stays out of the embedded default's memory.
  const { RedisLocker } = await import('./redis-locker.js');
  return new RedisLocker(deps.config.redisUrl);
}

export function createTusServer(deps: Deps, store: DataStore & UploadBytes, locker: Locker): Server {
  // Creation needs Upload-Length (the size is checked before a byte is stored): OPTIONS must not offer deferring it.
  store.extensions = store.extensions.filter((e) => e !== 'creation-defer-length');
  const server = new Server({
    path: TUS_PATH,
    datastore: store,
    locker,
    relativeLocation: true,
    respectForwardedHeaders: deps.config.trustProxy !== false,
    // The instance cap; the workspace's own maximum is checked against Upload-Length in createUpload.
    maxSize: deps.config.maxUploadMb * 1024 * 1024,
    exposedHeaders: [FILE_ID_HEADER],
    allowedOrigins: [new URL(deps.config.publicUrl).origin],
    // An upload whose every byte has arrived is being (or has been) made a File: a DELETE must not remove its bytes
    // under the commit, nor answer 204 while the File stays in the chat. Checked inside the upload's lock, so a
    // DELETE that waited for the last PATCH sees it complete (routes.ts answers 409 UPLOAD_COMPLETE).
    disableTerminationForFinishedUploads: true,
    // Opaque and unguessable; also the object key in the S3 store.
    namingFunction: () => newId(),
    async onUploadCreate(req, upload) {
      const { actor } = contextOf(req);
      const metadata = upload.metadata ?? {};
      const up = await uploaderOf(deps, actor, metadata);
      await createUpload(deps, up, { id: upload.id, size: upload.size, metadata });
      return {};
    },
    async onUploadFinish(req, upload) {
      const ctx = contextOf(req);
      // creation-with-upload finishes inside the POST, before routes.ts could look the row up.
      const row = ctx.upload ?? (await uploadsRepo.byId(deps.db, upload.id));
      if (!row) throw new AppError('NOT_FOUND', 'No such upload');
      const fileId = await finishUpload(deps, store, row, ctx.actor);
      return { headers: { [FILE_ID_HEADER]: fileId } };
    },
    onResponseError(req, err) {
      // The library's own protocol refusals carry their status; routes.ts shapes them into the contract.
      if (!(err instanceof AppError) && (err as { status_code?: unknown }).status_code) return undefined;
      // A store or database that failed under the upload is the server's fault, said as such (503, retry later),
      // like the multipart path does; anything else is a 500 that is never silent.
      const e = asServerFault(err);
      if (e.status >= 500)
        (contextOf(req).log ?? deps.log).error({ code: e.code, cause: describeCause(e.cause) }, e.message);
      return { status_code: e.status, body: JSON.stringify(errorBody(e.code, e.message, e.details)) };
    },
  });
  readBodiesDirectly(server);
  // After the final answer is written: the bytes are a File in the blob store now; the tus copy goes.
  server.on(EVENTS.POST_FINISH, (_req: unknown, _res: unknown, upload: { id: string }) => {
    removeTusCopy(store, upload.id, deps.log);
  });
  server.on(EVENTS.POST_TERMINATE, (_req: unknown, _res: unknown, id: string) => {
    void markTerminated(deps, id).catch((err) => deps.log.warn({ err, uploadId: id }, 'terminated upload not marked'));
  });
  return server;
}

/** An error under an upload as the contract says it: a store or database fault is 503, anything unknown a 500. */
export function asServerFault(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return (
    storageFaultOf(err) ??
    (isConnectionFault(err)
      ? databaseUnavailable(err)
      : new AppError('INTERNAL', 'Something went wrong on our side', {}, { cause: err }))
  );
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}) {
  return { error: { code, message, ...details } };
}
