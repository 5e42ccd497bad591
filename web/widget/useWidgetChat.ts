// The visitor's live chat: session, message history, Socket.IO events, typing, and catching up after reconnects.
// Every batch is merged by id, so a replayed or refetched message never shows twice.
import { useCallback, useEffect, useRef, useState } from 'react';
import { io } from 'socket.io-client';
import type { ParleySocket as Socket } from '../ui/wire.js';
import { api, query, type ApiError } from '../ui/api.js';
import { keepConnected } from '../ui/keep-connected.js';
import { mergeMessages } from '../ui/merge.js';
import type { Chat, Message } from '../ui/types.js';
import { openSession, type WidgetSession } from './session.js';
import { onLoaderVisitor, syncVisitor } from './visitor.js';

const TYPING_SHOWN_MS = 4000;
const TYPING_SENT_EVERY_MS = 2000;
const PAGE = 200;

export type LoadState = 'loading' | 'ready' | 'error';

export function useWidgetChat(widgetKey: string) {
  const [session, setSession] = useState<WidgetSession>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [state, setState] = useState<LoadState>('loading');
  const [error, setError] = useState<string>();
  const [otherTyping, setOtherTyping] = useState(false);
  const [offline, setOffline] = useState(false); // was connected, lost it: shown until the socket is back

  const sessionRef = useRef<WidgetSession>(undefined);
  const lastIdRef = useRef<string>(undefined);
  const socketRef = useRef<Socket>(undefined);
  const typingTimer = useRef<number>(undefined);
  const lastTypingSent = useRef(0);

  const addMessages = useCallback((batch: Message[]) => {
    const chatId = sessionRef.current?.chat.id;
    const mine = batch.filter((m) => m.chatId === chatId);
    if (mine.length === 0) return;
    setMessages((cur) => {
      const next = mergeMessages(cur, mine);
      lastIdRef.current = next[next.length - 1]?.id;
      return next;
    });
    if (mine.some((m) => m.authorRole !== 'visitor' && m.authorRole !== 'system')) setOtherTyping(false);
  }, []);

  const catchUp = useCallback(async () => {
    const s = sessionRef.current;
    if (!s) return;
    // Page through everything after the last message seen (a long absence may have left more than one page).
    for (let page = 0; page < 20; page++) {
      const after = lastIdRef.current;
      const { messages: batch } = await api<{ messages: Message[] }>(
        `/api/widget/chat/messages${query({ after, limit: PAGE })}`,
        { token: s.visitorToken },
      );
      addMessages(batch);
      if (!after || batch.length < PAGE) return;
      lastIdRef.current = batch[batch.length - 1]!.id;
    }
  }, [addMessages]);

  const adopt = useCallback((s: WidgetSession) => {
    const previous = sessionRef.current;
    sessionRef.current = s;
    setSession(s);
    if (previous && previous.chat.id !== s.chat.id) {
      // A new chat (the old one was closed): start its history from scratch and rejoin its room.
      lastIdRef.current = undefined;
      setMessages([]);
      socketRef.current?.disconnect().connect();
    }
  }, []);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const s = await openSession(widgetKey);
        if (cancelled) return;
        adopt(s);
        syncVisitor(s.visitorToken); // identify may have been called while the session started
        await catchUp();
        if (cancelled) return;
        setState('ready');
        const socket = keepConnected(
          io({
            path: '/socket.io',
            // A function, so every reconnect sends the newest token and the last message seen.
            auth: (cb) => cb({ token: sessionRef.current?.visitorToken, lastMessageId: lastIdRef.current }),
          }),
        );
        socketRef.current = socket;
        socket.on('connect', () => {
          setOffline(false);
          catchUp().catch(() => undefined);
        });
        socket.on('disconnect', () => setOffline(true));
        socket.on('message.created', (p: { message: Message }) => addMessages([p.message]));
        socket.on('message.updated', (p: { message: Message }) => addMessages([p.message])); // e.g. a file was deleted
        socket.on('chat.updated', (p: { chat: Chat }) => {
          const cur = sessionRef.current;
          if (cur && p.chat.id === cur.chat.id) adopt({ ...cur, chat: { ...cur.chat, status: p.chat.status } });
        });
        socket.on('typing', (p: { chatId: string; role?: string }) => {
          if (p.chatId !== sessionRef.current?.chat.id || p.role === 'visitor') return;
          setOtherTyping(true);
          window.clearTimeout(typingTimer.current);
          typingTimer.current = window.setTimeout(() => setOtherTyping(false), TYPING_SHOWN_MS);
        });
      } catch (e) {
        if (cancelled) return;
        setError((e as ApiError).message);
        setState('error');
      }
    })();
    return () => {
      cancelled = true;
      socketRef.current?.disconnect();
      window.clearTimeout(typingTimer.current);
    };
  }, [widgetKey, adopt, catchUp, addMessages]);

  // The loader's identify and navigation reports, sent once the session is there.
  useEffect(() => onLoaderVisitor(() => sessionRef.current?.visitorToken), []);

  /** Re-reads the session: fresh upload rules and status (a closed chat stays shown until `startNew`). */
  const refreshSession = useCallback(async () => {
    const current = sessionRef.current;
    if (!current) throw new Error('The chat is still starting');
    const s = await openSession(widgetKey, current.visitorToken);
    adopt(s);
    if (!lastIdRef.current) await catchUp();
    return s;
  }, [widgetKey, adopt, catchUp]);

  /** "Start a new conversation" after a closed one: a new chat, its history from scratch. */
  const startNew = useCallback(async () => {
    const current = sessionRef.current;
    if (!current) return;
    const s = await openSession(widgetKey, current.visitorToken, true);
    adopt(s);
    await catchUp();
  }, [widgetKey, adopt, catchUp]);

  const sendText = useCallback(
    async (text: string) => {
      const post = () =>
        api<{ message: Message }>('/api/widget/chat/messages', {
          body: { text },
          token: sessionRef.current?.visitorToken,
        });
      try {
        addMessages([(await post()).message]);
      } catch (e) {
        // Closed meanwhile: show it closed (history kept); the visitor starts a new conversation themselves.
        if ((e as ApiError).code === 'CHAT_CLOSED') await refreshSession().catch(() => undefined);
        throw e;
      }
    },
    [addMessages, refreshSession],
  );

  const notifyTyping = useCallback(() => {
    const now = Date.now();
    const s = sessionRef.current;
    if (!s || now - lastTypingSent.current < TYPING_SENT_EVERY_MS) return;
    lastTypingSent.current = now;
    socketRef.current?.emit('typing', { chatId: s.chat.id });
  }, []);

  return {
    session,
    messages,
    state,
    error,
    offline,
    otherTyping,
    addMessages,
    refreshSession,
    startNew,
    sendText,
    notifyTyping,
  };
}
