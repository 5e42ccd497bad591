// AWS S3: where every file is also copied. The secret key is write-only: shown as set/not set, kept when left empty.
import { useEffect, useState, type FormEvent } from 'react';
import { enc } from '../../ui/api.js';
import { Field } from '../Field.js';
import { Switch } from '../Switch.js';
import { Backfill } from '../Backfill.js';
import { SaveBar } from '../SaveBar.js';
import { useSettingsForm } from '../useSettingsForm.js';
import { useUnsavedChanges } from '../unsaved.js';
import type { Schemas } from '../../ui/types.js';

/** The form: the answer's editable fields (the secret key is write-only, typed into its own box). */
type S3Settings = Pick<
  Schemas['S3Settings'],
  'accessKeyId' | 'region' | 'bucket' | 'folder' | 'endpoint' | 'forcePathStyle' | 'disabled'
> & { secretAccessKeySet?: boolean };

const EMPTY: S3Settings = {
  accessKeyId: '',
  region: '',
  bucket: '',
  folder: '',
  endpoint: '',
  forcePathStyle: false,
  disabled: false,
};

const EDITABLE = ['accessKeyId', 'region', 'bucket', 'folder', 'endpoint', 'forcePathStyle', 'disabled'] as const;

type TestResult = Schemas['S3TestResult'];

export function S3Page({ workspaceId }: { workspaceId: string }) {
  const path = `/api/workspaces/${enc(workspaceId)}/integrations/s3`;
  const { data, error, fields, save, test, put, runTest } = useSettingsForm<Schemas['S3Settings'], TestResult>(path);
  const [form, setForm] = useState<S3Settings>(EMPTY);
  const [secret, setSecret] = useState('');
  // The form shows once it holds the saved settings: for the render in between, it would show the defaults.
  const [filled, setFilled] = useState(false);

  useEffect(() => {
    if (!data) return;
    setForm({ ...EMPTY, ...data, endpoint: data.endpoint ?? '' });
    setFilled(true);
  }, [data]);

  const set = <K extends keyof S3Settings>(k: K, v: S3Settings[K]) => setForm({ ...form, [k]: v });
  // Leaving the page or this admin section with unsaved changes asks first.
  useUnsavedChanges(filled && !!data && (secret !== '' || EDITABLE.some((k) => (form[k] ?? '') !== (data[k] ?? ''))));

  // What the form says, for Save and for "Test connection" (which saves nothing); an empty secret keeps the stored one.
  function formBody(): Record<string, unknown> {
    return {
      accessKeyId: form.accessKeyId.trim(),
      region: form.region.trim(),
      bucket: form.bucket.trim(),
      folder: form.folder.trim(),
      endpoint: form.endpoint?.trim() || undefined,
      forcePathStyle: !!form.forcePathStyle,
      disabled: form.disabled,
      ...(secret ? { secretAccessKey: secret } : {}),
    };
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    // The saved answer comes back through `data` (the form follows it); the typed secret is cleared.
    if (await put(formBody())) setSecret('');
  }

  function testForm() {
    const { disabled: _off, ...settings } = formBody();
    void runTest(settings);
  }

  if (error)
    return (
      <p className="p-notice p-notice--error" role="alert">
        {error}
      </p>
    );
  // The form shows once the saved settings are in: an edit made before they arrive would be overwritten by them.
  if (!data || !filled) return <p className="p-muted">Loading…</p>;
  return (
    <section>
      <p className="a-crumbs">Integrations</p>
      <h1>AWS S3</h1>
      <p className="p-muted a-intro">
        Each uploaded file is also written to your bucket at{' '}
        <code>&lt;folder&gt;/&lt;chat id&gt;/&lt;file name&gt;</code>.
      </p>
      <form className="a-card a-form" onSubmit={submit} noValidate>
        <Field label="Access Key" error={fields.accessKeyId}>
          <input
            type="text"
            autoComplete="off"
            value={form.accessKeyId}
            onChange={(e) => set('accessKeyId', e.target.value)}
          />
        </Field>
        <Field
          label="Secret Key"
          error={fields.secretAccessKey}
          hint={form.secretAccessKeySet ? 'A secret key is set. Leave empty to keep it.' : 'Not set.'}
        >
          <input
            type="password"
            autoComplete="new-password"
            value={secret}
            placeholder={form.secretAccessKeySet ? '•••••••• (set)' : 'not set'}
            onChange={(e) => setSecret(e.target.value)}
          />
        </Field>
        <Field label="Bucket Name" error={fields.bucket}>
          <input type="text" value={form.bucket} onChange={(e) => set('bucket', e.target.value)} />
        </Field>
        <Field label="Folder Name" error={fields.folder} hint="Files go to folder/chat id/file name.">
          <input type="text" value={form.folder} onChange={(e) => set('folder', e.target.value)} />
        </Field>
        <Field label="Region" error={fields.region}>
          <input
            type="text"
            value={form.region}
            placeholder="e.g. eu-west-1"
            onChange={(e) => set('region', e.target.value)}
          />
        </Field>
        <Field
          label="Endpoint (optional)"
          error={fields.endpoint}
          hint="Only for S3-compatible stores such as MinIO or R2."
        >
          <input
            type="url"
            value={form.endpoint ?? ''}
            placeholder="https://…"
            onChange={(e) => set('endpoint', e.target.value)}
          />
        </Field>
        <Field label="Use path-style addressing" check error={fields.forcePathStyle}>
          <input
            type="checkbox"
            checked={!!form.forcePathStyle}
            onChange={(e) => set('forcePathStyle', e.target.checked)}
          />
        </Field>
        <Switch
          label="AWS S3 File Store"
          on={!form.disabled}
          onChange={(on) => set('disabled', !on)}
          error={fields.disabled}
          hint="Off is the reference's “Disable AWS S3 File Store”: files stay here and are not copied to S3."
        />
        <SaveBar state={save}>
          <button type="button" onClick={testForm} disabled={test?.running}>
            {test?.running ? 'Testing…' : 'Test connection'}
          </button>
        </SaveBar>
        {test && !test.running && (
          <p className={`p-notice ${test.ok ? 'p-notice--ok' : 'p-notice--error'}`} role="status">
            {test.ok
              ? 'Connection works: a test object was written and deleted.'
              : (test.error?.message ?? 'The test failed')}
          </p>
        )}
      </form>
      <Backfill workspaceId={workspaceId} kind="s3" on={!!data?.configured && !data.disabled} />
    </section>
  );
}
