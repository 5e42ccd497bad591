// Settings → Conversation Configuration → File upload configuration: who may upload, which types, how large.
import { useEffect, useState, type FormEvent } from 'react';
import { api, enc, type ApiError } from '../../ui/api.js';
import type { FileUploadSettings } from '../../ui/types.js';
import { Field } from '../Field.js';
import { SaveBar, type SaveState } from '../SaveBar.js';
import { useLoad } from '../useLoad.js';
import { useUnsavedChanges } from '../unsaved.js';
import { UnsavedNotice } from '../UnsavedNotice.js';

const TYPES_HINT = 'Extensions such as pdf|xlsx or pdf, png (saved as pdf|png). Leave empty to allow any type.';

/** "2048" KB → "= 2 MB" (one decimal under 10 MB). */
function mbOf(kbText: string): string {
  const kb = Number(kbText);
  if (!kbText.trim() || !Number.isFinite(kb) || kb <= 0) return '';
  const mb = kb / 1024;
  return `= ${mb < 10 ? Number(mb.toFixed(1)) : Math.round(mb)} MB`;
}

export function FileUploadConfig({ workspaceId }: { workspaceId: string }) {
  const path = `/api/workspaces/${enc(workspaceId)}/settings/file-upload`;
  const { data, setData, error } = useLoad<FileUploadSettings>(path);
  const [form, setForm] = useState<FileUploadSettings>();
  const [maxText, setMaxText] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });

  useEffect(() => {
    if (!data) return;
    setForm(data);
    setMaxText(String(data.maxFileSizeKb));
  }, [data]);

  const dirty =
    !!form &&
    !!data &&
    (form.visitorUploadsEnabled !== data.visitorUploadsEnabled ||
      form.agentUploadsEnabled !== data.agentUploadsEnabled ||
      form.visitorAllowedTypes !== data.visitorAllowedTypes ||
      form.agentAllowedTypes !== data.agentAllowedTypes ||
      maxText !== String(data.maxFileSizeKb));
  // Leaving the page or this admin section with unsaved changes asks first.
  useUnsavedChanges(dirty);

  if (error)
    return (
      <p className="p-notice p-notice--error" role="alert">
        {error}
      </p>
    );
  if (!form) return <p className="p-muted">Loading…</p>;

  const set = <K extends keyof FileUploadSettings>(key: K, value: FileUploadSettings[K]) =>
    setForm({ ...form, [key]: value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    setSave({ kind: 'saving' });
    setFields({});
    const maxFileSizeKb = Number(maxText);
    try {
      const { visitorUploadsEnabled, agentUploadsEnabled, visitorAllowedTypes, agentAllowedTypes } = form;
      const body = {
        visitorUploadsEnabled,
        agentUploadsEnabled,
        visitorAllowedTypes,
        agentAllowedTypes,
        maxFileSizeKb: maxText.trim() === '' ? null : maxFileSizeKb,
      };
      const saved = await api<FileUploadSettings>(path, { method: 'PUT', body });
      setData(saved);
      setForm(saved);
      setMaxText(String(saved.maxFileSizeKb));
      setSave({ kind: 'saved' });
    } catch (err) {
      const apiErr = err as ApiError;
      setFields(apiErr.fields ?? {});
      setSave({ kind: 'error', text: apiErr.message });
    }
  }

  return (
    <section>
      <p className="a-crumbs">Settings › Conversation Configuration</p>
      <h1>File upload configuration</h1>
      <form className="a-card a-form" onSubmit={submit} noValidate>
        <Field
          label="File upload for users"
          check
          error={fields.visitorUploadsEnabled}
          hint="Visitors may send files to the bot and to agents. Turned off, the bot's open file requests end at once."
        >
          <input
            type="checkbox"
            checked={form.visitorUploadsEnabled}
            onChange={(e) => set('visitorUploadsEnabled', e.target.checked)}
          />
        </Field>
        <Field
          label="File upload for operators"
          check
          error={fields.agentUploadsEnabled}
          hint="Agents may send files to visitors."
        >
          <input
            type="checkbox"
            checked={form.agentUploadsEnabled}
            onChange={(e) => set('agentUploadsEnabled', e.target.checked)}
          />
        </Field>
        <Field label="Allowed files types for users" error={fields.visitorAllowedTypes} hint={TYPES_HINT}>
          <input
            type="text"
            value={form.visitorAllowedTypes}
            placeholder="any type"
            onChange={(e) => set('visitorAllowedTypes', e.target.value)}
          />
        </Field>
        <Field label="Allowed files types for Operator" error={fields.agentAllowedTypes} hint={TYPES_HINT}>
          <input
            type="text"
            value={form.agentAllowedTypes}
            placeholder="any type"
            onChange={(e) => set('agentAllowedTypes', e.target.value)}
          />
        </Field>
        <Field
          label="Maximum File Size"
          error={fields.maxFileSizeKb}
          hint={
            <>
              In KB (1 KB = 1024 bytes), for files from visitors and from agents.{' '}
              <output className="a-mb">{mbOf(maxText)}</output>
            </>
          }
        >
          <input
            type="number"
            min={1}
            step={1}
            inputMode="numeric"
            value={maxText}
            onChange={(e) => setMaxText(e.target.value)}
          />
        </Field>
        <UnsavedNotice dirty={dirty} />
        <SaveBar state={save} />
      </form>
    </section>
  );
}
