// One chat's messages for the agent: loaded on selection, merged live, refetched with after= on reconnect.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ParleySocket as Socket } from '../ui/wire.js';
import { api, enc, query } from '../ui/api.js';
import { mergeMessages } from '../ui/merge.js';
import type { Answer, Message } from '../ui/types.js';

const TYPING_SHOWN_MS = 4000;

export function useChatMessages(workspaceId: string, chatId: string | undefined, socket: Socket | undefined) {
  const [messages, setMessages] = useState<Message[]>([]);
  const [visitorTyping, setVisitorTyping] = useState(false);
  const [error, setError] = useState<string>();
  const lastId = useRef<string>(undefined);
  const typingTimer = useRef<number>(undefined);

  const url = chatId ? `/api/workspaces/${enc(workspaceId)}/chats/${enc(chatId)}/messages` : undefined;

  const add = useCallback((batch: Message[]) => {
    setMessages((cur) => {
      const next = mergeMessages(cur, batch);
      lastId.current = next[next.length - 1]?.id;
      return next;
    });
  }, []);

  const loadAll = useCallback(async () => {
    if (!url) return;
    try {
      const { messages: all } = await api<Answer<'/api/workspaces/{ws}/chats/{chatId}/messages', 'get'>>(
        `${url}${query({ limit: 200 })}`,
      );
      lastId.current = all[all.length - 1]?.id;
      setMessages(all);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [url]);

  useEffect(() => {
    setMessages([]);
    lastId.current = undefined;
    setVisitorTyping(false);
    loadAll();
  }, [loadAll]);

  useEffect(() => {
    if (!socket || !chatId || !url) return;
    const onMessage = ({ message }: { message: Message }) => {
      if (message.chatId !== chatId) return;
      add([message]);
      if (message.authorRole === 'visitor') setVisitorTyping(false);
    };
    const onTyping = (p: { chatId: string; role?: string }) => {
      if (p.chatId !== chatId || p.role !== 'visitor') return;
      setVisitorTyping(true);
      window.clearTimeout(typingTimer.current);
      typingTimer.current = window.setTimeout(() => setVisitorTyping(false), TYPING_SHOWN_MS);
    };
    const onReconnect = () => {
      api<Answer<'/api/workspaces/{ws}/chats/{chatId}/messages', 'get'>>(
        `${url}${query({ after: lastId.current, limit: 200 })}`,
      ).then(
        (r) => add(r.messages),
        () => undefined,
      );
    };
    socket.on('message.created', onMessage);
    socket.on('message.updated', onMessage); // sent when a file of the message is deleted
    socket.on('typing', onTyping);
    socket.on('connect', onReconnect); // after any reconnect, automatic or not
    return () => {
      socket.off('message.created', onMessage);
      socket.off('message.updated', onMessage);
      socket.off('typing', onTyping);
      socket.off('connect', onReconnect);
      window.clearTimeout(typingTimer.current);
    };
  }, [socket, chatId, url, add]);

  return { messages, add, reload: loadAll, visitorTyping, error };
}
