// Members: who works in this workspace and their roles; invite by e-mail (a one-time sign-in link to pass on, no
// e-mail server needed); withdraw a pending invitation; remove a member (not the instance owner, shown as Owner).
import { useState, type FormEvent } from 'react';
import { api, enc, type ApiError } from '../../ui/api.js';
import { CopyButton } from '../CopyButton.js';
import { Field } from '../Field.js';
import { SaveBar, type SaveState } from '../SaveBar.js';
import { useLoad } from '../useLoad.js';
import { formatTime } from '../../ui/format.js';
import type { Answer, Schemas } from '../../ui/types.js';

type Role = 'admin' | 'agent';
type Members = Answer<'/api/workspaces/{ws}/members', 'get'>;
type InvitationView = Schemas['Invitation'];

const BLANK = { email: '', name: '', role: 'agent' as Role };

export function MembersPage({ workspaceId, selfId }: { workspaceId: string; selfId: string }) {
  const base = `/api/workspaces/${enc(workspaceId)}/members`;
  const { data, error, reload } = useLoad<Members>(base);
  const [form, setForm] = useState(BLANK);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [actionError, setActionError] = useState<string>();
  const [created, setCreated] = useState<InvitationView>();

  async function invite(e: FormEvent) {
    e.preventDefault();
    setSave({ kind: 'saving' });
    setFields({});
    setCreated(undefined);
    try {
      const r = await api<Answer<'/api/workspaces/{ws}/members', 'post'>>(base, { body: form });
      setForm(BLANK);
      setCreated(r.invitation);
      setSave({ kind: 'saved', text: 'Invitation created' });
      reload();
    } catch (err) {
      setFields((err as ApiError).fields ?? {});
      setSave({ kind: 'error', text: (err as Error).message });
    }
  }

  async function act(path: string, init: { method: string; body?: unknown }) {
    setActionError(undefined);
    try {
      await api(path, init);
      reload();
    } catch (err) {
      setActionError((err as Error).message);
    }
  }
  const invitationsBase = `/api/workspaces/${enc(workspaceId)}/invitations`;

  return (
    <section>
      <h1>Members</h1>
      {(error || actionError) && (
        <p className="p-notice p-notice--error" role="alert">
          {error || actionError}
        </p>
      )}
      <div className="a-card a-table-wrap">
        <table className="p-table" aria-label="Members">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(data?.members ?? []).map((m) => (
              <tr key={m.id}>
                <td>{m.name}</td>
                <td>{m.email}</td>
                <td>
                  {m.owner ? (
                    // The instance owner is an admin of every workspace: no role to change, nobody may remove them.
                    'Owner'
                  ) : m.id === selfId ? (
                    m.role
                  ) : (
                    <select
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      onChange={(e) => act(`${base}/${enc(m.id)}`, { method: 'PUT', body: { role: e.target.value } })}
                    >
                      <option value="agent">Agent</option>
                      <option value="admin">Admin</option>
                    </select>
                  )}
                </td>
                <td>
                  {m.id !== selfId && !m.owner && (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => act(`${base}/${enc(m.id)}`, { method: 'DELETE' })}
                      aria-label={`Remove ${m.email}`}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {(data?.invitations ?? []).map((i) => (
              <tr key={i.id} className="a-pending">
                <td>{i.name || <span className="p-muted">—</span>}</td>
                <td>{i.email}</td>
                <td>
                  {i.role} <span className="p-badge">Invited · until {formatTime(i.expiresAt)}</span>
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => act(`${invitationsBase}/${enc(i.id)}`, { method: 'DELETE' })}
                    aria-label={`Withdraw the invitation of ${i.email}`}
                  >
                    Withdraw
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Invite</h2>
      <form className="a-card a-form" onSubmit={invite} noValidate>
        <p className="p-muted">
          You get a one-time sign-in link to give them. They choose their own password; someone who already has an
          account confirms with theirs.
        </p>
        <Field label="Email" error={fields.email}>
          <input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        </Field>
        <Field label="Name" error={fields.name} hint="Optional; they can change it when they accept.">
          <input type="text" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field label="Role" error={fields.role}>
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </Field>
        <SaveBar state={save} label="Create invitation" />
        {created?.link && (
          <div className="p-notice p-notice--info a-invite-link" role="status">
            <p>
              Give this one-time link to <strong>{created.email}</strong>. It works once, until{' '}
              {formatTime(created.expiresAt)}; it is not shown again.
            </p>
            <p>
              <code className="a-break" data-testid="invitation-link">
                {created.link}
              </code>{' '}
              <CopyButton text={created.link} label="Copy link" />
            </p>
          </div>
        )}
      </form>
    </section>
  );
}
