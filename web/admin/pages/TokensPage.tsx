// Workspace → API tokens: the integrator's key to the REST API (a token acts as an admin of this one workspace).
// Create one with a name and see it once, with Copy; the list shows names, who made them and when they were last
// used, never the secret; Revoke asks first.
import { useState, type FormEvent } from 'react';
import { api, enc, type ApiError } from '../../ui/api.js';
import { formatTime } from '../../ui/format.js';
import { CopyButton } from '../CopyButton.js';
import { Field } from '../Field.js';
import { SaveBar, type SaveState } from '../SaveBar.js';
import { useLoad } from '../useLoad.js';
import type { Answer, Schemas } from '../../ui/types.js';
import { ConfirmButton } from '../ConfirmButton.js';

type Tokens = Answer<'/api/workspaces/{ws}/tokens', 'get'>;
type NewToken = Schemas['NewApiToken'];

export function TokensPage({ workspaceId }: { workspaceId: string }) {
  const base = `/api/workspaces/${enc(workspaceId)}/tokens`;
  const { data, error, reload } = useLoad<Tokens>(base);
  const [name, setName] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [created, setCreated] = useState<NewToken & { name: string }>();
  const [actionError, setActionError] = useState<string>();

  async function create(e: FormEvent) {
    e.preventDefault();
    setSave({ kind: 'saving' });
    setFields({});
    try {
      const token = await api<NewToken>(base, { method: 'POST', body: { name: name.trim() } });
      setCreated({ ...token, name: name.trim() || 'API token' });
      setName('');
      setSave({ kind: 'saved', text: 'Created' });
      await reload();
    } catch (err) {
      setFields((err as ApiError).fields ?? {});
      setSave({ kind: 'error', text: (err as Error).message });
    }
  }

  async function revoke(id: string) {
    setActionError(undefined);
    try {
      await api(`${base}/${enc(id)}`, { method: 'DELETE' });
      if (created?.id === id) setCreated(undefined);
      await reload();
    } catch (err) {
      setActionError((err as Error).message);
    }
  }

  return (
    <section>
      <p className="a-crumbs">Workspace</p>
      <h1>API tokens</h1>
      <p className="a-intro">
        For your developers: send a token as <code>Authorization: Bearer &lt;token&gt;</code> to use the REST API,
        described by <a href="/api/openapi.json">its OpenAPI document</a>. A token acts as an admin of this workspace
        only. It is shown once, when you create it.
      </p>
      {(error || actionError) && (
        <p className="p-notice p-notice--error" role="alert">
          {error || actionError}
        </p>
      )}
      {created && (
        <div className="a-card p-notice p-notice--info" role="status" aria-label="New API token">
          <p>
            <strong>{created.name}</strong>: copy it now, it will not be shown again.
          </p>
          <pre className="a-pre" aria-label="Token">
            {created.token}
          </pre>
          <CopyButton text={created.token} label="Copy token" />
        </div>
      )}
      <div className="a-card a-table-wrap">
        <table className="p-table" aria-label="API tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th>Last used</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(data?.tokens ?? []).map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td className="a-nowrap">{formatTime(t.createdAt)}</td>
                <td className="a-nowrap">{t.lastUsedAt ? formatTime(t.lastUsedAt) : 'Never'}</td>
                <td className="a-nowrap">
                  <ConfirmButton
                    ariaLabel={`Revoke ${t.name}`}
                    groupLabel={`Confirm revoking ${t.name}`}
                    question="Revoke it? Integrations using it stop working at once."
                    yes="Yes, revoke"
                    onConfirm={() => revoke(t.id)}
                  >
                    Revoke
                  </ConfirmButton>
                </td>
              </tr>
            ))}
            {data && data.tokens.length === 0 && (
              <tr>
                <td colSpan={4} className="p-muted">
                  No API tokens yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <h2>Create a token</h2>
      <form className="a-card a-form" onSubmit={create} noValidate aria-label="Create an API token">
        <Field label="Name" error={fields.name} hint="What it is for, e.g. CRM sync.">
          <input type="text" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </Field>
        <SaveBar state={save} label="Create token" />
      </form>
    </section>
  );
}
