// Workspaces: the ones you belong to, and (instance owner only) creating a new one for another website.
import { useState, type FormEvent } from 'react';
import { api, type ApiError } from '../../ui/api.js';
import type { Answer, WorkspaceRef } from '../../ui/types.js';
import { Field } from '../Field.js';
import { SaveBar, type SaveState } from '../SaveBar.js';

export function WorkspacesPage({
  workspaces,
  isOwner,
  onCreated,
}: {
  workspaces: WorkspaceRef[];
  isOwner: boolean;
  onCreated: (id: string) => void;
}) {
  const [name, setName] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });

  async function create(e: FormEvent) {
    e.preventDefault();
    setSave({ kind: 'saving' });
    setFields({});
    try {
      const { workspace } = await api<Answer<'/api/workspaces', 'post'>>('/api/workspaces', { body: { name } });
      setName('');
      setSave({ kind: 'saved', text: 'Workspace created' });
      onCreated(workspace.id);
    } catch (err) {
      setFields((err as ApiError).fields ?? {});
      setSave({ kind: 'error', text: (err as Error).message });
    }
  }

  return (
    <section>
      <h1>Workspaces</h1>
      <div className="a-card a-table-wrap">
        <table className="p-table" aria-label="Workspaces">
          <thead>
            <tr>
              <th>Name</th>
              <th>Your role</th>
            </tr>
          </thead>
          <tbody>
            {workspaces.map((w) => (
              <tr key={w.id}>
                <td>{w.name}</td>
                <td>{w.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {isOwner && (
        <>
          <h2>New workspace</h2>
          <form className="a-card a-form" onSubmit={create} noValidate>
            <Field label="Workspace name" error={fields.name}>
              <input type="text" value={name} onChange={(e) => setName(e.target.value)} />
            </Field>
            <SaveBar state={save} label="Create workspace" />
          </form>
        </>
      )}
    </section>
  );
}
