// The state of a text box that sends on Enter: the text, whether a send is under way, its error, and the key
// handler (Enter sends, Shift+Enter adds a line, IME composition is left alone). Shared by widget and console.
import { useState, type FormEvent, type KeyboardEvent } from 'react';

export function useTextSender(onSend: (text: string) => Promise<void>, afterSend?: () => void) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError(undefined);
    const focusedAtSend = document.activeElement;
    try {
      await onSend(body);
      setText('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
      // Back to the text box, unless the user has moved on while the send was under way (tabbed to the paperclip,
      // clicked elsewhere): a slow answer must not pull the focus away from where they are now.
      const now = document.activeElement;
      if (now === focusedAtSend || now === null || now === document.body) afterSend?.();
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
    e.preventDefault();
    void submit();
  }

  return { text, setText, busy, error, submit, onKeyDown };
}
