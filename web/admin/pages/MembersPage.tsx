// Members: who works in this workspace; invite an agent or admin with a first password; remove.
import { useState, type FormEvent } from 'react';
import { api, enc, type ApiError } from '../../ui/api.js';
import { Field } from '../Field.js';
import { SaveBar, type SaveState } from '../SaveBar.js';
import { useLoad } from '../useLoad.js';

interface Member {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
}

const BLANK = { email: '', name: '', password: '', role: 'agent' as 'agent' | 'admin' };

export function MembersPage({ workspaceId, selfId }: { workspaceId: string; selfId: string }) {
  const base = `/api/workspaces/${enc(workspaceId)}/members`;
  const { data, error, reload } = useLoad<{ members: Member[] }>(base);
  const [form, setForm] = useState(BLANK);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [removeError, setRemoveError] = useState<string>();

  async function invite(e: FormEvent) {
    e.preventDefault();
    setSave({ kind: 'saving' });
    setFields({});
    try {
      await api(base, { body: form });
      setForm(BLANK);
      setSave({ kind: 'saved', text: 'Member added' });
      reload();
    } catch (err) {
      setFields((err as ApiError).fields ?? {});
      setSave({ kind: 'error', text: (err as Error).message });
    }
  }

  async function remove(m: Member) {
    setRemoveError(undefined);
    try {
      await api(`${base}/${enc(m.id)}`, { method: 'DELETE' });
      reload();
    } catch (err) {
      setRemoveError((err as Error).message);
    }
  }

  return (
    <section>
      <h1>Members</h1>
      {(error || removeError) && <p className="p-notice p-notice--error" role="alert">{error || removeError}</p>}
      <div className="a-card a-table-wrap">
        <table className="p-table" aria-label="Members">
          <thead><tr><th>Name</th><th>Email</th><th>Role</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {(data?.members ?? []).map((m) => (
              <tr key={m.id}>
                <td>{m.name}</td>
                <td>{m.email}</td>
                <td>{m.role}</td>
                <td>{m.id !== selfId && <button type="button" className="danger" onClick={() => remove(m)} aria-label={`Remove ${m.email}`}>Remove</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Invite</h2>
      <form className="a-card a-form" onSubmit={invite} noValidate>
        <Field label="Email" error={fields.email}>
          <input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        </Field>
        <Field label="Name" error={fields.name}>
          <input type="text" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field label="Password" error={fields.password} hint="Their first password; they sign in with it.">
          <input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        </Field>
        <Field label="Role" error={fields.role}>
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as 'agent' | 'admin' })}>
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </Field>
        <SaveBar state={save} label="Add member" />
      </form>
    </section>
  );
}
