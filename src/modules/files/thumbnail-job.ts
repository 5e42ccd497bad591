// The durable "files.thumbnails" job, enqueued in the upload's transaction: makes each image's thumbnail, records
// it, and announces the message again (message.updated). A file deleted meanwhile keeps no orphan thumbnail.
// makeThumbnail (thumbnail.ts) is the one place that turns bytes into a thumbnail, in a worker process. A worker that
// died with a file in flight fails the job after the other files are done (and announced), so the runner retries it
// with backoff up to its attempts; files that got their thumbnail are skipped then.
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
      let died: unknown;
      for (const id of fileIds) {
        const f = await filesRepo.byId(deps.db, id);
        if (!f || f.thumbnail_key || !wantsThumbnail(f.mime_type, Number(f.size))) continue;
        const thumbKey = thumbnailKeyOf(f.storage_key);
        const file = { mimeType: f.mime_type, sourceKey: f.storage_key, thumbKey };
        let ok: boolean;
        try {
          ok = await makeThumbnail(deps.storage, file, deps.config, deps.log);
        } catch (err) {
          died ??= err;
          continue;
        }
        if (!ok) continue;
        if (await filesRepo.setThumbnail(deps.db, id, thumbKey)) made++;
        else await deps.storage.delete(thumbKey).catch(() => {});
      }
      if (made > 0) {
        const message = await chatsRepo.messageById(deps.db, messageId);
        if (message) await publishMessage(deps, message, 'message.updated');
      }
      if (died) throw died;
    },
  };
}
