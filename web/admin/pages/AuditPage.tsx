// Data & privacy → Audit log: who did what, newest first, filtered by action, actor and dates, with "Load more" and
// the same filters as a CSV download.
import { useState, type FormEvent } from 'react';
import { enc, query } from '../../ui/api.js';
import { formatTime } from '../../ui/format.js';
import type { Answer } from '../../ui/types.js';
import { useKeysetList } from '../useKeysetList.js';

const entriesOf = (a: Answer<'/api/workspaces/{ws}/audit', 'get'>) => a.entries;

const ACTIONS = [
  ['', 'Any action'],
  ['auth.*', 'Sign-ins (all)'],
  ['auth.sign_in_failed', 'Failed sign-ins'],
  ['file.*', 'Files (downloaded, deleted, released)'],
  ['file.downloaded', 'File downloaded'],
  ['file.deleted', 'File deleted'],
  ['files.*', 'Zips and file lists'],
  ['settings.changed', 'Settings changed'],
  ['integration.changed', 'Integrations changed'],
  ['member.*', 'Members'],
  ['token.*', 'API tokens'],
  ['visitor.*', 'Visitor exports and erasures'],
  ['retention.applied', 'Retention runs'],
  ['delivery.resent', 'Deliveries re-sent'],
] as const;

interface Filters {
  action: string;
  actorId: string;
  from: string;
  to: string;
}
const NONE: Filters = { action: '', actorId: '', from: '', to: '' };

const day = (d: string, plus = 0) => {
  if (!d) return undefined;
  const t = new Date(`${d}T00:00:00`);
  t.setDate(t.getDate() + plus);
  return t.toISOString();
};
const toQuery = (f: Filters) => ({ action: f.action, actorId: f.actorId.trim(), from: day(f.from), to: day(f.to, 1) });

const detailText = (d: Record<string, unknown>) =>
  Object.entries(d)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join('; ');

export function AuditPage({ workspaceId }: { workspaceId: string }) {
  const [form, setForm] = useState<Filters>(NONE);
  const [filters, setFilters] = useState<Filters>(NONE);
  const base = `/api/workspaces/${enc(workspaceId)}`;
  const audit = useKeysetList(`${base}/audit`, toQuery(filters), entriesOf, { limit: 50, reloadOn: filters });
  const entries = audit.rows;

  const set = (k: keyof Filters, v: string) => setForm({ ...form, [k]: v });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilters(form);
  };

  return (
    <section>
      <p className="a-crumbs">Data &amp; privacy</p>
      <div className="a-title-row">
        <h1>Audit log</h1>
        <a className="p-button" href={`${base}/audit.csv${query(toQuery(filters))}`} download="audit.csv">
          Export CSV
        </a>
      </div>
      <p className="a-intro">
        Every sign-in, staff download, deletion, setting change, member and token change, export and erasure. Entries
        name fields and counts, never secrets or visitors' personal data.
      </p>
      <form className="a-filters" onSubmit={submit} aria-label="Filter the audit log">
        <label>
          Action
          <select value={form.action} onChange={(e) => set('action', e.target.value)}>
            {ACTIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Actor id
          <input type="text" value={form.actorId} onChange={(e) => set('actorId', e.target.value)} />
        </label>
        <label>
          From
          <input type="date" value={form.from} onChange={(e) => set('from', e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={form.to} onChange={(e) => set('to', e.target.value)} />
        </label>
        <div className="a-filters__actions">
          <button type="submit" className="primary">
            Filter
          </button>
          <button
            type="button"
            onClick={() => {
              setForm(NONE);
              setFilters(NONE);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {audit.error && (
        <p className="p-notice p-notice--error" role="alert">
          {audit.error}
        </p>
      )}
      <div className="a-card a-table-wrap">
        <table className="p-table" aria-label="Audit log">
          <thead>
            <tr>
              <th>Time</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Target</th>
              <th>From</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td className="a-nowrap">{formatTime(e.at)}</td>
                <td>
                  {e.actorRole}
                  {e.actorId && <span className="p-muted a-small"> {e.actorId}</span>}
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.target ?? <span className="p-muted">—</span>}</td>
                <td className="a-small" title={e.userAgent ?? undefined}>
                  {e.ip ?? '—'}
                </td>
                <td className="a-small">{detailText(e.details)}</td>
              </tr>
            ))}
            {entries.length === 0 && !audit.loading && (
              <tr>
                <td colSpan={6} className="p-muted">
                  No entries match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {audit.hasMore && (
        <button type="button" className="a-more" onClick={audit.loadMore} disabled={audit.loading}>
          Load more
        </button>
      )}
    </section>
  );
}
