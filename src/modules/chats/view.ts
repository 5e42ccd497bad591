// Chats and messages as the API and realtime events show them.
import type { Db } from '../../db/index.js';
import type { ChatsTable, FilesTable, MessageRow, MessagesTable, UploadRequestsTable } from '../../db/types.js';
import { fileView, filesByIds, type FileAudience, type FileView } from '../files/view.js';
import { chatsRepo } from './repo.js';
import { botRepo } from '../bot/repo.js';
import { parseVisitorInfo, type VisitorInfo } from './visitor-details.js';

export interface ChatView {
  id: string;
  /** The short reference shown everywhere and accepted wherever a chat id is. */
  ref: string;
  workspaceId: string;
  visitorId: string;
  status: ChatsTable['status'];
  /**
   * Who the visitor is: the name and e-mail given by the embedding page's Parley('identify', …) or else collected by
   * the bot, custom attributes, and where they are (page, referrer, browser, language, time zone).
   */
  visitor: VisitorInfo;
  assigneeId: string | null;
  /** When the visitor started waiting for an agent (hand-over, or oldest unanswered message); null otherwise. */
  waitingSince: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  lastMessageAt: string | null;
}

export function chatView(c: ChatsTable): ChatView {
  return {
    id: c.id,
    ref: c.ref,
    workspaceId: c.workspace_id,
    visitorId: c.visitor_id,
    status: c.status,
    visitor: visitorOf(c),
    assigneeId: c.assignee_id,
    waitingSince: c.waiting_since,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    closedAt: c.closed_at,
    lastMessageAt: c.last_message_at,
  };
}

/** identify's name and e-mail win over the bot's: the embedding page knows its signed-in user, the bot was told. */
export function visitorOf(c: Pick<ChatsTable, 'bot_state' | 'visitor_info'>): VisitorInfo {
  const info = parseVisitorInfo(c.visitor_info);
  const bot = visitorIdentity(c.bot_state);
  const out: VisitorInfo = { ...info };
  const name = info.name ?? bot.name;
  const email = info.email ?? bot.email;
  if (name) out.name = name;
  if (email) out.email = email;
  return out;
}

/** The name and e-mail among the bot's collected answers: the first variable named like "name" / "e-mail". */
export function visitorIdentity(botState: string | null): { name?: string; email?: string } {
  let vars: Record<string, unknown> = {};
  try {
    vars = (botState ? (JSON.parse(botState) as { vars?: Record<string, unknown> }).vars : undefined) ?? {};
  } catch {
    return {};
  }
  const out: { name?: string; email?: string } = {};
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v !== 'string' || !v.trim()) continue;
    const value = v.trim().slice(0, 200);
    if (/e-?mail/i.test(k)) out.email ??= value;
    else if (/name/i.test(k)) out.name ??= value;
  }
  return out;
}

// Agents' display names change rarely: kept a minute per process so a message costs no extra statement each time.
const NAME_TTL_MS = 60_000;
const names = new Map<string, { name: string; at: number }>();

async function agentNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const now = Date.now();
  const missing = [...new Set(ids)].filter((id) => {
    const hit = names.get(id);
    return !hit || now - hit.at > NAME_TTL_MS;
  });
  if (missing.length) {
    const found = await chatsRepo.userNames(db, missing);
    if (names.size > 5000) names.clear();
    for (const [id, name] of found) names.set(id, { name, at: now });
  }
  return new Map(ids.flatMap((id) => (names.has(id) ? [[id, names.get(id)!.name] as const] : [])));
}

export type DeletedFile = { id: string; deleted: true };

export interface MessageView {
  id: string;
  chatId: string;
  authorRole: MessagesTable['author_role'];
  authorId?: string;
  /** An agent's display name. */
  authorName?: string;
  text?: string;
  kind: MessagesTable['kind'];
  files?: (FileView | DeletedFile)[];
  request?: {
    id: string;
    prompt: string;
    allowedTypes: string;
    maxFiles: number;
    optional: boolean;
    status: UploadRequestsTable['status'];
  };
  buttons?: { label: string }[];
  event?: string;
  createdAt: string;
}

/** A held message (its files wait for their malware scan) is seen only by its author's side. */
export function seesMessage(row: MessageRow, audience: FileAudience): boolean {
  if (!row.held) return true;
  return (row.author_role === 'visitor') === (audience.kind === 'visitor');
}

/** `known`: file rows the caller holds already (just written): not read again. */
export async function messageViews(
  db: Db,
  all: MessageRow[],
  audience: FileAudience,
  known: FilesTable[] = [],
): Promise<MessageView[]> {
  const rows = all.filter((r) => seesMessage(r, audience));
  const fileIds = rows.flatMap((r) => (r.file_ids ? (JSON.parse(r.file_ids) as string[]) : []));
  const files = new Map(known.map((f) => [f.id, f]));
  const missing = fileIds.filter((id) => !files.has(id));
  if (missing.length > 0) for (const [id, f] of await filesByIds(db, missing)) files.set(id, f);
  const requestIds = rows.filter((r) => r.kind === 'upload_request' && r.request_id).map((r) => r.request_id!);
  const requests = new Map((await botRepo.requestsByIds(db, requestIds)).map((r) => [r.id, r]));
  const authors = await agentNames(
    db,
    rows.filter((r) => r.author_role === 'agent' && r.author_id).map((r) => r.author_id!),
  );
  return rows.map((r) => {
    const v: MessageView = {
      id: r.id,
      chatId: r.chat_id,
      authorRole: r.author_role,
      kind: r.kind,
      createdAt: r.created_at,
    };
    if (r.author_id) v.authorId = r.author_id;
    if (r.author_role === 'agent' && r.author_id && authors.has(r.author_id)) v.authorName = authors.get(r.author_id);
    if (r.text !== null) v.text = r.text;
    if (r.file_ids) {
      v.files = (JSON.parse(r.file_ids) as string[]).map((id) => {
        const f = files.get(id);
        return f ? fileView(f, audience) : { id, deleted: true as const };
      });
    }
    if (r.kind === 'upload_request' && r.request_id) {
      const q = requests.get(r.request_id);
      if (q)
        v.request = {
          id: q.id,
          prompt: q.prompt,
          allowedTypes: q.allowed_types,
          maxFiles: q.max_files,
          optional: q.optional === 1,
          status: q.status,
        };
    }
    if (r.meta) {
      const meta = JSON.parse(r.meta) as { buttons?: { label: string }[]; event?: string };
      if (meta.buttons) v.buttons = meta.buttons;
      if (meta.event) v.event = meta.event;
    }
    return v;
  });
}
