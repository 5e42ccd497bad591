// A chat's messages: own side on the right, the other side on the left, system events centred.
// Keeps the newest message in view; `extra` lets the widget add bot buttons and upload requests under a message.
import { useEffect, useRef, type ReactNode } from 'react';
import type { Message } from './types.js';
import { MessageFiles } from './MessageFiles.js';
import { formatTime } from './format.js';

const AUTHOR_NAMES: Record<Message['authorRole'], string> = {
  visitor: 'Visitor',
  agent: 'Agent',
  bot: 'Bot',
  system: '',
};

export interface MessageListProps {
  messages: Message[];
  self: 'visitor' | 'agent';
  extra?: (m: Message) => ReactNode;
  empty?: ReactNode;
  /** Shown above the messages, always (the widget's greeting). */
  lead?: ReactNode;
  /** The visitor's name when known (the console shows it instead of "Visitor"). */
  visitorName?: string;
}

/** Who wrote a message: an agent's display name, the visitor's name when known, else the role. */
export function authorLabel(m: Message, visitorName?: string): string {
  if (m.authorRole === 'agent' && m.authorName) return m.authorName;
  if (m.authorRole === 'visitor' && visitorName) return visitorName;
  return AUTHOR_NAMES[m.authorRole];
}

export function MessageList({ messages, self, extra, empty, lead, visitorName }: MessageListProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const pinned = useRef(true); // the reader is at the bottom: keep them there as content grows
  const lastId = messages[messages.length - 1]?.id;
  const toBottom = () => {
    const box = boxRef.current;
    if (box) box.scrollTop = box.scrollHeight;
  };
  useEffect(() => {
    pinned.current = true;
    toBottom();
  }, [lastId]);
  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    // Thumbnails load after the message is shown and make it taller ("load" does not bubble: listen in capture).
    const onLoad = () => pinned.current && toBottom();
    const onScroll = () => {
      pinned.current = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    };
    box.addEventListener('load', onLoad, true);
    box.addEventListener('scroll', onScroll);
    return () => {
      box.removeEventListener('load', onLoad, true);
      box.removeEventListener('scroll', onScroll);
    };
  }, []);

  return (
    <div className="p-messages" role="log" aria-live="polite" aria-label="Conversation" tabIndex={0} ref={boxRef}>
      {lead}
      {messages.length === 0 && empty}
      {messages.map((m) => {
        const side =
          m.authorRole === 'system' || m.kind === 'event' ? 'center' : m.authorRole === self ? 'self' : 'other';
        return (
          <div key={m.id} className={`p-msg p-msg--${side} p-msg--${m.authorRole}`} data-message-id={m.id}>
            {(side === 'other' || (side === 'self' && m.authorName)) && (
              <span className="p-msg__author">{authorLabel(m, visitorName)}</span>
            )}
            {(m.text || (m.files && m.files.length > 0)) && (
              <div className={m.text ? 'p-msg__bubble' : 'p-msg__bubble p-msg__bubble--files'}>
                {m.text && <p className="p-msg__text">{m.text}</p>}
                {m.files && m.files.length > 0 && <MessageFiles files={m.files} />}
              </div>
            )}
            {extra?.(m)}
            {side !== 'center' && (
              <time className="p-msg__time" dateTime={m.createdAt}>
                {formatTime(m.createdAt)}
              </time>
            )}
          </div>
        );
      })}
    </div>
  );
}
