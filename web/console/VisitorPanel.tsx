// Who the visitor is and where they are: the details panel beside the chat and the one-line summary in its header.
// Name and e-mail come from the embedding page's Parley('identify') or the bot; page, referrer, browser, language and
// time zone from the widget. The local time ticks while the chat is shown.
import { useEffect, useState } from 'react';
import type { Chat } from '../ui/types.js';
import { describeUserAgent } from '../ui/user-agent.js';
import { languageName, offsetLabel, visitorLocalTime } from '../ui/visitor-time.js';

type Visitor = NonNullable<Chat['visitor']>;

function useNow(everyMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** "/pricing?plan=pro" of a URL (host left out when it is the only one the visitor is on). */
function pagePath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return url;
  }
}

/** "Asia/Tokyo, UTC+9"; just "UTC" when the zone is UTC itself. */
function zoneLabel(v: Visitor): string | undefined {
  const offset = v.utcOffset !== undefined ? offsetLabel(v.utcOffset) : undefined;
  const zone = v.timeZone === 'Etc/UTC' ? 'UTC' : v.timeZone;
  const parts = [...new Set([zone, offset].filter(Boolean))];
  return parts.length ? parts.join(', ') : undefined;
}

/** The header's summary: "on /pricing · Chrome 131 on macOS · French (France) · 14:32 local". */
export function VisitorSummary({ visitor }: { visitor: Visitor }) {
  const now = useNow(30_000);
  const time = visitorLocalTime(now, visitor.timeZone, visitor.utcOffset);
  const parts = [
    visitor.pageUrl ? `on ${pagePath(visitor.pageUrl)}` : undefined,
    describeUserAgent(visitor.userAgent),
    visitor.language ? languageName(visitor.language) : undefined,
    time ? `${time} local time` : undefined,
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return <p className="c-chat__visitor">{parts.join(' · ')}</p>;
}

/** A page of the visitor's website (the server keeps only http(s) addresses), opened in a new tab. */
const ExternalLink = ({ url }: { url: string }) => (
  <a href={url} target="_blank" rel="noopener noreferrer" title={url}>
    {url}
  </a>
);

export function VisitorPanel({ visitor }: { visitor: Visitor }) {
  const now = useNow(30_000);
  const time = visitorLocalTime(now, visitor.timeZone, visitor.utcOffset);
  const browser = describeUserAgent(visitor.userAgent);
  const attributes = Object.entries(visitor.attributes ?? {});
  const rows: [string, React.ReactNode][] = [];
  if (visitor.name) rows.push(['Name', visitor.name]);
  if (visitor.email)
    rows.push([
      'E-mail',
      <a key="email" href={`mailto:${visitor.email}`}>
        {visitor.email}
      </a>,
    ]);
  if (visitor.pageUrl) rows.push(['Page', <ExternalLink key="page" url={visitor.pageUrl} />]);
  if (visitor.referrer) rows.push(['Referrer', <ExternalLink key="referrer" url={visitor.referrer} />]);
  if (browser)
    rows.push([
      'Browser',
      <span key="browser" title={visitor.userAgent}>
        {browser}
      </span>,
    ]);
  if (visitor.language) rows.push(['Language', `${languageName(visitor.language)} (${visitor.language})`]);
  if (time) rows.push(['Local time', `${time} (${zoneLabel(visitor)})`]);
  for (const [k, v] of attributes) rows.push([k, v]);
  return (
    <aside className="c-panel c-visitor" aria-label="Visitor details">
      <div className="c-panel__head">
        <h2>Visitor</h2>
      </div>
      {rows.length === 0 ? (
        <p className="p-muted c-panel__empty">Nothing known about this visitor yet.</p>
      ) : (
        <dl className="c-visitor__list">
          {rows.map(([label, value]) => (
            <div key={label} className="c-visitor__row">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </aside>
  );
}
