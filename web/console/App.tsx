// The agent console's root: the sign-in form until there is a session, then the workbench.
import { LoginForm } from '../ui/LoginForm.js';
import { useStaffSession } from '../ui/useStaffSession.js';
import { Workbench } from './Workbench.js';

export function App() {
  const { me, loading, login, logout } = useStaffSession();
  if (loading) return <p className="p-muted c-loading">Loading…</p>;
  if (!me) return <LoginForm title="Agent console" onLogin={login} />;
  return <Workbench me={me} onLogout={logout} />;
}
