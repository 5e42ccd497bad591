// A chat's messages: own side on the right, the other side on the left, system events centred.
// Keeps the newest message in view; `extra` lets the widget add bot buttons and upload requests under a message.
import { useEffect, useRef, type ReactNode } from 'react';
import type { Message } from './types.js';
import { MessageFiles } from './MessageFiles.js';
import { formatTime } from './format.js';

const AUTHOR_NAMES: Record<Message['authorRole'], string> = { visitor: 'Visitor', agent: 'Agent', bot: 'Bot', system: '' };

export interface MessageListProps {
  messages: Message[];
  self: 'visitor' | 'agent';
  extra?: (m: Message) => ReactNode;
  empty?: ReactNode;
}

export function MessageList({ messages, self, extra, empty }: MessageListProps) {
  const endRef = useRef<HTMLDivElement>(null);
  const lastId = messages[messages.length - 1]?.id;
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [lastId]);

  return (
    <div className="p-messages" role="log" aria-live="polite" aria-label="Conversation">
      {messages.length === 0 && empty}
      {messages.map((m) => {
        const side = m.authorRole === 'system' || m.kind === 'event' ? 'center' : m.authorRole === self ? 'self' : 'other';
        return (
          <div key={m.id} className={`p-msg p-msg--${side} p-msg--${m.authorRole}`} data-message-id={m.id}>
            {side === 'other' && <span className="p-msg__author">{AUTHOR_NAMES[m.authorRole]}</span>}
            {(m.text || (m.files && m.files.length > 0)) && (
              <div className={m.text ? 'p-msg__bubble' : 'p-msg__bubble p-msg__bubble--files'}>
                {m.text && <p className="p-msg__text">{m.text}</p>}
                {m.files && m.files.length > 0 && <MessageFiles files={m.files} />}
              </div>
            )}
            {extra?.(m)}
            {side !== 'center' && <time className="p-msg__time" dateTime={m.createdAt}>{formatTime(m.createdAt)}</time>}
          </div>
        );
      })}
      <div ref={endRef} />
    </div>
  );
}
