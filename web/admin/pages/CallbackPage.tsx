// External CallBack: the URL that receives every file (multipart `file` + `chatID`), its signing secret, a test send.
import { useEffect, useState, type FormEvent } from 'react';
import { api, enc, type ApiError } from '../../ui/api.js';
import { CopyButton } from '../CopyButton.js';
import { Field } from '../Field.js';
import { SaveBar, type SaveState } from '../SaveBar.js';
import { useLoad } from '../useLoad.js';

interface CallbackSettings {
  url: string;
  disabled: boolean;
  signingSecret?: string;
}

type TestResult = { ok: boolean; status?: number; response?: unknown; error?: { message?: string } | string };

export function CallbackPage({ workspaceId }: { workspaceId: string }) {
  const path = `/api/workspaces/${enc(workspaceId)}/integrations/callback`;
  const { data, setData, error } = useLoad<CallbackSettings>(path);
  const [url, setUrl] = useState('');
  const [disabled, setDisabled] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [test, setTest] = useState<TestResult & { running?: boolean }>();

  useEffect(() => {
    if (!data) return;
    setUrl(data.url ?? '');
    setDisabled(!!data.disabled);
  }, [data]);

  async function put(body: Record<string, unknown>, done: string) {
    setSave({ kind: 'saving' });
    setFields({});
    try {
      const saved = await api<CallbackSettings>(path, { method: 'PUT', body });
      setData(saved);
      setSave({ kind: 'saved', text: done });
    } catch (err) {
      setFields((err as ApiError).fields ?? {});
      setSave({ kind: 'error', text: (err as Error).message });
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    put({ url: url.trim(), disabled }, 'Saved');
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
  const testError = typeof test?.error === 'string' ? test.error : test?.error?.message;
  return (
    <section>
      <p className="a-crumbs">Integrations</p>
      <h1>External CallBack</h1>
      <p className="p-muted a-intro">
        Parley sends <code>POST multipart/form-data</code> with the fields <code>file</code> and <code>chatID</code> for every uploaded file.
        Answer <code>{'{"status":0,"uid":"…","url":"…"}'}</code>; failed sends are retried.
      </p>
      <form className="a-card a-form" onSubmit={submit} noValidate>
        <Field label="Callback URL" error={fields.url}>
          <input type="url" value={url} placeholder="https://example.com/parley-files" onChange={(e) => setUrl(e.target.value)} />
        </Field>
        <Field label="Disable" check error={fields.disabled} hint="Stop sending files to this URL.">
          <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} />
        </Field>
        <div className="p-field">
          <span className="a-label">Signing secret</span>
          <span className="p-field__hint">Each request is signed (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature).</span>
          {data?.signingSecret ? (
            <div className="a-secret">
              <code aria-label="Signing secret">{data.signingSecret}</code>
              <CopyButton text={data.signingSecret} />
              <button type="button" onClick={() => put({ rotateSecret: true }, 'A new secret was generated')}>Rotate</button>
            </div>
          ) : (
            <span className="p-muted">Generated when you first save a URL.</span>
          )}
        </div>
        <SaveBar state={save}>
          <button type="button" onClick={runTest} disabled={test?.running}>{test?.running ? 'Sending…' : 'Send test'}</button>
        </SaveBar>
        {test && !test.running && (
          <div className={`p-notice ${test.ok ? 'p-notice--ok' : 'p-notice--error'}`} role="status">
            {test.ok ? 'The callback answered successfully.' : testError ?? 'The callback did not accept the test.'}
            {test.status !== undefined && <span> (HTTP {test.status})</span>}
            {test.response !== undefined && <pre className="a-pre">{typeof test.response === 'string' ? test.response : JSON.stringify(test.response, null, 2)}</pre>}
          </div>
        )}
      </form>
    </section>
  );
}
