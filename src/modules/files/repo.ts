// SQL for files: the side panel, List File with its filters, and deletion.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';

export interface ListFilter {
  chatId?: string;
  uploaderRole?: 'visitor' | 'agent' | 'bot';
  type?: string;
  from?: string;
  to?: string;
  q?: string;
  cursor?: string;
  limit: number;
}

export const filesRepo = {
  byId: (db: Db, id: string) => db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst(),
  listForWorkspace(db: Db, workspaceId: string, f: ListFilter) {
    let q = db.selectFrom('files').selectAll().where('workspace_id', '=', workspaceId);
    if (f.chatId) q = q.where('chat_id', '=', f.chatId);
    if (f.uploaderRole) q = q.where('uploader_role', '=', f.uploaderRole);
    if (f.type) q = q.where('extension', '=', f.type.toLowerCase().replace(/^\./, ''));
    if (f.from) q = q.where('created_at', '>=', f.from);
    if (f.to) q = q.where('created_at', '<=', f.to);
    if (f.q) {
      const pattern = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`);
    }
    if (f.cursor) q = q.where('id', '<', f.cursor);
    return q.orderBy('id', 'desc').limit(f.limit);
  },
  forChat: (db: Db, chatId: string) => db.selectFrom('files').selectAll().where('chat_id', '=', chatId).orderBy('id', 'desc').execute(),
  /** Records a made thumbnail; false when the file was deleted meanwhile. */
  async setThumbnail(db: Db, id: string, thumbnailKey: string): Promise<boolean> {
    const r = await db.updateTable('files').set({ thumbnail_key: thumbnailKey }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  delete: (db: Db, id: string) => db.deleteFrom('files').where('id', '=', id).execute(),
  /** Visitor upload quotas: files in the last minute and bytes in the last hour. */
  async usage(db: Db, uploaderId: string, minuteAgo: string, hourAgo: string) {
    const perMinute = await db.selectFrom('files').select((eb) => eb.fn.countAll().as('n')).where('uploader_id', '=', uploaderId).where('created_at', '>', minuteAgo).executeTakeFirstOrThrow();
    const perHour = await db.selectFrom('files').select((eb) => eb.fn.sum<number>('size').as('bytes')).where('uploader_id', '=', uploaderId).where('created_at', '>', hourAgo).executeTakeFirstOrThrow();
    return { filesLastMinute: Number(perMinute.n), bytesLastHour: Number(perHour.bytes ?? 0) };
  },
};
