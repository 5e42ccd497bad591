// The workspace's chats by status (Bot / Waiting / Open / Closed), kept live from chat.updated and message.created.
// After a reconnect the lists are fetched again, so nothing missed while offline stays stale.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ParleySocket as Socket } from '../ui/wire.js';
import { api, enc, query } from '../ui/api.js';
import type { Answer, Chat, ChatStatus, Message } from '../ui/types.js';

export const STATUSES: ChatStatus[] = ['bot', 'waiting', 'open', 'closed'];
export const STATUS_LABELS: Record<ChatStatus, string> = {
  bot: 'Bot',
  waiting: 'Waiting',
  open: 'Open',
  closed: 'Closed',
};

export interface QueueChat extends Chat {
  preview?: string;
}

type Page = Answer<'/api/workspaces/{ws}/chats', 'get'>;

/** The queue's line for a chat's last message: its text, else its files' names (plain words: an emoji icon is a
 * box on a machine without an emoji font). */
export function previewOf(m: Message): string {
  if (m.text) return m.text;
  const names = (m.files ?? []).map((f) => ('name' in f ? f.name : 'a deleted file'));
  if (names.length === 0) return '';
  return `${names.length > 1 ? 'Files' : 'File'}: ${names.join(', ')}`;
}

export function useQueue(workspaceId: string, socket: Socket | undefined) {
  const [chats, setChats] = useState<Record<string, QueueChat>>({});
  const [cursors, setCursors] = useState<Partial<Record<ChatStatus, string>>>({});
  const [error, setError] = useState<string>();
  const chatsRef = useRef(chats);
  chatsRef.current = chats;

  const base = `/api/workspaces/${enc(workspaceId)}/chats`;

  const load = useCallback(async () => {
    try {
      const pages = await Promise.all(STATUSES.map((status) => api<Page>(`${base}${query({ status })}`)));
      const next: Record<string, QueueChat> = {};
      pages.forEach((p) => p.chats.forEach((c) => (next[c.id] = { ...chatsRef.current[c.id], ...c })));
      setChats(next);
      setCursors(Object.fromEntries(STATUSES.map((s, i) => [s, pages[i]!.nextCursor ?? undefined])));
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [base]);

  const loadMore = useCallback(
    async (status: ChatStatus) => {
      const cursor = cursors[status];
      if (!cursor) return;
      const page = await api<Page>(`${base}${query({ status, cursor })}`);
      setChats((cur) => ({ ...cur, ...Object.fromEntries(page.chats.map((c) => [c.id, { ...cur[c.id], ...c }])) }));
      setCursors((c) => ({ ...c, [status]: page.nextCursor ?? undefined }));
    },
    [base, cursors],
  );

  useEffect(() => {
    setChats({});
    load();
  }, [load]);

  useEffect(() => {
    if (!socket) return;
    const onChat = ({ chat }: { chat: Chat }) => {
      if (chat.workspaceId && chat.workspaceId !== workspaceId) return;
      setChats((cur) => ({ ...cur, [chat.id]: { ...cur[chat.id], ...chat } }));
    };
    const onMessage = ({ message }: { message: Message }) => {
      if (!chatsRef.current[message.chatId]) return;
      setChats((cur) => {
        const c = cur[message.chatId];
        return c
          ? {
              ...cur,
              [c.id]: {
                ...c,
                lastMessageAt: message.createdAt,
                waitingSince: waitingAfter(c, message),
                preview: previewOf(message) || c.preview,
              },
            }
          : cur;
      });
    };
    // An erased visitor's chats leave the queue at once (the rows are gone; opening one would answer 404).
    const onDeleted = ({ chatId }: { chatId: string }) =>
      setChats((cur) => {
        if (!cur[chatId]) return cur;
        const { [chatId]: _gone, ...rest } = cur;
        return rest;
      });
    socket.on('chat.updated', onChat);
    socket.on('chat.deleted', onDeleted);
    socket.on('message.created', onMessage);
    socket.on('connect', load);
    return () => {
      socket.off('chat.updated', onChat);
      socket.off('chat.deleted', onDeleted);
      socket.off('message.created', onMessage);
      socket.off('connect', load);
    };
  }, [socket, workspaceId, load]);

  const byStatus = useCallback(
    (status: ChatStatus) =>
      Object.values(chats)
        .filter((c) => c.status === status)
        .sort((a, b) => (b.lastMessageAt ?? b.updatedAt ?? '').localeCompare(a.lastMessageAt ?? a.updatedAt ?? '')),
    [chats],
  );

  /** Adds a chat fetched on its own (a link to a chat that is not on the loaded pages). */
  const upsert = useCallback(
    (chat: Chat) => setChats((cur) => ({ ...cur, [chat.id]: { ...cur[chat.id], ...chat } })),
    [],
  );

  return { chats, byStatus, cursors, loadMore, reload: load, error, upsert };
}

/** The chat's short reference, the one name every screen uses for it ("Chat #K3VN6Q"). */
export const chatLabel = (c: { id: string; ref?: string }) => (c.ref ? `Chat #${c.ref}` : 'Chat');

/** The chat's title: the visitor's name when the bot collected one, else its reference. */
export const chatTitle = (c: Chat) => c.visitor?.name || chatLabel(c);

/**
 * How long the visitor has waited for an agent ("4 min", "1 h 05 min"): since the hand-over to the queue, or since
 * their oldest message no agent has answered (the server's waitingSince); undefined when nobody is waiting.
 */
export function waitedFor(c: Chat, now: number): string | undefined {
  if ((c.status !== 'waiting' && c.status !== 'open') || !c.waitingSince) return undefined;
  const min = Math.max(0, Math.floor((now - Date.parse(c.waitingSince)) / 60_000));
  if (min < 1) return 'under 1 min';
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** The server's rule for waitingSince on a new message (migration 1711's trigger), applied to the live queue. */
export function waitingAfter(c: Chat, m: Message): string | null {
  if (m.authorRole === 'agent') return null;
  if (m.authorRole === 'visitor' && (c.status === 'waiting' || c.status === 'open'))
    return c.waitingSince ?? m.createdAt;
  return c.waitingSince ?? null;
}
