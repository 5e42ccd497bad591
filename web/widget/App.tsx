// The visitor's chat inside the iframe: header, messages (with bot replies and upload requests), uploads, composer.
// Files arrive by the attach button, drag & drop and paste (pasted images are previewed and named first); all go
// through the same checks.
import { useEffect, useRef, useState } from 'react';
import { MessageList } from '../ui/MessageList.js';
import { PastePreview, pasted, type PastedImage } from '../ui/PastePreview.js';
import { RefusalList } from '../ui/RefusalList.js';
import { UploadList } from '../ui/UploadList.js';
import { useDropAndPaste } from '../ui/useDropAndPaste.js';
import type { Message } from '../ui/types.js';
import { acceptFor, withExtraTypes } from '../ui/file-rules.js';
import { downloadTranscript } from '../ui/transcript.js';
import { ChoiceButtons } from './ChoiceButtons.js';
import { ClosedChat } from './ClosedChat.js';
import { Composer } from './Composer.js';
import { Header } from './Header.js';
import { brandStyle } from './brand.js';
import { UploadRequestCard } from './UploadRequestCard.js';
import { inFrame, onParentOpen } from './parent.js';
import { choicesOpen, requestClosedText } from './requests.js';
import { useWidgetChat } from './useWidgetChat.js';
import { useWidgetFiles } from './useWidgetFiles.js';

export function App({ widgetKey }: { widgetKey: string }) {
  const chat = useWidgetChat(widgetKey);
  const files = useWidgetFiles(chat.session, chat.addMessages, chat.refreshSession);
  const [pastedImages, setPastedImages] = useState<PastedImage[]>([]);
  const { dragging, handlers } = useDropAndPaste(
    (list) => files.attach(list),
    (images) => setPastedImages((p) => [...p, ...pasted(images)]),
  );
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const status = chat.session?.chat.status;
  const closed = status === 'closed';
  // The admin's greeting (embed settings), above the conversation; the bot's own greeting is a message below it.
  const greeting = chat.session?.appearance.greeting;

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

  // After "Start a new conversation" the typing area is back: put the cursor in it.
  const wasClosed = useRef(false);
  useEffect(() => {
    if (wasClosed.current && !closed) inputRef.current?.focus();
    wasClosed.current = closed;
  }, [closed]);

  const sendText = chat.sendText;

  const extra = (m: Message) => {
    if (m.kind === 'upload_request' && m.request) {
      return (
        <UploadRequestCard
          request={m.request}
          showPrompt={!!m.request.prompt && m.request.prompt !== m.text}
          closedText={requestClosedText(m, chat.messages, status, files.closedRequests)}
          busy={files.busyRequest === m.request.id}
          accept={acceptFor(
            chat.session
              ? withExtraTypes(chat.session.uploads, m.request.allowedTypes).allowedTypes
              : m.request.allowedTypes,
          )}
          onFiles={(list) => files.attach(list, m.request)}
          onSkip={() => files.skip(m.request!)}
        />
      );
    }
    if (m.buttons && m.buttons.length > 0) {
      return (
        <ChoiceButtons
          buttons={m.buttons}
          disabled={!choicesOpen(m, chat.messages, status)}
          onChoose={(label) => sendText(label).catch(() => undefined)}
        />
      );
    }
    return null;
  };

  return (
    <div className="w-app" style={brandStyle(chat.session?.appearance.color)} {...(closed ? {} : handlers)}>
      <Header status={status} offline={chat.offline} onTalkToAgent={() => sendText('agent').catch(() => undefined)} />
      {chat.state === 'error' ? (
        <div className="w-state p-notice p-notice--error" role="alert">
          The chat could not start: {chat.error}
        </div>
      ) : chat.state === 'loading' ? (
        <div className="w-state p-muted">Connecting…</div>
      ) : (
        <MessageList
          messages={chat.messages}
          self="visitor"
          extra={extra}
          lead={greeting ? <p className="w-greeting">{greeting}</p> : undefined}
          empty={greeting ? undefined : <p className="w-empty">Ask us anything — you can also send files.</p>}
        />
      )}
      {chat.otherTyping && (
        <p className="w-typing" aria-live="polite">
          Agent is typing…
        </p>
      )}
      <UploadList entries={files.uploads.entries} />
      <RefusalList refusals={files.uploads.refusals} onDismiss={files.uploads.dismiss} />
      {closed ? (
        <ClosedChat
          onStartNew={chat.startNew}
          onTranscript={() => downloadTranscript(chat.session?.chat.ref, chat.messages)}
        />
      ) : (
        <>
          <PastePreview
            images={pastedImages}
            onSend={(list) => {
              setPastedImages([]);
              files.attach(list);
              inputRef.current?.focus();
            }}
            onCancel={() => {
              setPastedImages([]);
              inputRef.current?.focus();
            }}
          />
          <Composer
            uploadsEnabled={!!chat.session?.uploads.enabled}
            accept={acceptFor(chat.session?.uploads.allowedTypes)}
            disabled={chat.state !== 'ready'}
            inputRef={inputRef}
            onSend={sendText}
            onFiles={(list) => files.attach(list)}
            onTyping={chat.notifyTyping}
          />
        </>
      )}
      {dragging && (
        <div className="p-drop" aria-hidden="true">
          <span>{chat.session?.uploads.enabled ? 'Drop files to send' : 'File uploads are turned off'}</span>
        </div>
      )}
    </div>
  );
}
