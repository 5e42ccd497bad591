// The queue column: tabs Bot / Waiting / Open / Closed, each chat with the visitor's name (or its reference), the
// reference, its last message, how long the visitor has waited for an agent (waiting or unanswered), an unread badge
// and "Take".
import { useEffect, useState } from 'react';
import type { ChatStatus } from '../ui/types.js';
import { formatTime } from '../ui/format.js';
import { STATUSES, STATUS_LABELS, chatLabel, chatTitle, waitedFor, type QueueChat } from './useQueue.js';

export interface QueueProps {
  byStatus: (s: ChatStatus) => QueueChat[];
  hasMore: (s: ChatStatus) => boolean;
  onLoadMore: (s: ChatStatus) => void;
  selectedId?: string;
  /** The selected chat's status: the tabs follow it when it moves (taken, handed over, closed). */
  selectedStatus?: ChatStatus;
  unread: Record<string, number>;
  onSelect: (chatId: string) => void;
  onTake: (chatId: string) => void;
}

export function Queue({
  byStatus,
  hasMore,
  onLoadMore,
  selectedId,
  selectedStatus,
  unread,
  onSelect,
  onTake,
}: QueueProps) {
  const [tab, setTab] = useState<ChatStatus>('waiting');
  useEffect(() => {
    if (selectedStatus) setTab(selectedStatus);
  }, [selectedId, selectedStatus]);
  const list = byStatus(tab);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  return (
    <nav className="c-queue" aria-label="Chat queue">
      <div className="c-tabs" role="tablist" aria-label="Chats by status">
        {STATUSES.map((s) => {
          const count = byStatus(s).length;
          return (
            <button
              key={s}
              type="button"
              role="tab"
              id={`tab-${s}`}
              aria-selected={tab === s}
              aria-controls="queue-panel"
              className="c-tab"
              onClick={() => setTab(s)}
            >
              {STATUS_LABELS[s]}
              {s !== 'closed' && count > 0 && (
                <span className="c-tab__count" aria-label={`${count} chats`}>
                  {count}
                </span>
              )}
            </button>
          );
        })}
      </div>
      <div className="c-queue__panel" id="queue-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        <ul className="c-queue__list">
          {list.length === 0 && <li className="c-queue__empty">No {STATUS_LABELS[tab].toLowerCase()} chats</li>}
          {list.map((c) => {
            const title = chatTitle(c);
            const named = title !== chatLabel(c);
            const waited = waitedFor(c, now);
            const n = unread[c.id] ?? 0;
            return (
              <li key={c.id} className={`c-queue__item${c.id === selectedId ? ' is-selected' : ''}`}>
                <button
                  type="button"
                  className="c-queue__open"
                  onClick={() => onSelect(c.id)}
                  aria-current={c.id === selectedId ? 'true' : undefined}
                >
                  {/* The reference comes first: it is the one name every screen and link uses for the chat. */}
                  <span className="c-queue__top">
                    <span className={named ? 'c-queue__ref' : 'c-queue__name'}>{chatLabel(c)}</span>
                    {n ? (
                      <span className="c-unread">
                        {n}
                        <span className="sr-only"> unread</span>
                      </span>
                    ) : null}
                    <time className="c-queue__time">{formatTime(c.lastMessageAt ?? c.updatedAt)}</time>
                  </span>
                  {named && <span className="c-queue__name c-queue__who">{title}</span>}
                  {waited && <span className="c-queue__waited">Waiting {waited}</span>}
                  <span className="c-queue__preview">{c.preview ?? ' '}</span>
                </button>
                {(c.status === 'bot' || c.status === 'waiting') && (
                  <button
                    type="button"
                    className="c-queue__take"
                    onClick={() => onTake(c.id)}
                    aria-label={`Take ${chatLabel(c)}`}
                  >
                    Take
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      </div>
      {hasMore(tab) && (
        <button type="button" className="c-queue__more" onClick={() => onLoadMore(tab)}>
          Load more
        </button>
      )}
    </nav>
  );
}
