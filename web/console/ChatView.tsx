// The selected chat: header with Take / Close / Settings → "Files Attachment", messages, uploads, reply box,
// and the files side panel.
import { useCallback, useState } from 'react';
import type { Socket } from 'socket.io-client';
import { api, enc } from '../ui/api.js';
import { MessageList } from '../ui/MessageList.js';
import { RefusalList } from '../ui/RefusalList.js';
import { UploadList } from '../ui/UploadList.js';
import type { Message } from '../ui/types.js';
import { AgentComposer } from './AgentComposer.js';
import { FilesPanel } from './FilesPanel.js';
import { SettingsMenu } from './SettingsMenu.js';
import { useAgentUploads } from './useAgentUploads.js';
import { useChatMessages } from './useChatMessages.js';
import { STATUS_LABELS, chatLabel, type QueueChat } from './useQueue.js';

export function ChatView({ workspaceId, chat, socket }: { workspaceId: string; chat: QueueChat; socket?: Socket }) {
  const { messages, add, visitorTyping, error } = useChatMessages(workspaceId, chat.id, socket);
  const [panelKey, setPanelKey] = useState(0);
  const [actionError, setActionError] = useState<string>();
  const base = `/api/workspaces/${enc(workspaceId)}/chats/${enc(chat.id)}`;

  const onSent = useCallback(
    (m: Message | undefined) => {
      if (m) add([m]);
      setPanelKey((k) => k + 1);
    },
    [add],
  );
  const { uploads, attach } = useAgentUploads(workspaceId, chat.id, onSent);
  const closed = chat.status === 'closed';

  async function act(path: 'assign' | 'close') {
    setActionError(undefined);
    try {
      await api(`${base}/${path}`, { method: 'POST', body: {} });
    } catch (e) {
      setActionError((e as Error).message);
    }
  }

  async function send(text: string) {
    const r = await api<{ message: Message }>(`${base}/messages`, { body: { text } });
    add([r.message]);
  }

  return (
    <div className="c-chat">
      <section className="c-chat__main" aria-label={chatLabel(chat)}>
        <header className="c-chat__head">
          <div className="c-chat__title">
            <h2>{chatLabel(chat)}</h2>
            <span className={`p-badge c-status c-status--${chat.status}`}>{STATUS_LABELS[chat.status]}</span>
          </div>
          <div className="c-chat__actions">
            {(chat.status === 'bot' || chat.status === 'waiting') && (
              <button type="button" className="primary" onClick={() => act('assign')}>Take</button>
            )}
            <SettingsMenu onFiles={attach} disabled={closed} />
            {!closed && <button type="button" onClick={() => act('close')}>Close</button>}
          </div>
        </header>
        {(actionError || error) && <p className="p-notice p-notice--error" role="alert">{actionError || error}</p>}
        <MessageList messages={messages} self="agent" empty={<p className="p-muted c-chat__empty">No messages yet.</p>} />
        {visitorTyping && <p className="c-typing" aria-live="polite">Visitor is typing…</p>}
        <UploadList entries={uploads.entries} />
        <RefusalList refusals={uploads.refusals} onDismiss={uploads.dismiss} />
        <AgentComposer disabled={closed} onSend={send} onTyping={() => socket?.emit('typing', { chatId: chat.id })} />
      </section>
      <FilesPanel workspaceId={workspaceId} chatId={chat.id} onChoose={attach} refreshKey={panelKey} />
    </div>
  );
}
