// Deliveries: every forwarding of a file to S3 or the callback, filterable by status, kind and chat, each re-sendable
// and opening a drawer with its attempts.
import { useState } from 'react';
import { enc } from '../../ui/api.js';
import { formatTime } from '../../ui/format.js';
import type { Answer, Delivery } from '../../ui/types.js';
import { DeliveryDrawer } from '../DeliveryDrawer.js';
import { DeliveryStatus, KIND } from '../DeliveryStatus.js';
import { useKeysetList } from '../useKeysetList.js';
import { ChatRefLink } from '../../ui/ChatRef.js';

const STATUSES = ['', 'pending', 'succeeded', 'failed', 'dead'] as const;
const KINDS = ['', 's3', 'callback'] as const;
const deliveriesOf = (a: Answer<'/api/workspaces/{ws}/deliveries', 'get'>) => a.deliveries;

export function DeliveriesPage({ workspaceId }: { workspaceId: string }) {
  const [status, setStatus] = useState<string>('');
  const [kind, setKind] = useState<string>('');
  const [chat, setChat] = useState('');
  const [chatFilter, setChatFilter] = useState('');
  const [openId, setOpenId] = useState<string>();
  const filters = { status, kind, chatId: chatFilter.trim().replace(/^#/, '') };
  const deliveries = useKeysetList(`/api/workspaces/${enc(workspaceId)}/deliveries`, filters, deliveriesOf);
  const { rows: list, error, loading, reload } = deliveries;
  const replace = (d: Delivery) => deliveries.setRows((cur) => cur.map((x) => (x.id === d.id ? { ...x, ...d } : x)));

  return (
    <section>
      <p className="a-crumbs">Integrations</p>
      <div className="a-title-row">
        <h1>Deliveries</h1>
        {/* Beside the title, as on List File and Storage usage (at the row's end it went to a line of its own). */}
        <button type="button" onClick={reload} disabled={loading}>
          Refresh
        </button>
        <label className="a-inline">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'All'}
              </option>
            ))}
          </select>
        </label>
        <label className="a-inline">
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k ? KIND[k] : 'All'}
              </option>
            ))}
          </select>
        </label>
        <form
          className="a-inline"
          onSubmit={(e) => {
            e.preventDefault();
            setChatFilter(chat);
          }}
        >
          <label className="a-inline">
            Chat
            <input type="text" value={chat} placeholder="#REF" onChange={(e) => setChat(e.target.value)} />
          </label>
          <button type="submit">Filter</button>
        </form>
      </div>
      {error && !deliveries.errorOnMore && (
        <p className="p-notice p-notice--error" role="alert">
          {error}
        </p>
      )}
      <div className="a-card a-table-wrap">
        <table className="p-table" aria-label="Deliveries">
          <thead>
            <tr>
              <th>File</th>
              <th>Kind</th>
              <th>Chat</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.id}>
                <td>
                  <button
                    type="button"
                    className="a-link-button"
                    aria-label={`Details of ${KIND[d.kind]} delivery of ${d.fileName ?? 'a deleted file'}`}
                    onClick={() => setOpenId(d.id)}
                  >
                    {d.fileName ?? '(deleted file)'}
                  </button>
                </td>
                <td>{KIND[d.kind]}</td>
                <td>
                  <ChatRefLink workspaceId={workspaceId} chatRef={d.chatRef} />
                </td>
                <td>
                  <DeliveryStatus workspaceId={workspaceId} delivery={d} onResent={replace} />
                </td>
                <td>{d.attempts}</td>
                <td className="a-nowrap">{formatTime(d.updatedAt)}</td>
              </tr>
            ))}
            {list.length === 0 && !loading && (
              <tr>
                <td colSpan={6} className="p-muted">
                  No deliveries.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {error && deliveries.errorOnMore && (
        <p className="p-notice p-notice--error" role="alert">
          {error}
        </p>
      )}
      {deliveries.hasMore && (
        <button type="button" onClick={deliveries.loadMore}>
          Load more
        </button>
      )}
      {openId && (
        <DeliveryDrawer
          key={openId}
          workspaceId={workspaceId}
          deliveryId={openId}
          onClose={() => setOpenId(undefined)}
          onResent={replace}
        />
      )}
    </section>
  );
}
