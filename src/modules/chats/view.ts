// Chats and messages as the API and realtime events show them.
import type { Db } from '../../db/index.js';
import type { ChatsTable, MessageRow, MessagesTable, UploadRequestsTable } from '../../db/types.js';
import { fileView, filesByIds, type FileAudience, type FileView } from '../files/view.js';

export interface ChatView {
  id: string;
  workspaceId: string;
  visitorId: string;
  status: ChatsTable['status'];
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  lastMessageAt: string | null;
}

export function chatView(c: ChatsTable): ChatView {
  return { id: c.id, workspaceId: c.workspace_id, visitorId: c.visitor_id, status: c.status, assigneeId: c.assignee_id, createdAt: c.created_at, updatedAt: c.updated_at, closedAt: c.closed_at, lastMessageAt: c.last_message_at };
}

export type DeletedFile = { id: string; deleted: true };

export interface MessageView {
  id: string;
  chatId: string;
  authorRole: MessagesTable['author_role'];
  authorId?: string;
  text?: string;
  kind: MessagesTable['kind'];
  files?: (FileView | DeletedFile)[];
  request?: { id: string; prompt: string; allowedTypes: string; maxFiles: number; optional: boolean; status: UploadRequestsTable['status'] };
  buttons?: { label: string }[];
  event?: string;
  createdAt: string;
}

export async function messageViews(db: Db, rows: MessageRow[], audience: FileAudience): Promise<MessageView[]> {
  const fileIds = rows.flatMap((r) => (r.file_ids ? (JSON.parse(r.file_ids) as string[]) : []));
  const files = await filesByIds(db, fileIds);
  const requestIds = rows.filter((r) => r.kind === 'upload_request' && r.request_id).map((r) => r.request_id!);
  const requests = requestIds.length
    ? new Map((await db.selectFrom('upload_requests').selectAll().where('id', 'in', requestIds).execute()).map((r) => [r.id, r]))
    : new Map();
  return rows.map((r) => {
    const v: MessageView = { id: r.id, chatId: r.chat_id, authorRole: r.author_role, kind: r.kind, createdAt: r.created_at };
    if (r.author_id) v.authorId = r.author_id;
    if (r.text !== null) v.text = r.text;
    if (r.file_ids) {
      v.files = (JSON.parse(r.file_ids) as string[]).map((id) => {
        const f = files.get(id);
        return f ? fileView(f, audience) : { id, deleted: true as const };
      });
    }
    if (r.kind === 'upload_request' && r.request_id) {
      const q = requests.get(r.request_id);
      if (q) v.request = { id: q.id, prompt: q.prompt, allowedTypes: q.allowed_types, maxFiles: q.max_files, optional: q.optional === 1, status: q.status };
    }
    if (r.meta) {
      const meta = JSON.parse(r.meta) as { buttons?: { label: string }[]; event?: string };
      if (meta.buttons) v.buttons = meta.buttons;
      if (meta.event) v.event = meta.event;
    }
    return v;
  });
}
