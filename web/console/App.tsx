// The agent console's root: the sign-in form until there is a session, then the workbench.
import { useState } from 'react';
import { AcceptInvitation } from '../ui/AcceptInvitation.js';
import { LoginForm } from '../ui/LoginForm.js';
import { useStaffSession } from '../ui/useStaffSession.js';
import { Workbench } from './Workbench.js';

export function App() {
  const { me, loading, login, logout, reload } = useStaffSession();
  const [invite, setInvite] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('invite'));
  if (invite)
    return (
      <AcceptInvitation
        token={invite}
        onAccepted={() => {
          setInvite(null);
          reload();
        }}
      />
    );
  if (loading) return <p className="p-muted c-loading">Loading…</p>;
  if (!me) return <LoginForm title="Agent console" onLogin={login} />;
  return <Workbench me={me} onLogout={logout} />;
}
