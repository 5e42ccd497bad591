// The widget's header: title, status line, a menu with "Talk to an agent", and (inside the loader's iframe) Close.
import { useEffect, useRef, useState } from 'react';
import type { ChatStatus } from '../ui/types.js';
import { askParentToClose, inFrame } from './parent.js';

const STATUS_LINE: Record<ChatStatus, string> = {
  bot: 'Our assistant is here to help',
  waiting: 'Waiting for an agent…',
  open: 'You are talking to an agent',
  closed: 'This chat was closed',
};

export function Header({
  status,
  offline,
  onTalkToAgent,
}: {
  status?: ChatStatus;
  offline?: boolean;
  onTalkToAgent: () => void;
}) {
  const [menuOpen, setMenuOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!menuOpen) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !menuRef.current?.contains(e.target as Node))
        setMenuOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [menuOpen]);

  return (
    <header className="w-header">
      <div className="w-header__titles">
        <h1 className="w-header__title">Chat with us</h1>
        <p className="w-header__status" role="status">
          {offline ? 'Reconnecting…' : status ? STATUS_LINE[status] : 'Connecting…'}
        </p>
      </div>
      <div className="w-menu" ref={menuRef}>
        <button
          type="button"
          className="w-icon-button"
          aria-label="Chat menu"
          aria-haspopup="menu"
          aria-expanded={menuOpen}
          onClick={() => setMenuOpen((o) => !o)}
        >
          ⋮
        </button>
        {menuOpen && (
          <div className="w-menu__list" role="menu">
            <button
              type="button"
              role="menuitem"
              autoFocus
              onClick={() => {
                setMenuOpen(false);
                onTalkToAgent();
              }}
            >
              Talk to an agent
            </button>
          </div>
        )}
      </div>
      {inFrame && (
        <button type="button" className="w-icon-button" aria-label="Close chat" onClick={askParentToClose}>
          ×
        </button>
      )}
    </header>
  );
}
