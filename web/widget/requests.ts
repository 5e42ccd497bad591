// Whether a bot's upload request or quick replies are still answerable, judged from the chat as it stands.
import { isDeleted, type ChatStatus, type Message } from '../ui/types.js';

const STATUS_TEXT = { answered: 'Sent', skipped: 'Skipped', expired: 'This request has expired' } as const;

/** What to show instead of the buttons once the request is closed; undefined while it is open. */
export function requestClosedText(
  m: Message,
  messages: Message[],
  chatStatus: ChatStatus | undefined,
  local: Record<string, string>,
): string | undefined {
  const r = m.request;
  if (!r) return undefined;
  if (local[r.id]) return local[r.id];
  if (r.status && r.status !== 'open') return STATUS_TEXT[r.status];
  const answered = messages.some((x) => x.files?.some((f) => !isDeleted(f) && f.requestId === r.id));
  if (answered) return STATUS_TEXT.answered;
  if (chatStatus === 'closed') return 'This chat is closed';
  return undefined;
}

/** Quick replies only make sense until the visitor has written anything after them. */
export function choicesOpen(m: Message, messages: Message[], chatStatus: ChatStatus | undefined): boolean {
  if (chatStatus === 'closed') return false;
  const at = messages.indexOf(m);
  return !messages.slice(at + 1).some((x) => x.authorRole === 'visitor');
}
