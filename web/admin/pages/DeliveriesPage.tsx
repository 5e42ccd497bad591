// Deliveries: every forwarding of a file to S3 or the callback, filterable by status, each re-sendable.
import { useState } from 'react';
import { enc, query } from '../../ui/api.js';
import { formatTime } from '../../ui/format.js';
import type { Delivery } from '../../ui/types.js';
import { DeliveryStatus } from '../DeliveryStatus.js';
import { useLoad } from '../useLoad.js';

const STATUSES = ['', 'pending', 'succeeded', 'failed', 'dead'] as const;

export function DeliveriesPage({ workspaceId }: { workspaceId: string }) {
  const [status, setStatus] = useState<string>('');
  const { data, setData, error, loading, reload } = useLoad<{ deliveries: Delivery[] }>(
    `/api/workspaces/${enc(workspaceId)}/deliveries${query({ status })}`,
  );
  const list = data?.deliveries ?? [];
  const replace = (d: Delivery) => setData({ deliveries: list.map((x) => (x.id === d.id ? d : x)) });

  return (
    <section>
      <p className="a-crumbs">Integrations</p>
      <div className="a-title-row">
        <h1>Deliveries</h1>
        <label className="a-inline">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            {STATUSES.map((s) => <option key={s} value={s}>{s || 'All'}</option>)}
          </select>
        </label>
        <button type="button" onClick={reload} disabled={loading}>Refresh</button>
      </div>
      {error && <p className="p-notice p-notice--error" role="alert">{error}</p>}
      <div className="a-card a-table-wrap">
        <table className="p-table" aria-label="Deliveries">
          <thead><tr><th>File</th><th>Status</th><th>Attempts</th><th>Updated</th></tr></thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.id}>
                <td><code title={d.fileId}>{d.fileId.slice(-8)}</code></td>
                <td><DeliveryStatus workspaceId={workspaceId} delivery={d} onResent={replace} /></td>
                <td>{d.attempts}</td>
                <td className="a-nowrap">{formatTime(d.updatedAt)}</td>
              </tr>
            ))}
            {list.length === 0 && !loading && <tr><td colSpan={4} className="p-muted">No deliveries.</td></tr>}
          </tbody>
        </table>
      </div>
    </section>
  );
}
