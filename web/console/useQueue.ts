// The workspace's chats by status (Bot / Waiting / Open / Closed), kept live from chat.updated and message.created.
// After a reconnect the lists are fetched again, so nothing missed while offline stays stale.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import { api, enc, query } from '../ui/api.js';
import type { Chat, ChatStatus, Message } from '../ui/types.js';

export const STATUSES: ChatStatus[] = ['bot', 'waiting', 'open', 'closed'];
export const STATUS_LABELS: Record<ChatStatus, string> = { bot: 'Bot', waiting: 'Waiting', open: 'Open', closed: 'Closed' };

export interface QueueChat extends Chat {
  preview?: string;
}

type Page = { chats: Chat[]; nextCursor?: string | null };

export function previewOf(m: Message): string {
  if (m.text) return m.text;
  const names = (m.files ?? []).map((f) => ('name' in f ? f.name : 'File'));
  return names.length ? `📎 ${names.join(', ')}` : '';
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
        return c ? { ...cur, [c.id]: { ...c, lastMessageAt: message.createdAt, preview: previewOf(message) || c.preview } } : cur;
      });
    };
    socket.on('chat.updated', onChat);
    socket.on('message.created', onMessage);
    socket.on('connect', load);
    return () => {
      socket.off('chat.updated', onChat);
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

  return { chats, byStatus, cursors, loadMore, reload: load, error };
}

export const chatLabel = (c: { id: string }) => `Chat ${c.id.slice(-6)}`;
