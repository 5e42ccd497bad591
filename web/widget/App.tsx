// The visitor's chat inside the iframe: header, messages (with bot replies and upload requests), uploads, composer.
// Files arrive by the attach button, drag & drop and paste; all three go through the same checks.
import { useEffect, useRef } from 'react';
import { MessageList } from '../ui/MessageList.js';
import { RefusalList } from '../ui/RefusalList.js';
import { UploadList } from '../ui/UploadList.js';
import type { Message } from '../ui/types.js';
import { ChoiceButtons } from './ChoiceButtons.js';
import { Composer } from './Composer.js';
import { Header } from './Header.js';
import { UploadRequestCard } from './UploadRequestCard.js';
import { inFrame, onParentOpen } from './parent.js';
import { choicesOpen, requestClosedText } from './requests.js';
import { useDropAndPaste } from './useDropAndPaste.js';
import { useWidgetChat } from './useWidgetChat.js';
import { useWidgetFiles } from './useWidgetFiles.js';

export function App({ widgetKey }: { widgetKey: string }) {
  const chat = useWidgetChat(widgetKey);
  const files = useWidgetFiles(chat.session, chat.addMessages, chat.refreshSession);
  const { dragging, handlers } = useDropAndPaste((list) => files.attach(list));
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const status = chat.session?.chat.status;

  // Each time the visitor opens the chat (or comes back to the tab) the rules are read again, so an admin's change
  // (uploads turned off, other types) shows without a reload.
  const refreshSession = chat.refreshSession;
  useEffect(() => {
    const refresh = () => refreshSession().catch(() => undefined);
    const onVisible = () => document.visibilityState === 'visible' && refresh();
    document.addEventListener('visibilitychange', onVisible);
    const stop = onParentOpen(() => {
      inputRef.current?.focus();
      refresh();
    });
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refreshSession]);
  // The loader creates the iframe when the visitor opens the chat, so being ready means they want to type.
  useEffect(() => {
    if (chat.state === 'ready' && inFrame) inputRef.current?.focus();
  }, [chat.state]);

  const sendText = chat.sendText;

  const extra = (m: Message) => {
    if (m.kind === 'upload_request' && m.request) {
      return (
        <UploadRequestCard
          request={m.request}
          showPrompt={!!m.request.prompt && m.request.prompt !== m.text}
          closedText={requestClosedText(m, chat.messages, status, files.closedRequests)}
          busy={files.busyRequest === m.request.id}
          onFiles={(list) => files.attach(list, m.request)}
          onSkip={() => files.skip(m.request!)}
        />
      );
    }
    if (m.buttons && m.buttons.length > 0) {
      return <ChoiceButtons buttons={m.buttons} disabled={!choicesOpen(m, chat.messages, status)} onChoose={(label) => sendText(label).catch(() => undefined)} />;
    }
    return null;
  };

  return (
    <div className="w-app" {...handlers}>
      <Header status={status} offline={chat.offline} onTalkToAgent={() => sendText('agent').catch(() => undefined)} />
      {chat.state === 'error' ? (
        <div className="w-state p-notice p-notice--error" role="alert">The chat could not start: {chat.error}</div>
      ) : chat.state === 'loading' ? (
        <div className="w-state p-muted">Connecting…</div>
      ) : (
        <MessageList messages={chat.messages} self="visitor" extra={extra} empty={<p className="w-empty">Ask us anything — you can also send files.</p>} />
      )}
      {chat.otherTyping && <p className="w-typing" aria-live="polite">Agent is typing…</p>}
      <UploadList entries={files.uploads.entries} />
      <RefusalList refusals={files.uploads.refusals} onDismiss={files.uploads.dismiss} />
      <Composer
        uploadsEnabled={!!chat.session?.uploads.enabled}
        disabled={chat.state !== 'ready'}
        inputRef={inputRef}
        onSend={sendText}
        onFiles={(list) => files.attach(list)}
        onTyping={chat.notifyTyping}
      />
      {dragging && (
        <div className="w-drop" aria-hidden="true">
          <span>{chat.session?.uploads.enabled ? 'Drop files to send' : 'File uploads are turned off'}</span>
        </div>
      )}
    </div>
  );
}
