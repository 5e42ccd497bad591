// The durable "files.thumbnails" job, enqueued in the upload's transaction: makes each image's thumbnail, records
// it, and announces the message again (message.updated). A file deleted meanwhile keeps no orphan thumbnail.
// makeThumbnail (thumbnail.ts) is the one place that turns bytes into a thumbnail; it may move to a worker pool.
import type { Deps } from '../../deps.js';
import type { JobHandler } from '../../jobs/index.js';
import { chatsRepo } from '../chats/repo.js';
import { publishMessage } from '../chats/service.js';
import { filesRepo } from './repo.js';
import { makeThumbnail, wantsThumbnail } from './thumbnail.js';

export const thumbnailKeyOf = (storageKey: string) => `${storageKey}.thumb`;

export function thumbnailJob(deps: Deps): JobHandler<'files.thumbnails'> {
  return {
    async run({ fileIds, messageId }) {
      let made = 0;
      for (const id of fileIds) {
        const f = await filesRepo.byId(deps.db, id);
        if (!f || f.thumbnail_key || !wantsThumbnail(f.mime_type, Number(f.size))) continue;
        const thumbKey = thumbnailKeyOf(f.storage_key);
        if (!(await makeThumbnail(deps.storage, f.storage_key, thumbKey))) continue;
        if (await filesRepo.setThumbnail(deps.db, id, thumbKey)) made++;
        else await deps.storage.delete(thumbKey).catch(() => {});
      }
      if (made === 0) return;
      const message = await chatsRepo.messageById(deps.db, messageId);
      if (message) await publishMessage(deps, message, 'message.updated');
    },
  };
}
