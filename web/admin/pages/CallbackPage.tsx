// External CallBack: the URL that receives every file (multipart `file` + `chatID`), its signing secret, a test send.
import { useEffect, useState, type FormEvent } from 'react';
import { enc } from '../../ui/api.js';
import { CopyButton } from '../CopyButton.js';
import { Field } from '../Field.js';
import { Switch } from '../Switch.js';
import { Backfill } from '../Backfill.js';
import { SaveBar } from '../SaveBar.js';
import { useUnsavedChanges } from '../unsaved.js';
import { useSettingsForm } from '../useSettingsForm.js';
import type { Schemas } from '../../ui/types.js';
// The same file Parley's tests run as a real receiver (test/modules/integrations/sample-receiver.test.ts).
import sampleReceiver from '../../../docs/examples/callback-receiver.mjs?raw';

type CallbackSettings = Schemas['CallbackSettings'];

type TestResult = Schemas['CallbackTestResult'];

const NOT_SAVED = ' (not saved yet: Save to use it)';
const isSaved = (url: string, savedUrl: string | undefined) => url.trim() === (savedUrl ?? '').trim();

export function CallbackPage({ workspaceId }: { workspaceId: string }) {
  const path = `/api/workspaces/${enc(workspaceId)}/integrations/callback`;
  const { data, error, fields, save, test, put, runTest } = useSettingsForm<CallbackSettings, TestResult>(path);
  const [url, setUrl] = useState('');
  const [disabled, setDisabled] = useState(false);
  // The form shows once it holds the saved settings: for the render in between, it would show the defaults.
  const [filled, setFilled] = useState(false);

  useEffect(() => {
    if (!data) return;
    setUrl(data.url ?? '');
    // Nothing saved yet: the switch starts on, so saving a URL turns sending on.
    setDisabled(data.configured ? !!data.disabled : false);
    setFilled(true);
  }, [data]);

  // Leaving the page or this admin section with unsaved changes asks first.
  useUnsavedChanges(
    filled && !!data && (!isSaved(url, data.url) || disabled !== (data.configured ? !!data.disabled : false)),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    void put({ url: url.trim(), disabled }, 'Saved');
  }

  // Tests the URL in the form, saved or not.
  const testUrl = () => void runTest({ url: url.trim() });

  if (error)
    return (
      <p className="p-notice p-notice--error" role="alert">
        {error}
      </p>
    );
  // The form shows once the saved settings are in: an edit made before they arrive would be overwritten by them.
  if (!data || !filled) return <p className="p-muted">Loading…</p>;
  const testError = typeof test?.error === 'string' ? test.error : test?.error?.message;
  return (
    <section>
      <p className="a-crumbs">Integrations</p>
      <h1>External CallBack</h1>
      <p className="p-muted a-intro">
        Parley sends <code>POST multipart/form-data</code> with the fields <code>file</code> and <code>chatID</code> for
        every uploaded file. Answer <code>{'{"status":0,"uid":"…","url":"…"}'}</code>; failed sends are retried.
      </p>
      <form className="a-card a-form" onSubmit={submit} noValidate>
        <Field label="Callback URL" error={fields.url}>
          <input
            type="url"
            value={url}
            placeholder="https://example.com/parley-files"
            onChange={(e) => setUrl(e.target.value)}
          />
        </Field>
        <Switch
          label="Send files to this URL"
          on={!disabled}
          onChange={(on) => setDisabled(!on)}
          error={fields.disabled}
          hint="Off stops sending (the reference's “Disable”); files keep their place and can be re-sent later."
        />
        <div className="p-field">
          <span className="a-label">Signing secret</span>
          <span className="p-field__hint">
            Each request is signed (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature).
          </span>
          {data?.signingSecret ? (
            <div className="a-secret">
              <code aria-label="Signing secret">{data.signingSecret}</code>
              <CopyButton text={data.signingSecret} />
              <button type="button" onClick={() => put({ rotateSecret: true }, 'A new secret was generated')}>
                Rotate
              </button>
            </div>
          ) : (
            <span className="p-muted">Generated when you first save a URL.</span>
          )}
        </div>
        <SaveBar state={save}>
          <button type="button" onClick={testUrl} disabled={test?.running}>
            {test?.running ? 'Sending…' : 'Test connection'}
          </button>
        </SaveBar>
        {test && !test.running && (
          <div className={`p-notice ${test.ok ? 'p-notice--ok' : 'p-notice--error'}`} role="status">
            {test.ok
              ? `The callback answered successfully${isSaved(url, data?.url) ? '' : NOT_SAVED}.`
              : (testError ?? 'The callback did not accept the test.')}
            {test.status !== undefined && !(testError ?? '').includes(`HTTP ${test.status}`) && (
              <span> (HTTP {test.status})</span>
            )}
            {test.response !== undefined && (
              <pre className="a-pre">
                {typeof test.response === 'string' ? test.response : JSON.stringify(test.response, null, 2)}
              </pre>
            )}
          </div>
        )}
      </form>
      <Backfill workspaceId={workspaceId} kind="callback" on={!!data?.configured && !data.disabled} />
      <section className="a-card a-form" aria-labelledby="callback-answers">
        <h2 id="callback-answers">How Parley reads your answer</h2>
        <ul>
          <li>
            <strong>2xx with</strong> <code>{'{"status":0,"uid":"…","url":"…"}'}</code>: delivered; the uid and url are
            kept with the file (List File, Deliveries) and the file is never sent again.
          </li>
          <li>
            <strong>2xx with</strong> <code>{'{"status":1}'}</code>: your receiver refused it for now; Parley retries on
            its schedule, then marks it failed for good (Deliveries → Re-send).
          </li>
          <li>
            <strong>Any other 2xx</strong> (no JSON, or another shape): delivered, noted “answer not in the expected
            format” in the attempt log, and <em>not</em> sent again — your receiver already has the file.
          </li>
          <li>
            <strong>Other statuses, timeouts, refused connections</strong>: retried, each attempt recorded.
          </li>
        </ul>
        <details>
          <summary>A sample receiver (Node.js 20+, no dependencies)</summary>
          <p className="p-muted">
            Checks the signature over the raw bytes, keeps the file, answers <code>status: 0</code>. Put it beside{' '}
            <code>verify-callback.mjs</code> (docs/examples/) and run{' '}
            <code>PARLEY_SECRET=whsec_… PORT=8080 node callback-receiver.mjs</code>.
          </p>
          <CopyButton text={sampleReceiver} />
          <pre className="a-pre" aria-label="Sample receiver code">
            {sampleReceiver}
          </pre>
        </details>
      </section>
    </section>
  );
}
