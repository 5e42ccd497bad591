// Thumbnails are made off the request path, one at a time, after the file is committed and announced. When one is
// ready the message is announced again (message.updated) with its thumbnailUrl; a failure leaves no thumbnail.
import type { Deps } from '../../deps.js';
import { chatsRepo } from '../chats/repo.js';
import { publishMessage } from '../chats/service.js';
import { makeThumbnail, wantsThumbnail } from './thumbnail.js';

export interface ThumbnailQueue {
  enqueue(fileIds: string[], messageId: string): void;
  start(): void;
  /** Waits for the job under way; queued jobs are dropped (their files simply keep no thumbnail). */
  stop(): Promise<void>;
  /** Resolves when every job queued so far has run. */
  idle(): Promise<void>;
}

export function createThumbnailQueue(deps: Deps): ThumbnailQueue {
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  async function run(fileIds: string[], messageId: string) {
    let made = 0;
    for (const id of fileIds) {
      if (stopped) return;
      const f = await deps.db.selectFrom('files').select(['id', 'storage_key', 'mime_type', 'size']).where('id', '=', id).executeTakeFirst();
      if (!f || !wantsThumbnail(f.mime_type, Number(f.size))) continue;
      const thumbKey = `${f.storage_key}.thumb`;
      if (!(await makeThumbnail(deps.storage, f.storage_key, thumbKey))) continue;
      const r = await deps.db.updateTable('files').set({ thumbnail_key: thumbKey }).where('id', '=', id).executeTakeFirst();
      // Deleted while the thumbnail was being made: drop the orphan.
      if (Number(r.numUpdatedRows) === 0) await deps.storage.delete(thumbKey).catch(() => {});
      else made++;
    }
    if (made === 0) return;
    const message = await chatsRepo.messageById(deps.db, messageId);
    if (message) await publishMessage(deps, message, 'message.updated');
  }

  return {
    enqueue(fileIds, messageId) {
      if (stopped) return;
      chain = chain.then(() => run(fileIds, messageId)).catch((err) => deps.log.warn({ err, messageId }, 'thumbnail job failed'));
    },
    start() { stopped = false; },
    idle: () => chain,
    async stop() {
      stopped = true;
      await chain;
    },
  };
}
