// Data & privacy → Visitor data (GDPR access and erasure): find a visitor by one of their chats or by the name or
// email the bot collected, then "Export" (a zip of transcript and files) or "Erase" (after confirmation).
import { useState, type FormEvent } from 'react';
import { api, enc } from '../../ui/api.js';
import { formatTime } from '../../ui/format.js';
import { downloadPost } from '../lifecycle/download.js';
import type { Answer } from '../../ui/types.js';
import { useKeysetList } from '../useKeysetList.js';
import { ConfirmButton } from '../ConfirmButton.js';

type Visitors = Answer<'/api/workspaces/{ws}/visitors', 'get'>;
type Visitor = Visitors['visitors'][number];
const visitorsOf = (a: Visitors) => a.visitors;

export function VisitorsPage({ workspaceId }: { workspaceId: string }) {
  const base = `/api/workspaces/${enc(workspaceId)}`;
  const [by, setBy] = useState<'chat' | 'q'>('chat');
  const [text, setText] = useState('');
  const [search, setSearch] = useState<Record<string, string>>();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const visitors = useKeysetList(search && `${base}/visitors`, search ?? {}, visitorsOf, { reloadOn: search });
  const found = visitors.loaded ? visitors.rows : undefined;

  function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    setStatus(undefined);
    setSearch({ [by]: text.trim() });
  }

  function exportVisitor(v: Visitor) {
    setError(undefined);
    setStatus(`Downloading the data of ${label(v)}…`);
    downloadPost(`${base}/visitors/${enc(v.id)}/export`, {}, setError);
  }

  async function erase(v: Visitor) {
    setError(undefined);
    try {
      await api(`${base}/visitors/${enc(v.id)}`, { method: 'DELETE' });
      visitors.setRows((cur) => cur.filter((x) => x.id !== v.id));
      setStatus(`${label(v)} is being erased: chats, messages, files and forwarded copies.`);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  const label = (v: Visitor) => v.name || v.email || `Visitor ${v.chats[0] ? `of chat #${v.chats[0].ref}` : v.id}`;

  return (
    <section>
      <p className="a-crumbs">Data &amp; privacy</p>
      <h1>Visitor data</h1>
      <p className="a-intro">
        A visitor's right of access and to erasure: export everything Parley holds about them, or erase it, including
        uploads in progress and (where configured) the copies in your bucket and at your callback. The audit log records
        the erasure without personal data.
      </p>
      <form className="a-filters" onSubmit={submit} aria-label="Find a visitor">
        <label>
          Find by
          <select value={by} onChange={(e) => setBy(e.target.value as 'chat' | 'q')}>
            <option value="chat">Chat reference or id</option>
            <option value="q">Name or email</option>
          </select>
        </label>
        <label>
          Search
          <input
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={by === 'chat' ? '#K7M3QP' : 'ada@example.com'}
          />
        </label>
        <div className="a-filters__actions">
          <button type="submit" className="primary" disabled={text.trim().length < (by === 'q' ? 2 : 1)}>
            Find
          </button>
        </div>
      </form>
      {(error ?? visitors.error) && (
        <p className="p-notice p-notice--error" role="alert">
          {error ?? visitors.error}
        </p>
      )}
      <p role="status" className="a-saved">
        {status}
      </p>
      {found && (
        <div className="a-card a-table-wrap">
          <table className="p-table" aria-label="Visitors found">
            <thead>
              <tr>
                <th>Visitor</th>
                <th>Chats</th>
                <th>First seen</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {found.map((v) => (
                <tr key={v.id}>
                  <td>
                    {label(v)}
                    {v.name && v.email && <span className="p-muted a-small"> {v.email}</span>}
                  </td>
                  <td>{v.chats.map((c) => `#${c.ref} (${c.status})`).join(', ')}</td>
                  <td className="a-nowrap">{formatTime(v.createdAt)}</td>
                  <td className="a-nowrap">
                    <button type="button" onClick={() => exportVisitor(v)}>
                      Export
                    </button>{' '}
                    <ConfirmButton
                      groupLabel={`Confirm erasing ${label(v)}`}
                      question="Erase all their data? This cannot be undone."
                      yes="Yes, erase"
                      onConfirm={() => erase(v)}
                    >
                      Erase
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
              {found.length === 0 && (
                <tr>
                  <td colSpan={4} className="p-muted">
                    No visitor found.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {visitors.hasMore && (
        <button type="button" className="a-more" onClick={visitors.loadMore} disabled={visitors.loading}>
          Load more
        </button>
      )}
    </section>
  );
}
