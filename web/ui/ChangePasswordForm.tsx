// "Change your password" for the console and the admin: the current one, the new one twice. Other sessions of the
// account are signed out by the server; this one stays.
import { useId, useState, type FormEvent } from 'react';
import { api, type ApiError } from './api.js';

export function ChangePasswordForm({ onDone }: { onDone?: () => void }) {
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<{ kind: 'idle' | 'busy' | 'done' | 'error'; text?: string }>({ kind: 'idle' });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFields({});
    if (next !== repeat) {
      setFields({ repeat: 'The two new passwords differ' });
      return;
    }
    setStatus({ kind: 'busy' });
    try {
      await api('/api/auth/password', { method: 'PUT', body: { currentPassword: current, newPassword: next } });
      setCurrent('');
      setNext('');
      setRepeat('');
      setStatus({ kind: 'done', text: 'Password changed. Your other sessions were signed out.' });
      onDone?.();
    } catch (err) {
      setFields((err as ApiError).fields ?? {});
      setStatus({ kind: 'error', text: (err as Error).message });
    }
  }

  const field = (key: string, label: string, value: string, set: (v: string) => void, auto: string) => (
    <div className="p-field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        type="password"
        autoComplete={auto}
        value={value}
        onChange={(e) => set(e.target.value)}
        aria-invalid={fields[key] ? true : undefined}
        aria-describedby={fields[key] ? `${id}-${key}-error` : undefined}
        required
      />
      {fields[key] && (
        <span id={`${id}-${key}-error`} className="p-field__error" role="alert">
          {fields[key]}
        </span>
      )}
    </div>
  );

  return (
    <form className="p-password-form" onSubmit={submit} aria-label="Change your password" noValidate>
      {field('currentPassword', 'Current password', current, setCurrent, 'current-password')}
      {field('newPassword', 'New password (at least 8 characters)', next, setNext, 'new-password')}
      {field('repeat', 'New password again', repeat, setRepeat, 'new-password')}
      <button type="submit" className="primary" disabled={status.kind === 'busy'}>
        Change password
      </button>
      {status.kind === 'done' && (
        <p className="p-notice p-notice--ok" role="status">
          {status.text}
        </p>
      )}
      {status.kind === 'error' && Object.keys(fields).length === 0 && (
        <p className="p-notice p-notice--error" role="alert">
          {status.text}
        </p>
      )}
    </form>
  );
}
