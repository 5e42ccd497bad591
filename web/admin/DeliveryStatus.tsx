// One forwarding of a file (to S3 or the callback): status, remote id/url or last error, and "Re-send" (disabled while
// it is under way; the caller shows the state the server answered at once).
import { useState } from 'react';
import { api, enc } from '../ui/api.js';
import type { Answer, Delivery } from '../ui/types.js';

export const KIND = {
  s3: 'S3',
  callback: 'Callback',
  's3-delete': 'S3 delete',
  'callback-event': 'Callback event',
} as const;

export function DeliveryStatus({
  workspaceId,
  delivery,
  onResent,
}: {
  workspaceId: string;
  delivery: Delivery;
  onResent?: (d: Delivery) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function resend() {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<Answer<'/api/workspaces/{ws}/deliveries/{id}/retry', 'post'>>(
        `/api/workspaces/${enc(workspaceId)}/deliveries/${enc(delivery.id)}/retry`,
        { method: 'POST', body: {} },
      );
      // The server's state right after the re-send (pending): shown at once, so it cannot be re-sent twice. The
      // answer is the bare delivery: what lists add (the file name, the chat's reference) is kept.
      onResent?.({ ...delivery, ...answer.delivery });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const remote = delivery.remoteUrl || delivery.remoteUid || delivery.s3Key;
  return (
    <div className="a-delivery">
      <span className={`p-badge p-badge--${delivery.status}`}>
        {KIND[delivery.kind]}: {delivery.status}
      </span>
      {remote && (
        <span className="a-delivery__remote" title={remote}>
          {delivery.remoteUid ? `uid ${delivery.remoteUid}` : remote}
        </span>
      )}
      {delivery.remoteUrl && (
        <a href={delivery.remoteUrl} target="_blank" rel="noopener noreferrer">
          remote copy
        </a>
      )}
      {delivery.lastError && delivery.status !== 'succeeded' && (
        <span className="a-delivery__error">{delivery.lastError}</span>
      )}
      {delivery.status !== 'pending' && (
        <button
          type="button"
          className="a-small"
          disabled={busy}
          onClick={resend}
          aria-label={`Re-send to ${KIND[delivery.kind]}`}
        >
          {busy ? 'Re-sending…' : 'Re-send'}
        </button>
      )}
      {error && (
        <span className="p-field__error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
