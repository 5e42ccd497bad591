// One delivery in a side drawer: what was sent where (file name, chat, full S3 key or the receiver's uid/URL, each
// copyable) and every attempt, oldest first, with its outcome, HTTP status and error. Escape or "Close" shuts it.
import { useEffect, useRef, useState } from 'react';
import { enc } from '../ui/api.js';
import { ChatRefLink } from '../ui/ChatRef.js';
import { formatTime } from '../ui/format.js';
import type { Answer, Delivery } from '../ui/types.js';
import { CopyButton } from './CopyButton.js';
import { DeliveryStatus, KIND } from './DeliveryStatus.js';
import { useLoad } from './useLoad.js';

type Detail = Answer<'/api/workspaces/{ws}/deliveries/{id}', 'get'>;

const FOLLOW_MS = 30_000;

export function DeliveryDrawer({
  workspaceId,
  deliveryId,
  onClose,
  onResent,
}: {
  workspaceId: string;
  deliveryId: string;
  onClose: () => void;
  onResent: (d: Delivery) => void;
}) {
  const { data, setData, error, reload } = useLoad<Detail>(
    `/api/workspaces/${enc(workspaceId)}/deliveries/${enc(deliveryId)}`,
  );
  // After a re-send: read the delivery again every second while it is pending, for a while (its attempt is due now).
  const [followUntil, setFollowUntil] = useState(0);
  const pending = data?.delivery.status === 'pending';
  useEffect(() => {
    if (!pending || followUntil === 0) return;
    const timer = window.setInterval(() => (Date.now() > followUntil ? window.clearInterval(timer) : reload()), 1000);
    return () => window.clearInterval(timer);
  }, [pending, followUntil, reload]);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const d = data?.delivery;
  const title = d ? `Delivery of ${d.fileName ?? 'a deleted file'}` : 'Delivery';
  return (
    <aside className="a-drawer" role="dialog" aria-modal="false" aria-label={title}>
      <div className="a-drawer__head">
        <h2>{title}</h2>
        <button type="button" ref={closeRef} onClick={onClose}>
          Close
        </button>
      </div>
      {error && (
        <p className="p-notice p-notice--error" role="alert">
          {error}
        </p>
      )}
      {d && (
        <>
          <dl className="a-drawer__facts">
            <dt>Kind</dt>
            <dd>{KIND[d.kind]}</dd>
            <dt>Status</dt>
            <dd>
              <DeliveryStatus
                workspaceId={workspaceId}
                delivery={d}
                onResent={(x) => {
                  onResent(x);
                  setData((cur) => cur && { ...cur, delivery: x });
                  setFollowUntil(Date.now() + FOLLOW_MS);
                }}
              />
            </dd>
            <dt>Chat</dt>
            <dd>
              <ChatRefLink workspaceId={workspaceId} chatRef={d.chatRef} />
            </dd>
            {d.s3Key && <Copyable label="S3 key" value={d.s3Key} />}
            {d.remoteUid && <Copyable label="Remote uid" value={d.remoteUid} />}
            {d.remoteUrl && <Copyable label="Remote URL" value={d.remoteUrl} />}
            {d.nextAttemptAt && (
              <>
                <dt>Next attempt</dt>
                <dd>{formatTime(d.nextAttemptAt)}</dd>
              </>
            )}
          </dl>
          <h3>Attempts</h3>
          <table className="p-table" aria-label="Attempts">
            <thead>
              <tr>
                <th>#</th>
                <th>When</th>
                <th>Outcome</th>
                <th>HTTP</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {data.attempts.map((a, n) => (
                <tr key={a.id}>
                  <td>{n + 1}</td>
                  <td className="a-nowrap">{formatTime(a.startedAt ?? a.at)}</td>
                  <td>{a.outcome ?? 'under way'}</td>
                  <td>{a.httpStatus ?? a.status ?? '—'}</td>
                  <td className="a-drawer__error">{a.error ?? ''}</td>
                </tr>
              ))}
              {data.attempts.length === 0 && (
                <tr>
                  <td colSpan={5} className="p-muted">
                    No attempt yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </>
      )}
    </aside>
  );
}

function Copyable({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className="a-drawer__copy">
        <code title={value}>{value}</code>
        <CopyButton text={value} label={`Copy ${label}`} />
      </dd>
    </>
  );
}
