// The admin's left navigation, grouped like the reference product (Settings → Conversation Configuration, File Upload …).

export interface NavItem {
  route: string;
  label: string;
}

export const NAV: { group: string; sub?: string; items: NavItem[] }[] = [
  {
    group: 'Settings',
    sub: 'Conversation Configuration',
    items: [
      { route: 'settings/file-upload', label: 'File upload configuration' },
      { route: 'settings/content-safety', label: 'Content safety' },
    ],
  },
  { group: 'File Upload', items: [{ route: 'files', label: 'List File' }] },
  {
    group: 'Data & privacy',
    items: [
      { route: 'usage', label: 'Storage usage' },
      { route: 'retention', label: 'Retention' },
      { route: 'visitors', label: 'Visitor data' },
      { route: 'audit', label: 'Audit log' },
    ],
  },
  {
    group: 'Integrations',
    items: [
      { route: 'integrations/s3', label: 'AWS S3' },
      { route: 'integrations/callback', label: 'External CallBack' },
      { route: 'deliveries', label: 'Deliveries' },
    ],
  },
  { group: 'Chatbot', items: [{ route: 'bot', label: 'Bot' }] },
  {
    group: 'Workspace',
    items: [
      { route: 'members', label: 'Members' },
      { route: 'tokens', label: 'API tokens' },
      { route: 'embed', label: 'Embed' },
      { route: 'workspaces', label: 'Workspaces' },
    ],
  },
  { group: 'Your account', items: [{ route: 'account/password', label: 'Password' }] },
];

export function Sidebar({ route }: { route: string }) {
  return (
    <nav className="a-sidebar" aria-label="Admin sections">
      {NAV.map((g) => (
        <div key={g.group} className="a-sidebar__group">
          <h2 className="a-sidebar__title">{g.group}</h2>
          {g.sub && <p className="a-sidebar__sub">{g.sub}</p>}
          <ul>
            {g.items.map((item) => (
              <li key={item.route}>
                <a
                  href={`#/${item.route}`}
                  className={route === item.route ? 'is-active' : undefined}
                  aria-current={route === item.route ? 'page' : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
