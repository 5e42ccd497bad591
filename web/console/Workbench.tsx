// The signed-in console: top bar (workspace, notifications, sign out), the queue, and the selected chat.
import { useEffect, useState, type ReactNode } from 'react';
import type { ParleySocket as Socket } from '../ui/wire.js';
import { api, enc } from '../ui/api.js';
import { chatFromHash, chatHref } from '../ui/ChatRef.js';
import { connectStaffSocket } from '../ui/staff-socket.js';
import type { Answer, Me } from '../ui/types.js';
import { WorkspaceSwitcher, useWorkspaceChoice } from '../ui/WorkspaceSwitcher.js';
import { ChangePasswordForm } from '../ui/ChangePasswordForm.js';
import { ChatView } from './ChatView.js';
import { Queue } from './Queue.js';
import { useNotifications } from './useNotifications.js';
import { useQueue } from './useQueue.js';

export function Workbench({ me, onLogout }: { me: Me; onLogout: () => void }) {
  const [workspace, chooseWorkspace] = useWorkspaceChoice('console', me.workspaces);
  // A chat link (#ws=…&chat=…) from List File or the delivery log picks its workspace first.
  useEffect(() => {
    const { ws } = chatFromHash(window.location.hash);
    if (ws) chooseWorkspace(ws);
  }, [chooseWorkspace]);
  const [socket, setSocket] = useState<Socket>();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const s = connectStaffSocket();
    s.on('connect', () => setConnected(true));
    s.on('disconnect', () => setConnected(false));
    setSocket(s);
    return () => {
      s.disconnect();
    };
  }, []);

  if (!workspace) {
    return (
      <p className="p-notice p-notice--info c-nows">
        You are not a member of any workspace yet. Ask an admin to invite you.
      </p>
    );
  }
  return (
    <WorkspaceBench
      key={workspace.id}
      me={me}
      workspaceId={workspace.id}
      socket={socket}
      connected={connected}
      onLogout={onLogout}
      switcher={<WorkspaceSwitcher workspaces={me.workspaces} currentId={workspace.id} onChange={chooseWorkspace} />}
    />
  );
}

interface BenchProps {
  me: Me;
  workspaceId: string;
  socket?: Socket;
  connected: boolean;
  onLogout: () => void;
  switcher: ReactNode;
}

function WorkspaceBench({ me, workspaceId, socket, connected, onLogout, switcher }: BenchProps) {
  const queue = useQueue(workspaceId, socket);
  const [selectedId, setSelectedId] = useState<string>();
  const notes = useNotifications(workspaceId, socket, selectedId, (id) => queue.chats[id]);
  const selected = selectedId ? queue.chats[selectedId] : undefined;
  const [takeError, setTakeError] = useState<string>();
  const [accountOpen, setAccountOpen] = useState(false);
  const { upsert } = queue;

  // Open the chat a link names (by its short reference or id), even when it is not on the loaded pages.
  useEffect(() => {
    const link = chatFromHash(window.location.hash);
    if (!link.chat || (link.ws && link.ws !== workspaceId)) return;
    api<Answer<'/api/workspaces/{ws}/chats/{chatId}', 'get'>>(
      `/api/workspaces/${enc(workspaceId)}/chats/${enc(link.chat)}`,
    )
      .then(({ chat }) => {
        upsert(chat);
        setSelectedId(chat.id);
      })
      .catch((e: Error) => setTakeError(`Chat #${link.chat}: ${e.message}`));
  }, [workspaceId, upsert]);

  // The address always names the open chat, so it can be copied and shared.
  useEffect(() => {
    if (selected?.ref) window.history.replaceState(null, '', chatHref(workspaceId, selected.ref));
  }, [workspaceId, selected?.ref]);

  async function take(chatId: string) {
    setTakeError(undefined);
    setSelectedId(chatId);
    await api(`/api/workspaces/${enc(workspaceId)}/chats/${enc(chatId)}/assign`, { method: 'POST', body: {} }).catch(
      (e: Error) => setTakeError(e.message),
    );
  }

  return (
    <div className="c-app">
      <header className="c-top">
        <span className="p-brand">Parley</span>
        <span className="c-top__title">Agent console</span>
        {switcher}
        <span className={`c-conn ${connected ? 'is-on' : ''}`} role="status">
          {connected ? 'Live' : 'Reconnecting…'}
        </span>
        <span className="c-top__spacer" />
        {notes.supported && !notes.allowed && (
          <button type="button" onClick={notes.enable}>
            Enable notifications
          </button>
        )}
        {notes.total > 0 && (
          <span className="c-unread c-unread--total" aria-label={`${notes.total} unread messages`}>
            {notes.total}
          </span>
        )}
        <span className="c-top__user" title={me.user.email}>
          {me.user.name || me.user.email}
        </span>
        <button type="button" aria-expanded={accountOpen} onClick={() => setAccountOpen((o) => !o)}>
          Password
        </button>
        {me.workspaces.some((w) => w.role === 'admin') && <a href="/admin/">Admin</a>}
        <button type="button" onClick={onLogout}>
          Sign out
        </button>
      </header>
      {accountOpen && (
        <section className="c-account" aria-label="Your password">
          <h2>Change your password</h2>
          <ChangePasswordForm />
        </section>
      )}
      {(queue.error || takeError) && (
        <p className="p-notice p-notice--error c-top-error" role="alert">
          {queue.error || takeError}
        </p>
      )}
      <div className="c-body">
        <Queue
          byStatus={queue.byStatus}
          hasMore={(s) => !!queue.cursors[s]}
          onLoadMore={(s) => queue.loadMore(s).catch(() => undefined)}
          selectedId={selectedId}
          selectedStatus={selected?.status}
          unread={notes.unread}
          onSelect={setSelectedId}
          onTake={take}
        />
        {selected ? (
          <ChatView key={selected.id} workspaceId={workspaceId} chat={selected} socket={socket} />
        ) : (
          <div className="c-placeholder p-muted">Select a chat from the queue.</div>
        )}
      </div>
    </div>
  );
}
