// Unread counts per chat (shown in the queue and as "(n)" in the page title) and a beep for new chats/messages,
// played only once the agent has allowed notifications.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ParleySocket as Socket } from '../ui/wire.js';
import type { Chat, Message } from '../ui/types.js';
import { beep, unlockAudio } from './beep.js';

const BASE_TITLE = 'Parley console';

const permission = (): NotificationPermission | 'unsupported' =>
  typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;

export function useNotifications(
  workspaceId: string,
  socket: Socket | undefined,
  selectedChatId: string | undefined,
  knownChat: (id: string) => Chat | undefined,
) {
  const [unread, setUnread] = useState<Record<string, number>>({});
  const [allowed, setAllowed] = useState(permission() === 'granted');
  const selected = useRef(selectedChatId);
  selected.current = selectedChatId;
  const known = useRef(knownChat);
  known.current = knownChat;

  const bump = useCallback((chatId: string) => {
    setUnread((u) => ({ ...u, [chatId]: (u[chatId] ?? 0) + 1 }));
    if (permission() === 'granted') beep();
  }, []);

  const markRead = useCallback((chatId: string) => {
    setUnread((u) => {
      if (!u[chatId]) return u;
      const { [chatId]: _, ...rest } = u;
      return rest;
    });
  }, []);

  const enable = useCallback(async () => {
    unlockAudio(); // inside the click: the one moment audio may start
    if (permission() === 'unsupported') return;
    const answer = await Notification.requestPermission();
    setAllowed(answer === 'granted');
  }, []);

  useEffect(() => {
    if (allowed) unlockAudio();
  }, [allowed]);

  useEffect(() => {
    if (!socket) return;
    const onMessage = ({ message }: { message: Message }) => {
      if (message.authorRole !== 'visitor') return;
      const chat = known.current(message.chatId);
      if (!chat) return; // another workspace's chat
      const looking = message.chatId === selected.current && document.visibilityState === 'visible';
      if (!looking) bump(message.chatId);
    };
    const onChat = ({ chat }: { chat: Chat }) => {
      if (chat.workspaceId && chat.workspaceId !== workspaceId) return;
      const before = known.current(chat.id);
      if (chat.status === 'waiting' && before?.status !== 'waiting' && chat.id !== selected.current) bump(chat.id);
    };
    socket.on('message.created', onMessage);
    socket.on('chat.updated', onChat);
    return () => {
      socket.off('message.created', onMessage);
      socket.off('chat.updated', onChat);
    };
  }, [socket, bump, workspaceId]);

  useEffect(() => {
    if (!selectedChatId) return;
    const clear = () => document.visibilityState === 'visible' && markRead(selectedChatId);
    clear();
    document.addEventListener('visibilitychange', clear);
    return () => document.removeEventListener('visibilitychange', clear);
  }, [selectedChatId, markRead, unread]);

  const total = Object.values(unread).reduce((a, b) => a + b, 0);
  useEffect(() => {
    document.title = total > 0 ? `(${total}) ${BASE_TITLE}` : BASE_TITLE;
  }, [total]);

  return { unread, total, allowed, supported: permission() !== 'unsupported', enable };
}
