// The admin's left navigation, grouped like the reference product (Settings → Conversation Configuration, File Upload …).
import { useEffect, useState } from 'react';

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

/**
 * Below 900 pixels the groups fold behind one button naming the current page (admin.css): unfolded they took ~310 of
 * a tablet's 700 pixels above every page. Following a link folds them again. Wider, the button is hidden and the
 * groups always shown.
 */
export function Sidebar({ route }: { route: string }) {
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [route]);
  const current = NAV.flatMap((g) => g.items).find((item) => item.route === route);
  return (
    <nav className={`a-sidebar${open ? ' is-open' : ''}`} aria-label="Admin sections">
      <button
        type="button"
        className="a-sidebar__toggle"
        aria-expanded={open}
        aria-controls="a-sidebar-groups"
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden="true">☰</span> {current?.label ?? 'Sections'}
      </button>
      <div id="a-sidebar-groups" className="a-sidebar__groups">
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
      </div>
    </nav>
  );
}
