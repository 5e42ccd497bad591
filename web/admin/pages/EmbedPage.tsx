// Embed: the <script> tag to paste into the website, with Copy and a hint when it points at a local address; and the
// widget's embed settings: colour, corner, greeting and the websites allowed to embed it (empty: any).
import { useEffect, useState, type FormEvent } from 'react';
import { enc } from '../../ui/api.js';
import { CopyButton } from '../CopyButton.js';
import { Field } from '../Field.js';
import { SaveBar } from '../SaveBar.js';
import { useLoad } from '../useLoad.js';
import { useSettingsForm, type TestOutcome } from '../useSettingsForm.js';
import { useUnsavedChanges } from '../unsaved.js';
import type { Answer, Schemas } from '../../ui/types.js';
import { UnsavedNotice } from '../UnsavedNotice.js';

type EmbedSettings = Schemas['EmbedSettings'];
const GREETING_MAX = 300;
const HEX = /^#[0-9a-f]{6}$/i;

/** Whether the snippet's address is one only this machine reaches (localhost, 127.x, ::1, 0.0.0.0). */
function isLocal(snippet: string): boolean {
  const src = /src="([^"]+)"/.exec(snippet)?.[1];
  if (!src) return false;
  try {
    const host = new URL(src).hostname;
    return /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/.test(host) || host.endsWith('.localhost');
  } catch {
    return false;
  }
}

function Snippet({ workspaceId }: { workspaceId: string }) {
  const { data, error } = useLoad<Answer<'/api/workspaces/{ws}/embed', 'get'>>(
    `/api/workspaces/${enc(workspaceId)}/embed`,
  );
  if (error)
    return (
      <p className="p-notice p-notice--error" role="alert">
        {error}
      </p>
    );
  if (!data) return null;
  return (
    <div className="a-card">
      <pre className="a-pre" aria-label="Embed snippet">
        {data.snippet}
      </pre>
      <CopyButton text={data.snippet} label="Copy snippet" />
      <p className={isLocal(data.snippet) ? 'p-notice p-notice--info' : 'p-field__hint'}>
        {isLocal(data.snippet) && <strong>This address only works on this computer. </strong>}
        The address comes from <code>PARLEY_PUBLIC_URL</code>: set it to the address your visitors reach Parley at (for
        example <code>https://chat.example.com</code>) and restart Parley.
      </p>
    </div>
  );
}

export function EmbedPage({ workspaceId }: { workspaceId: string }) {
  const path = `/api/workspaces/${enc(workspaceId)}/settings/embed`;
  const { data, error, fields, setFields, save, put } = useSettingsForm<EmbedSettings, TestOutcome>(path);
  const [color, setColor] = useState('#2563eb');
  const [position, setPosition] = useState<EmbedSettings['position']>('bottom-right');
  const [greeting, setGreeting] = useState('');
  const [origins, setOrigins] = useState('');
  // The form shows once it holds the saved settings: for the render in between, it would show the defaults.
  const [filled, setFilled] = useState(false);

  useEffect(() => {
    if (!data) return;
    setColor(data.color);
    setPosition(data.position);
    setGreeting(data.greeting);
    setOrigins(data.allowedOrigins.join('\n'));
    setFilled(true);
  }, [data]);

  const originList = () =>
    origins
      .split(/[\s,]+/)
      .map((o) => o.trim())
      .filter(Boolean);
  const dirty =
    filled &&
    !!data &&
    (color.trim().toLowerCase() !== data.color ||
      position !== data.position ||
      greeting.trim() !== data.greeting ||
      originList().join('\n') !== data.allowedOrigins.join('\n'));
  // Leaving the page or this admin section with unsaved changes asks first.
  useUnsavedChanges(dirty);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!HEX.test(color.trim())) {
      setFields({ color: 'Write the colour as #rrggbb, for example #2563eb' });
      return;
    }
    void put({
      color: color.trim(),
      position,
      greeting,
      allowedOrigins: originList(),
    });
  }

  return (
    <section>
      <h1>Embed</h1>
      <p className="p-muted a-intro">
        Paste this tag into every page of your website, just before <code>&lt;/body&gt;</code>.
      </p>
      <Snippet workspaceId={workspaceId} />
      <h2>Widget settings</h2>
      {error && (
        <p className="p-notice p-notice--error" role="alert">
          {error}
        </p>
      )}
      {!error && (!data || !filled) && <p className="p-muted">Loading…</p>}
      {data && filled && (
        <form className="a-card a-form" onSubmit={submit} noValidate aria-label="Widget settings">
          <div className="a-colour">
            <input
              type="color"
              aria-label="Pick the widget colour"
              value={HEX.test(color.trim()) ? color.trim().toLowerCase() : '#2563eb'}
              onChange={(e) => setColor(e.target.value)}
            />
            <Field
              label="Colour"
              error={fields.color}
              hint="#rrggbb: the launcher, the chat header and your visitors' messages"
            >
              <input
                type="text"
                value={color}
                maxLength={7}
                spellCheck={false}
                onChange={(e) => setColor(e.target.value)}
              />
            </Field>
          </div>
          <fieldset className="a-sub">
            <legend>Position</legend>
            {(['bottom-right', 'bottom-left'] as const).map((p) => (
              <label key={p} className="p-field--check">
                <input
                  type="radio"
                  name="position"
                  value={p}
                  checked={position === p}
                  onChange={() => setPosition(p)}
                />
                {p === 'bottom-right' ? 'Bottom right' : 'Bottom left'}
              </label>
            ))}
            {fields.position && (
              <span className="p-field__error" role="alert">
                {fields.position}
              </span>
            )}
          </fieldset>
          <Field
            label="Greeting"
            error={fields.greeting}
            hint={`Shown at the top of the chat; empty for none (${greeting.length}/${GREETING_MAX}).`}
          >
            <textarea
              rows={2}
              value={greeting}
              maxLength={GREETING_MAX}
              onChange={(e) => setGreeting(e.target.value)}
            />
          </Field>
          <Field
            label="Allowed websites"
            error={fields.allowedOrigins}
            hint={
              <>
                One origin per line, such as <code>https://shop.example.com</code> or <code>http://localhost:8080</code>
                ; <code>https://*.example.com</code> allows its subdomains. Leave empty to allow any website. Other
                websites get no chat: browsers refuse to show it there and Parley refuses to start it.
              </>
            }
          >
            <textarea
              rows={4}
              value={origins}
              spellCheck={false}
              placeholder="https://shop.example.com"
              onChange={(e) => setOrigins(e.target.value)}
            />
          </Field>
          <UnsavedNotice dirty={dirty} />
          <SaveBar state={save} />
        </form>
      )}
    </section>
  );
}
