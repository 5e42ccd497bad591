// The admin's pages are addressed by the URL hash (#/files, #/s3 …), so reloads and links keep the page.
import { useEffect, useState } from 'react';

export function useHashRoute(fallback: string): [string, (route: string) => void] {
  const read = () => location.hash.replace(/^#\/?/, '') || fallback;
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return [route, (r: string) => (location.hash = `#/${r}`)];
}
