// AWS S3: where every file is also copied. The secret key is write-only: shown as set/not set, kept when left empty.
import { useEffect, useState, type FormEvent } from 'react';
import { api, enc, type ApiError } from '../../ui/api.js';
import { Field } from '../Field.js';
import { SaveBar, type SaveState } from '../SaveBar.js';
import { useLoad } from '../useLoad.js';

interface S3Settings {
  accessKeyId: string;
  secretAccessKeySet?: boolean;
  region: string;
  bucket: string;
  folder: string;
  endpoint?: string | null;
  forcePathStyle?: boolean;
  disabled: boolean;
}

const EMPTY: S3Settings = { accessKeyId: '', region: '', bucket: '', folder: '', endpoint: '', forcePathStyle: false, disabled: false };

type TestResult = { ok: boolean; error?: { code?: string; message: string } };

export function S3Page({ workspaceId }: { workspaceId: string }) {
  const path = `/api/workspaces/${enc(workspaceId)}/integrations/s3`;
  const { data, error } = useLoad<S3Settings>(path);
  const [form, setForm] = useState<S3Settings>(EMPTY);
  const [secret, setSecret] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [test, setTest] = useState<TestResult & { running?: boolean }>();

  useEffect(() => {
    if (data) setForm({ ...EMPTY, ...data, endpoint: data.endpoint ?? '' });
  }, [data]);

  const set = <K extends keyof S3Settings>(k: K, v: S3Settings[K]) => setForm({ ...form, [k]: v });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSave({ kind: 'saving' });
    setFields({});
    const body: Record<string, unknown> = {
      accessKeyId: form.accessKeyId.trim(),
      region: form.region.trim(),
      bucket: form.bucket.trim(),
      folder: form.folder.trim(),
      endpoint: form.endpoint?.trim() || undefined,
      forcePathStyle: !!form.forcePathStyle,
      disabled: form.disabled,
    };
    if (secret) body.secretAccessKey = secret; // empty keeps the stored secret
    try {
      const saved = await api<S3Settings>(path, { method: 'PUT', body });
      setForm({ ...EMPTY, ...saved, endpoint: saved.endpoint ?? '' });
      setSecret('');
      setSave({ kind: 'saved' });
    } catch (err) {
      setFields((err as ApiError).fields ?? {});
      setSave({ kind: 'error', text: (err as Error).message });
    }
  }

  async function runTest() {
    setTest({ ok: false, running: true });
    try {
      setTest(await api<TestResult>(`${path}/test`, { method: 'POST', body: {} }));
    } catch (err) {
      setTest({ ok: false, error: { message: (err as Error).message } });
    }
  }

  if (error) return <p className="p-notice p-notice--error" role="alert">{error}</p>;
  return (
    <section>
      <p className="a-crumbs">Integrations</p>
      <h1>AWS S3</h1>
      <p className="p-muted a-intro">Each uploaded file is also written to your bucket at <code>&lt;folder&gt;/&lt;chat id&gt;/&lt;file name&gt;</code>.</p>
      <form className="a-card a-form" onSubmit={submit} noValidate>
        <Field label="Access Key" error={fields.accessKeyId}>
          <input type="text" autoComplete="off" value={form.accessKeyId} onChange={(e) => set('accessKeyId', e.target.value)} />
        </Field>
        <Field label="Secret Key" error={fields.secretAccessKey} hint={form.secretAccessKeySet ? 'A secret key is set. Leave empty to keep it.' : 'Not set.'}>
          <input type="password" autoComplete="new-password" value={secret} placeholder={form.secretAccessKeySet ? '•••••••• (set)' : 'not set'} onChange={(e) => setSecret(e.target.value)} />
        </Field>
        <Field label="Bucket Name" error={fields.bucket}>
          <input type="text" value={form.bucket} onChange={(e) => set('bucket', e.target.value)} />
        </Field>
        <Field label="Folder Name" error={fields.folder} hint="Files go to folder/chat id/file name.">
          <input type="text" value={form.folder} onChange={(e) => set('folder', e.target.value)} />
        </Field>
        <Field label="Region" error={fields.region}>
          <input type="text" value={form.region} placeholder="e.g. eu-west-1" onChange={(e) => set('region', e.target.value)} />
        </Field>
        <Field label="Endpoint (optional)" error={fields.endpoint} hint="Only for S3-compatible stores such as MinIO or R2.">
          <input type="url" value={form.endpoint ?? ''} placeholder="https://…" onChange={(e) => set('endpoint', e.target.value)} />
        </Field>
        <Field label="Use path-style addressing" check error={fields.forcePathStyle}>
          <input type="checkbox" checked={!!form.forcePathStyle} onChange={(e) => set('forcePathStyle', e.target.checked)} />
        </Field>
        <Field label="Disable AWS S3 File Store" check error={fields.disabled}>
          <input type="checkbox" checked={form.disabled} onChange={(e) => set('disabled', e.target.checked)} />
        </Field>
        <SaveBar state={save}>
          <button type="button" onClick={runTest} disabled={test?.running}>{test?.running ? 'Testing…' : 'Test connection'}</button>
        </SaveBar>
        {test && !test.running && (
          <p className={`p-notice ${test.ok ? 'p-notice--ok' : 'p-notice--error'}`} role="status">
            {test.ok ? 'Connection works: a test object was written and deleted.' : test.error?.message ?? 'The test failed'}
          </p>
        )}
      </form>
    </section>
  );
}
