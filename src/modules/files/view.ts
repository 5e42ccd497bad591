// Files as the API shows them. Visitors get short-lived signed URLs; staff get plain URLs checked by their session.
import type { Db } from '../../db/index.js';
import type { FilesTable } from '../../db/types.js';
import type { Keyring } from '../../keyring.js';
import { signFileUrl } from './signed-url.js';

export type FileAudience = { kind: 'visitor'; keyring: Keyring; ttlSeconds: number } | { kind: 'staff' };

export interface FileView {
  id: string;
  chatId: string;
  name: string;
  size: number;
  mimeType: string;
  extension: string;
  sha256: string;
  uploaderRole: 'visitor' | 'agent' | 'bot';
  uploaderId: string | null;
  createdAt: string;
  url: string;
  thumbnailUrl?: string;
  remoteUid?: string;
  remoteUrl?: string;
  requestId?: string;
}

export function fileView(f: FilesTable, audience: FileAudience): FileView {
  const url = audience.kind === 'visitor'
    ? signFileUrl(audience.keyring, f.id, 'content', audience.ttlSeconds)
    : `/api/files/${encodeURIComponent(f.id)}/content`;
  const view: FileView = {
    id: f.id,
    chatId: f.chat_id,
    name: f.name,
    size: Number(f.size),
    mimeType: f.mime_type,
    extension: f.extension,
    sha256: f.sha256,
    uploaderRole: f.uploader_role,
    uploaderId: f.uploader_id,
    createdAt: f.created_at,
    url,
  };
  if (f.thumbnail_key) {
    view.thumbnailUrl = audience.kind === 'visitor'
      ? signFileUrl(audience.keyring, f.id, 'thumbnail', audience.ttlSeconds)
      : `/api/files/${encodeURIComponent(f.id)}/thumbnail`;
  }
  if (audience.kind === 'staff') {
    if (f.remote_uid) view.remoteUid = f.remote_uid;
    if (f.remote_url) view.remoteUrl = f.remote_url;
  }
  if (f.request_id) view.requestId = f.request_id;
  return view;
}

export async function filesByIds(db: Db, ids: string[]): Promise<Map<string, FilesTable>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('files').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}
