// The page an invitation link opens (#invite=…): shows the workspace and role, then creates the account (name and
// password) or confirms an existing one with its password. Accepting signs the person in.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, type ApiError } from './api.js';

interface Described {
  invitation: { email: string; name: string; role: 'admin' | 'agent'; workspace: { id: string; name: string } };
  hasAccount: boolean;
}

export function AcceptInvitation({ token, onAccepted }: { token: string; onAccepted: () => void }) {
  const id = useId();
  const [info, setInfo] = useState<Described>();
  const [loadError, setLoadError] = useState<string>();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const path = `/api/invitations/${encodeURIComponent(token)}`;

  useEffect(() => {
    api<Described>(path)
      .then((d) => {
        setInfo(d);
        setName(d.invitation.name);
      })
      .catch((e: Error) => setLoadError(e.message));
  }, [path]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFields({});
    setError(undefined);
    try {
      await api(`${path}/accept`, { body: info?.hasAccount ? { password } : { name, password } });
      window.history.replaceState(null, '', window.location.pathname);
      onAccepted();
    } catch (err) {
      setFields((err as ApiError).fields ?? {});
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="p-login">
      <h1>
        <span className="p-brand">Parley</span> Invitation
      </h1>
      {loadError && (
        <p className="p-notice p-notice--error" role="alert">
          {loadError}
        </p>
      )}
      {info && (
        <form onSubmit={submit} noValidate>
          <p>
            You are invited to <strong>{info.invitation.workspace.name}</strong> as{' '}
            {info.invitation.role === 'admin' ? 'an admin' : 'an agent'}, as <strong>{info.invitation.email}</strong>.
          </p>
          {info.hasAccount ? (
            <p className="p-muted">You already have an account: confirm with its password.</p>
          ) : (
            <div className="p-field">
              <label htmlFor={`${id}-name`}>Your name (shown to visitors on your messages)</label>
              <input
                id={`${id}-name`}
                type="text"
                autoComplete="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
          )}
          <div className="p-field">
            <label htmlFor={`${id}-password`}>
              {info.hasAccount ? 'Your password' : 'Choose a password (at least 8 characters)'}
            </label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete={info.hasAccount ? 'current-password' : 'new-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={fields.password ? true : undefined}
              aria-describedby={fields.password ? `${id}-password-error` : undefined}
              required
            />
            {fields.password && (
              <span id={`${id}-password-error`} className="p-field__error" role="alert">
                {fields.password}
              </span>
            )}
          </div>
          {error && !fields.password && (
            <p className="p-notice p-notice--error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            Accept and sign in
          </button>
        </form>
      )}
    </main>
  );
}
