// The admin's root: the sign-in form until there is a session, then the admin shell (admins only).
import { LoginForm } from '../ui/LoginForm.js';
import { useStaffSession } from '../ui/useStaffSession.js';
import { AdminShell } from './AdminShell.js';

export function App() {
  const { me, loading, login, logout, reload } = useStaffSession();
  if (loading) return <p className="p-muted a-loading">Loading…</p>;
  if (!me) return <LoginForm title="Admin" onLogin={login} />;
  return <AdminShell me={me} onLogout={logout} onWorkspacesChanged={reload} />;
}
