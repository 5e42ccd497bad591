// The selected chat: header with Take / Close / Settings → "Files Attachment", messages, uploads, reply box with a
// paperclip, and the files side panel. Files can also be dropped onto the chat or pasted into it (pasted images are
// previewed and named first); every picker offers only the agent side's allowed types.
import { useCallback, useRef, useState } from 'react';
import type { ParleySocket as Socket } from '../ui/wire.js';
import { api, enc } from '../ui/api.js';
import { acceptFor } from '../ui/file-rules.js';
import { MessageList } from '../ui/MessageList.js';
import { PastePreview, pasted, type PastedImage } from '../ui/PastePreview.js';
import { RefusalList } from '../ui/RefusalList.js';
import { UploadList } from '../ui/UploadList.js';
import type { Answer, Message } from '../ui/types.js';
import { useDropAndPaste } from '../ui/useDropAndPaste.js';
import { AgentComposer } from './AgentComposer.js';
import { FilesPanel } from './FilesPanel.js';
import { SettingsMenu } from './SettingsMenu.js';
import { useAgentUploads } from './useAgentUploads.js';
import { useChatMessages } from './useChatMessages.js';
import { VisitorPanel, VisitorSummary } from './VisitorPanel.js';
import { STATUS_LABELS, chatLabel, chatTitle, type QueueChat } from './useQueue.js';

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
  const { uploads, attach, rules } = useAgentUploads(workspaceId, chat.id, onSent);
  const closed = chat.status === 'closed';
  const accept = acceptFor(rules?.allowedTypes);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [pastedImages, setPastedImages] = useState<PastedImage[]>([]);
  const { dragging, handlers } = useDropAndPaste(attach, (images) => setPastedImages((p) => [...p, ...pasted(images)]));
  const dropHandlers = closed ? {} : handlers;

  const [confirmClose, setConfirmClose] = useState(false);
  async function act(path: 'assign' | 'close' | 'reopen') {
    setActionError(undefined);
    setConfirmClose(false);
    try {
      await api(`${base}/${path}`, { method: 'POST', body: {} });
    } catch (e) {
      setActionError((e as Error).message);
    }
  }

  async function send(text: string) {
    const r = await api<Answer<'/api/workspaces/{ws}/chats/{chatId}/messages', 'post'>>(`${base}/messages`, {
      body: { text },
    });
    add([r.message]);
  }

  return (
    <div className="c-chat">
      <section className="c-chat__main" aria-label={chatLabel(chat)} {...dropHandlers}>
        <header className="c-chat__head">
          <div className="c-chat__title">
            <h2 title={chatTitle(chat)}>{chatTitle(chat)}</h2>
            {chatTitle(chat) !== chatLabel(chat) && <span className="c-chat__ref">{chatLabel(chat)}</span>}
            {chat.visitor?.email && (
              <a className="c-chat__email" href={`mailto:${chat.visitor.email}`}>
                {chat.visitor.email}
              </a>
            )}
            <span className={`p-badge c-status c-status--${chat.status}`}>{STATUS_LABELS[chat.status]}</span>
            <VisitorSummary visitor={chat.visitor ?? {}} />
          </div>
          <div className="c-chat__actions">
            {(chat.status === 'bot' || chat.status === 'waiting') && (
              <button type="button" className="primary" onClick={() => act('assign')}>
                Take
              </button>
            )}
            <SettingsMenu onFiles={attach} accept={accept} disabled={closed} />
            {!closed && (
              <button type="button" aria-expanded={confirmClose} onClick={() => setConfirmClose((c) => !c)}>
                Close
              </button>
            )}
            {closed && (
              <button type="button" onClick={() => act('reopen')}>
                Reopen
              </button>
            )}
          </div>
        </header>
        {confirmClose && !closed && (
          <div className="c-confirm" role="alertdialog" aria-labelledby="close-confirm-text">
            <p id="close-confirm-text">
              Close this chat? The visitor keeps its history and files, and can start a new conversation.
            </p>
            <div className="c-confirm__actions">
              <button type="button" className="danger" autoFocus onClick={() => act('close')}>
                Close chat
              </button>
              <button type="button" onClick={() => setConfirmClose(false)}>
                Cancel
              </button>
            </div>
          </div>
        )}
        {(actionError || error) && (
          <p className="p-notice p-notice--error" role="alert">
            {actionError || error}
          </p>
        )}
        <MessageList
          messages={messages}
          self="agent"
          visitorName={chat.visitor?.name}
          empty={<p className="p-muted c-chat__empty">No messages yet.</p>}
        />
        {visitorTyping && (
          <p className="c-typing" aria-live="polite">
            Visitor is typing…
          </p>
        )}
        <UploadList entries={uploads.entries} />
        <RefusalList refusals={uploads.refusals} onDismiss={uploads.dismiss} />
        {!closed && (
          <PastePreview
            images={pastedImages}
            onSend={(files) => {
              setPastedImages([]);
              attach(files);
              inputRef.current?.focus();
            }}
            onCancel={() => {
              setPastedImages([]);
              inputRef.current?.focus();
            }}
          />
        )}
        <AgentComposer
          disabled={closed}
          accept={accept}
          inputRef={inputRef}
          onSend={send}
          onFiles={attach}
          onTyping={() => socket?.emit('typing', { chatId: chat.id })}
        />
        {dragging && (
          <div className="p-drop" aria-hidden="true">
            <span>{rules && !rules.enabled ? 'File uploads are turned off' : 'Drop files to send'}</span>
          </div>
        )}
      </section>
      <div className="c-side">
        <VisitorPanel visitor={chat.visitor ?? {}} />
        <FilesPanel
          workspaceId={workspaceId}
          chatId={chat.id}
          onChoose={attach}
          accept={accept}
          refreshKey={panelKey}
        />
      </div>
    </div>
  );
}
