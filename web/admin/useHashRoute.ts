// The admin's pages are addressed by the URL hash (#/files, #/s3 …), so reloads and links keep the page.
// A form with unsaved changes is asked about before the route moves (unsaved.ts): an in-app link is stopped before
// the address changes when declined; Back/Forward or a typed address has already moved it, so it is put back.
import { useEffect, useRef, useState } from 'react';
import { mayLeaveSection } from './unsaved.js';

export function useHashRoute(fallback: string): [string, (route: string) => void] {
  const read = () => location.hash.replace(/^#\/?/, '') || fallback;
  const [route, setRoute] = useState(read);
  const current = useRef(route);
  useEffect(() => {
    let confirmed = false; // a link the admin already agreed to follow: its hashchange does not ask again
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const link = (e.target as Element | null)?.closest?.('a[href^="#/"]');
      const target = link?.getAttribute('href')?.replace(/^#\/?/, '');
      if (target === undefined || target === current.current) return;
      if (mayLeaveSection()) confirmed = true;
      else e.preventDefault();
    };
    const onChange = () => {
      const next = read();
      if (next === current.current) return;
      if (!confirmed && !mayLeaveSection()) {
        // Back where we were, without another hashchange.
        history.replaceState(history.state, '', `#/${current.current}`);
        return;
      }
      confirmed = false;
      current.current = next;
      setRoute(next);
    };
    document.addEventListener('click', onClick, true);
    window.addEventListener('hashchange', onChange);
    return () => {
      document.removeEventListener('click', onClick, true);
      window.removeEventListener('hashchange', onChange);
    };
  }, []);
  return [route, (r: string) => (location.hash = `#/${r}`)];
}
