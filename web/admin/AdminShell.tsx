// The signed-in admin: top bar with the workspace switcher, the sidebar, and the page chosen by the URL hash.
import type { ReactNode } from 'react';
import type { Answer, Me } from '../ui/types.js';
import { WorkspaceSwitcher, useWorkspaceChoice } from '../ui/WorkspaceSwitcher.js';
import { Sidebar } from './Sidebar.js';
import { useHashRoute } from './useHashRoute.js';
import { useLoad } from './useLoad.js';
import { BotPage } from './pages/BotPage.js';
import { CallbackPage } from './pages/CallbackPage.js';
import { DeliveriesPage } from './pages/DeliveriesPage.js';
import { EmbedPage } from './pages/EmbedPage.js';
import { FileUploadConfig } from './pages/FileUploadConfig.js';
import { ListFile } from './pages/ListFile.js';
import { MembersPage } from './pages/MembersPage.js';
import { S3Page } from './pages/S3Page.js';
import { WorkspacesPage } from './pages/WorkspacesPage.js';
import { AuditPage } from './pages/AuditPage.js';
import { RetentionPage } from './pages/RetentionPage.js';
import { TokensPage } from './pages/TokensPage.js';
import { ContentSafetyPage } from './pages/ContentSafetyPage.js';
import { UsagePage } from './pages/UsagePage.js';
import { VisitorsPage } from './pages/VisitorsPage.js';
import { ChangePasswordForm } from '../ui/ChangePasswordForm.js';

export function AdminShell({
  me,
  onLogout,
  onWorkspacesChanged,
}: {
  me: Me;
  onLogout: () => void;
  onWorkspacesChanged: () => Promise<void>;
}) {
  const adminOf = me.workspaces.filter((w) => w.role === 'admin');
  const [workspace, chooseWorkspace] = useWorkspaceChoice('admin', adminOf);
  const [route] = useHashRoute('settings/file-upload');
  const { data: listed } = useLoad<Answer<'/api/workspaces', 'get'>>(`/api/workspaces?v=${me.workspaces.length}`);
  const isOwner = me.user.role === 'owner';

  if (!workspace) {
    return (
      <main className="p-login">
        <h1>Admins only</h1>
        <p>You are signed in as {me.user.email}, who is not an admin of any workspace.</p>
        <p>
          <a href="/console/">Go to the agent console</a> ·{' '}
          <button type="button" className="link" onClick={onLogout}>
            Sign out
          </button>
        </p>
      </main>
    );
  }
  const widgetKey = listed?.workspaces.find((w) => w.id === workspace.id)?.widgetKey;
  const ws = workspace.id;
  const pages: Record<string, ReactNode> = {
    'settings/file-upload': <FileUploadConfig workspaceId={ws} />,
    'settings/content-safety': <ContentSafetyPage workspaceId={ws} />,
    files: <ListFile workspaceId={ws} />,
    usage: <UsagePage workspaceId={ws} isOwner={isOwner} />,
    retention: <RetentionPage workspaceId={ws} />,
    visitors: <VisitorsPage workspaceId={ws} />,
    audit: <AuditPage workspaceId={ws} />,
    'integrations/s3': <S3Page workspaceId={ws} />,
    'integrations/callback': <CallbackPage workspaceId={ws} />,
    deliveries: <DeliveriesPage workspaceId={ws} />,
    bot: <BotPage workspaceId={ws} widgetKey={widgetKey} />,
    members: <MembersPage workspaceId={ws} selfId={me.user.id} />,
    tokens: <TokensPage workspaceId={ws} />,
    embed: <EmbedPage workspaceId={ws} />,
    'account/password': (
      <section>
        <h1>Your password</h1>
        <div className="a-card">
          <ChangePasswordForm />
        </div>
      </section>
    ),
    workspaces: (
      <WorkspacesPage
        workspaces={me.workspaces}
        isOwner={isOwner}
        onCreated={(id) => onWorkspacesChanged().then(() => chooseWorkspace(id))}
      />
    ),
  };

  return (
    <div className="a-app">
      <header className="a-top">
        <span className="p-brand">Parley</span>
        <span className="a-top__title">Admin</span>
        <WorkspaceSwitcher workspaces={adminOf} currentId={ws} onChange={chooseWorkspace} />
        <span className="a-top__spacer" />
        <a href="/console/">Agent console</a>
        <span className="p-muted">{me.user.name || me.user.email}</span>
        <button type="button" onClick={onLogout}>
          Sign out
        </button>
      </header>
      <div className="a-body">
        <Sidebar route={route} />
        <main className="a-main" key={ws}>
          {pages[route] ?? (
            <p>
              Page not found. <a href="#/settings/file-upload">Back to settings</a>
            </p>
          )}
        </main>
      </div>
    </div>
  );
}
