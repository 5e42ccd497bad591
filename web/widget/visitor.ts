// What the widget tells the server about the visitor: the embedding page's address and referrer and identify's
// name/e-mail/attributes (from the loader: the #visitor= fragment at start, then `parley:visitor` messages), and the
// browser's language and time zone (read here). The session start carries them; later changes go to
// POST /api/widget/chat/visitor, each sent once.
import { api } from '../ui/api.js';
import type { Schemas } from '../ui/types.js';

export type VisitorDetails = Schemas['VisitorDetails'];

function fromLoader(): VisitorDetails {
  const raw = new URLSearchParams(location.hash.slice(1)).get('visitor');
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' ? (v as VisitorDetails) : {};
  } catch {
    return {};
  }
}

function fromBrowser(): VisitorDetails {
  const out: VisitorDetails = { utcOffset: -new Date().getTimezoneOffset() };
  if (navigator.language) out.language = navigator.language;
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) out.timeZone = zone;
  } catch {
    /* an old runtime: the offset alone */
  }
  return out;
}

let current: VisitorDetails = { ...fromBrowser(), ...fromLoader() };
let sent = '';

/** The details to send with a session start (they then count as sent). */
export function visitorForSession(): VisitorDetails {
  sent = JSON.stringify(current);
  return current;
}

/** Sends the details if they changed since last sent (needs the visitor's token, i.e. a session). */
export async function syncVisitor(token: string | undefined): Promise<void> {
  const now = JSON.stringify(current);
  if (!token || now === sent) return;
  sent = now;
  await api('/api/widget/chat/visitor', { body: current, token }).catch(() => {
    sent = ''; // try again with the next change or session
  });
}

/** Listens to the loader (identify, navigation) and tells it the chat is ready to hear. */
export function onLoaderVisitor(token: () => string | undefined): () => void {
  const listener = (e: MessageEvent) => {
    const data = e.data as { type?: string; visitor?: VisitorDetails } | null;
    if (e.source !== window.parent || data?.type !== 'parley:visitor' || !data.visitor) return;
    current = { ...current, ...data.visitor };
    syncVisitor(token());
  };
  window.addEventListener('message', listener);
  if (window.parent !== window) window.parent.postMessage({ type: 'parley:ready' }, '*');
  return () => window.removeEventListener('message', listener);
}
