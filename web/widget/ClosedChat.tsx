// Shown instead of the typing area once the chat is closed: the history above stays readable, its transcript can be
// downloaded, and "Start a new conversation" begins a new chat.
import { useState } from 'react';

export function ClosedChat({
  onStartNew,
  onTranscript,
}: {
  onStartNew: () => Promise<void>;
  onTranscript: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <section className="w-closed" aria-label="Conversation closed">
      <p className="w-closed__text">This conversation was closed. You can still read it and download its files.</p>
      {error && (
        <p className="w-composer__error" role="alert">
          {error}
        </p>
      )}
      <div className="w-closed__actions">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(undefined);
            try {
              await onStartNew();
            } catch (e) {
              setError((e as Error).message);
            } finally {
              setBusy(false);
            }
          }}
        >
          Start a new conversation
        </button>
        <button type="button" onClick={onTranscript}>
          Download transcript
        </button>
      </div>
    </section>
  );
}
