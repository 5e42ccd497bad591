// Files as the API shows them. Visitors get short-lived signed URLs; staff get plain URLs checked by their session.
import type { Db } from '../../db/index.js';
import { filesRepo } from './repo.js';
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
  /** Staff views: the chat's short reference (modules/chats/ref.ts). */
  chatRef?: string;
  thumbnailUrl?: string;
  remoteUid?: string;
  remoteUrl?: string;
  requestId?: string;
  /** Malware scan: skipped (no scanner), pending (held), clean, infected (quarantined; blocked). */
  scan: FilesTable['scan'];
  scanSignature?: string;
  /** An infected file an admin released after confirming. */
  releasedAt?: string;
}

/** May this file's bytes be served to anyone but an admin? Pending and quarantined (unreleased) files may not. */
export function isServable(f: FilesTable): boolean {
  return f.scan === 'clean' || f.scan === 'skipped' || (f.scan === 'infected' && !!f.released_at);
}

/** The uploader's side sees a held (pending) file; the other side does not know of it until it is released. */
export function seesFile(f: FilesTable, side: 'visitor' | 'staff'): boolean {
  return f.scan !== 'pending' || (f.uploader_role === 'visitor') === (side === 'visitor');
}

export function fileView(f: FilesTable, audience: FileAudience): FileView {
  const url =
    audience.kind === 'visitor'
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
    scan: f.scan,
  };
  if (f.scan_signature) view.scanSignature = f.scan_signature;
  if (f.released_at) view.releasedAt = f.released_at;
  if (f.thumbnail_key) {
    view.thumbnailUrl =
      audience.kind === 'visitor'
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
  const rows = await filesRepo.byIds(db, ids);
  return new Map(rows.map((r) => [r.id, r]));
}
