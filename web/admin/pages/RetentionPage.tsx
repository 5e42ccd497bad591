// Data & privacy → Retention: how long files, closed chats and the audit log are kept (0 or empty = forever), and
// when a file uploaded today would be deleted under the rules as saved.
import { useEffect, useState, type FormEvent } from 'react';
import { api, enc, type ApiError } from '../../ui/api.js';
import { Field } from '../Field.js';
import { SaveBar, type SaveState } from '../SaveBar.js';
import { useLoad } from '../useLoad.js';
import type { Schemas } from '../../ui/types.js';

type Retention = Schemas['RetentionSettings'];
type FormText = Record<keyof Retention, string>;

const DAY = 86_400_000;
const text = (n: number | null) => (n === null || n === 0 ? '' : String(n));
const OPTIONAL: (keyof Retention)[] = ['visitorFilesDays', 'agentFilesDays', 'closedChatsDays'];

/** Days a side's files are kept (0 = forever), as the server decides it (lifecycle/retention.ts keepDays). */
function keepDays(r: Retention, side: 'visitor' | 'agent'): number {
  const own = side === 'visitor' ? r.visitorFilesDays : r.agentFilesDays;
  return own && own > 0 ? own : r.filesDays;
}

const dateIn = (days: number) => new Date(Date.now() + days * DAY).toLocaleDateString([], { dateStyle: 'long' });
const when = (days: number) =>
  days > 0 ? `deleted on ${dateIn(days)} (after ${days} days)` : 'kept until someone deletes it';

export function RetentionPage({ workspaceId }: { workspaceId: string }) {
  const path = `/api/workspaces/${enc(workspaceId)}/settings/retention`;
  const { data, error } = useLoad<Retention>(path);
  const [saved, setSaved] = useState<Retention>();
  const [form, setForm] = useState<FormText>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });

  useEffect(() => {
    if (!data) return;
    setSaved(data);
    setForm({
      filesDays: text(data.filesDays),
      visitorFilesDays: text(data.visitorFilesDays),
      agentFilesDays: text(data.agentFilesDays),
      closedChatsDays: text(data.closedChatsDays),
      auditDays: text(data.auditDays),
    });
  }, [data]);

  if (error)
    return (
      <p className="p-notice p-notice--error" role="alert">
        {error}
      </p>
    );
  if (!form || !saved) return <p className="p-muted">Loading…</p>;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    setSave({ kind: 'saving' });
    setFields({});
    const body: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(form) as [keyof Retention, string][]) {
      const t = v.trim();
      body[k] = t === '' ? (OPTIONAL.includes(k) ? null : 0) : Number(t);
    }
    try {
      const next = await api<Retention>(path, { method: 'PUT', body });
      setSaved(next);
      setSave({ kind: 'saved' });
    } catch (err) {
      const apiErr = err as ApiError;
      setFields(apiErr.fields ?? {});
      setSave({ kind: 'error', text: apiErr.message });
    }
  }

  const input = (k: keyof Retention, placeholder: string) => (
    <input
      type="number"
      min={0}
      step={1}
      inputMode="numeric"
      placeholder={placeholder}
      value={form[k]}
      onChange={(e) => setForm({ ...form, [k]: e.target.value })}
    />
  );

  return (
    <section>
      <p className="a-crumbs">Data &amp; privacy</p>
      <h1>Retention</h1>
      <p className="a-intro">
        Files, closed chats and audit entries older than these numbers of days are deleted every hour, with their
        thumbnails and, where an integration has "Also delete forwarded copies", the copies in your bucket and at your
        callback. Empty or 0 keeps them forever.
      </p>
      <form className="a-card a-form" onSubmit={submit} noValidate aria-label="Retention settings">
        <Field label="Delete files after (days)" error={fields.filesDays} hint="Every file, unless a side has its own.">
          {input('filesDays', 'keep forever')}
        </Field>
        <Field label="Visitors' files after (days)" error={fields.visitorFilesDays} hint="Empty: as above.">
          {input('visitorFilesDays', 'as above')}
        </Field>
        <Field label="Agents' files after (days)" error={fields.agentFilesDays} hint="Empty: as above.">
          {input('agentFilesDays', 'as above')}
        </Field>
        <Field
          label="Delete closed chats after (days)"
          error={fields.closedChatsDays}
          hint="The chat, its messages and files, counted from when it was closed."
        >
          {input('closedChatsDays', 'keep forever')}
        </Field>
        <Field label="Keep the audit log for (days)" error={fields.auditDays}>
          {input('auditDays', 'keep forever')}
        </Field>
        <SaveBar state={save} />
      </form>
      <div className="a-card" aria-labelledby="retention-when">
        <h2 id="retention-when">When files will be deleted</h2>
        <ul aria-label="When files uploaded today will be deleted">
          <li>A visitor's file uploaded today is {when(keepDays(saved, 'visitor'))}.</li>
          <li>An agent's file uploaded today is {when(keepDays(saved, 'agent'))}.</li>
          <li>
            A chat closed today is{' '}
            {saved.closedChatsDays ? when(saved.closedChatsDays) : 'kept until someone deletes it'}.
          </li>
        </ul>
        <p>
          <a href="#/files">List File</a> shows the deletion date of every file.
        </p>
      </div>
    </section>
  );
}
