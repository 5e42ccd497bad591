// Data & privacy → Storage usage: bytes and files stored, by side and by type, as bars against the largest (and the
// quota, when the instance owner set one; the owner can change it here).
import { useState, type FormEvent } from 'react';
import { api, enc, type ApiError } from '../../ui/api.js';
import { formatSize } from '../../ui/format.js';
import { useLoad } from '../useLoad.js';
import type { Schemas } from '../../ui/types.js';

type Usage = Schemas['Usage'];

const MB = 1024 * 1024;

function Bars({ label, rows }: { label: string; rows: { name: string; bytes: number; files: number }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.bytes));
  return (
    <figure className="a-chart">
      <figcaption>{label}</figcaption>
      <ul aria-label={label}>
        {rows.map((r) => (
          <li key={r.name} className="a-chart__row">
            <span className="a-chart__name">{r.name}</span>
            <span className="a-chart__track" aria-hidden="true">
              {/* A share too small to see keeps a 2-pixel bar; none (0 B) keeps none. */}
              {r.bytes > 0 && <span className="a-chart__bar" style={{ width: `${(100 * r.bytes) / max}%` }} />}
            </span>
            <span className="a-chart__value">
              {formatSize(r.bytes)} · {r.files} {r.files === 1 ? 'file' : 'files'}
            </span>
          </li>
        ))}
        {rows.length === 0 && <li className="p-muted">No files stored.</li>}
      </ul>
    </figure>
  );
}

export function UsagePage({ workspaceId, isOwner }: { workspaceId: string; isOwner: boolean }) {
  const path = `/api/workspaces/${enc(workspaceId)}/usage`;
  const { data, error, reload } = useLoad<Usage>(path);
  const [quotaText, setQuotaText] = useState<string>();
  const [quotaState, setQuotaState] = useState<string>();

  if (error)
    return (
      <p className="p-notice p-notice--error" role="alert">
        {error}
      </p>
    );
  if (!data) return <p className="p-muted">Loading…</p>;
  const quota = data.quotaBytes;
  const used = quota ? Math.min(100, Math.round((100 * data.bytes) / quota)) : undefined;

  async function saveQuota(e: FormEvent) {
    e.preventDefault();
    const t = (quotaText ?? '').trim();
    try {
      await api(`/api/workspaces/${enc(workspaceId)}`, {
        method: 'PUT',
        body: { quotaBytes: t === '' ? null : Math.round(Number(t) * MB) },
      });
      setQuotaState('Saved');
      await reload();
    } catch (err) {
      setQuotaState((err as ApiError).message);
    }
  }

  return (
    <section>
      <p className="a-crumbs">Data &amp; privacy</p>
      <div className="a-title-row">
        <h1>Storage usage</h1>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      <div className="a-card">
        <p className="a-usage-total">
          <strong>{formatSize(data.bytes)}</strong> in <strong>{data.files}</strong>{' '}
          {data.files === 1 ? 'file' : 'files'}
          {quota !== null && <> of a {formatSize(quota)} quota</>}
        </p>
        {used !== undefined && (
          <meter
            className="a-meter"
            min={0}
            max={100}
            low={80}
            high={95}
            optimum={0}
            value={used}
            aria-label="Quota used"
          >
            {used}%
          </meter>
        )}
        <Bars
          label="By side"
          rows={[
            { name: 'Visitors', ...data.bySide.visitor },
            { name: 'Agents and bot', ...data.bySide.agent },
          ]}
        />
        <Bars label="By type" rows={data.byType.map((t) => ({ name: t.type, bytes: t.bytes, files: t.files }))} />
      </div>
      {isOwner && (
        <form className="a-card a-form" onSubmit={saveQuota} aria-label="Storage quota">
          <label htmlFor="quota-mb">Quota in MB (empty: no quota)</label>
          <input
            id="quota-mb"
            type="number"
            min={0}
            step={1}
            value={quotaText ?? (quota === null ? '' : String(Math.round(quota / MB)))}
            onChange={(e) => setQuotaText(e.target.value)}
          />
          <div className="a-savebar">
            <button type="submit" className="primary">
              Save quota
            </button>
            <span role="status" className="a-saved">
              {quotaState}
            </span>
          </div>
        </form>
      )}
    </section>
  );
}
