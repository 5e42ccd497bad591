// The sign-in card of the console and admin (email + password → cookie session).
import { useState, type FormEvent } from 'react';

export function LoginForm({
  title,
  onLogin,
}: {
  title: string;
  onLogin: (email: string, password: string) => Promise<void>;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onLogin(email, password);
    } catch (err) {
      setError((err as { status?: number }).status === 401 ? 'Wrong email or password' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="p-login">
      <h1>
        <span className="p-brand">Parley</span> {title}
      </h1>
      <form onSubmit={submit}>
        <div className="p-field">
          <label htmlFor="login-email">Email</label>
          <input
            id="login-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="p-field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error && (
          <p className="p-notice p-notice--error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
